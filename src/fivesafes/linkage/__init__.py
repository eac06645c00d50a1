"""Record linkage: identifier standardisation, then probabilistic linkage across sources.

Public entry points (see docs/linkage.md):

- :func:`fivesafes.linkage.runs.link_home` links what was ingested into a home and writes the
  person key map ``HOME/linkage/links/<label>/clusters.parquet`` (recorded and audited);
- :func:`fivesafes.linkage.runs.link_files` links extract files named by contracts (standalone);
- :func:`fivesafes.linkage.cli.register_commands` adds ``fivesafes link`` to the command group;
- :func:`fivesafes.linkage.demo.run_demo` is the linkage step of ``make demo``.

Modules, in the order a run uses them: :mod:`.inputs` (identifier tables), :mod:`.specs`
(contract -> standardisation spec), :mod:`.standardise`, :mod:`.features`, :mod:`.model`
(Splink settings), :mod:`.engines` (DuckDB or Spark), :mod:`.training`, :mod:`.pipeline`,
:mod:`.split` (over-merge splitting), :mod:`.evaluate` (accuracy with a truth file),
:mod:`.report` and :mod:`.charts` (the quality report), :mod:`.runs` (where results go).
"""
