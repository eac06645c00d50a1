"""fivesafes: link administrative records, de-identify them and share them under the Five Safes."""

__version__ = "0.1.0"
