"""The demo: the whole walk on synthetic data, one step per ``fivesafes demo`` command.

* :mod:`fivesafes.demo.link` - link what was ingested and summarise the persons found;
* :mod:`fivesafes.demo.publish` - publish, show the catalogue, write the data dictionary, destroy
  the identifiers;
* :mod:`fivesafes.demo.governance` - a researcher applies, the panels approve, the register lists it.

``scripts/demo.sh`` (``make demo``) runs them in order between the ordinary commands.
"""
