"""Research-ready datasets and their catalogue (see ``docs/data-owners.md``).

The public entry points, each a service function taking ``by=``:

* :func:`fivesafes.catalogue.publish.publish` - person ids, datasets with replaced ids and
  coarser levels, the person-level index, the release gate, and the release recorded;
* :func:`fivesafes.catalogue.persons.ensure_person_ids` - person ids for a link run (stable
  across refreshes, with lineage), if not yet given;
* :func:`fivesafes.catalogue.lookups.register_lookup` - a reference lookup (offence -> group);
* :func:`fivesafes.catalogue.digests.ensure_digests` - the identifier digests of an ingest.

Reading: :mod:`fivesafes.catalogue.listing` (the catalogue, JSON, and ``StoreCatalogue`` for
governance), :mod:`fivesafes.catalogue.dictionary` (the data dictionary, HTML and CSV).
Modules: ``models`` (tables), ``build`` (DuckDB), ``granularity`` (coarser levels), ``gate``
(the release gate), ``versions`` (removing superseded versions), ``commands``/``cli`` (the
command line), ``demo`` (``make demo``). Identifier destruction and the retention schedule are
in :mod:`fivesafes.retention`; the pure person-id assignment in :mod:`fivesafes.pseudonyms`.
"""
