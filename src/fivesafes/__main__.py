"""``python -m fivesafes`` runs the ``fivesafes`` command."""

from fivesafes.cli import main

main()
