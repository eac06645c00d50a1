"""The ``fivesafes link`` command; :func:`register_commands` adds it to the main group.

``fivesafes link --home HOME`` links everything ingested into the home. With ``--contracts`` it
links extract files directly, with no home (evaluation, trying it out), into ``--out``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import click

__all__ = ["register_commands"]

#: The phases a run reports as each one ends, in order (reading comes before them).
PHASES = ("standardise", "train", "predict", "cluster", "split")


@contextmanager
def phase_progress(console) -> Iterator[Callable[[str, float], None]]:
    """A bar over the linkage phases that names the one under way; each finished phase is
    also printed with its time (the only output when the console is not a terminal)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(TextColumn("{task.description:<24}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=console, transient=True,
                  disable=not console.is_terminal) as progress:
        task = progress.add_task("linking: reading", total=len(PHASES))

        def phase(name: str, seconds: float) -> None:
            console.print(f"  {name:<12} {seconds:7.1f} s")
            if name in PHASES:
                done = PHASES.index(name) + 1
                following = PHASES[done] if done < len(PHASES) else "writing results"
                progress.update(task, completed=done, description=f"linking: {following}")

        yield phase


def _print_result(console, result, as_json: bool) -> None:
    import json

    from rich.table import Table

    summary = result.summary
    if as_json:
        click.echo(json.dumps(summary, indent=2, default=str))
        return
    table = Table("source", "records", title=f"{summary['records']:,} records, "
                                             f"{summary['clusters']:,} persons found")
    for source, count in summary["records_per_source"].items():
        table.add_row(source, f"{count:,}")
    console.print(table)
    for name, seen in (summary.get("shared_identifiers") or {}).items():
        if seen:
            console.print(
                f"shared identifier {name}: {seen['linked_pairs_agreeing']:,} linked pairs agree "
                f"on it, {seen['linked_pairs_nearly_agreeing']:,} nearly, "
                f"{seen['linked_pairs_differing']:,} linked although it differs; "
                f"{seen['pairs_agreeing_not_linked']:,} pairs agree on it but were not linked",
                markup=False)
    split = summary.get("split") or {}
    if split:
        console.print(f"over-merged clusters split: {split.get('split_clusters', 0):,} "
                      f"(+{split.get('new_clusters', 0):,} clusters)")
        if split.get("pairs_contradicting"):
            console.print(f"pairs that cannot be one person, kept apart: "
                          f"{split['pairs_contradicting']:,} "
                          f"({split.get('links_refused', 0):,} scored above the threshold)")
        if split.get("bridged_clusters"):
            console.print(f"clusters joined only through records without a date of birth, "
                          f"cut: {split['bridged_clusters']:,} "
                          f"({split.get('records_left_alone', 0):,} such records could be "
                          "either of two people and joined neither)")
    accuracy = summary.get("accuracy")
    if accuracy:
        c = accuracy["clusters"]
        console.print(f"pairwise precision {c['precision']:.4f}, recall {c['recall']:.4f}, "
                      f"F1 {c['f1']:.4f} (true pairs no blocking rule reaches: "
                      f"{accuracy['true_pairs_unblocked']:,})")
        b = accuracy.get("bcubed")
        if b:
            console.print(f"B-cubed precision {b['precision']:.4f}, recall {b['recall']:.4f}, "
                          f"F1 {b['f1']:.4f} (each record weighed once)")
    seconds = ", ".join(f"{k} {v:.1f} s" for k, v in summary["seconds"].items())
    console.print(f"threshold {summary['threshold']}, engine {summary['engine']}; {seconds}")
    for note in summary.get("notes", []):
        console.print(f"note: {note}", markup=False)
    label = f"{result.label}: " if result.label else ""
    console.print(f"{label}person key map {result.clusters}")
    console.print(f"quality report {result.report}")


def register_commands(main: click.Group) -> None:
    """Add ``link`` to ``main``."""
    from fivesafes.cli_support import (
        actor_option_in_a_home,
        console,
        err_console,
        prove_actor,
        require_actor,
        user_errors,
    )
    from fivesafes.home import HOME_ENV, open_home
    from fivesafes.linkage.engines import ENGINES
    from fivesafes.linkage.options import DEFAULT_THRESHOLD

    @main.command("link")
    @click.option("--home", "home", type=click.Path(path_type=Path, file_okay=False),
                  envvar=HOME_ENV, default=None,
                  help=f"Deployment home whose ingested records to link (or set {HOME_ENV}).")
    @click.option("--contracts", "contracts", type=click.Path(path_type=Path, dir_okay=False),
                  multiple=True, help="Standalone mode: link the extracts these contract "
                  "files name, without a home (repeat, or list several after one --contracts).")
    @click.argument("more_contracts", nargs=-1, type=click.Path(path_type=Path, dir_okay=False))
    @click.option("--out", type=click.Path(path_type=Path, file_okay=False), default=None,
                  help="Standalone mode: folder for clusters.parquet, model.json, report.html "
                       "and summary.json (replaced when the run completes).")
    @click.option("--engine", type=click.Choice(ENGINES), default="duckdb", show_default=True,
                  help="Where Splink runs: DuckDB in-process, or Spark (local mode).")
    @click.option("--threshold", type=click.FloatRange(0, 1, min_open=True, max_open=True),
                  default=DEFAULT_THRESHOLD, show_default=True,
                  help="Match probability at or above which two records are linked.")
    @click.option("--truth", type=click.Path(path_type=Path, dir_okay=False), default=None,
                  help="Standalone mode: CSV with source, record_id, true_id, used only for "
                       "the report's accuracy section.")
    @click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
    @actor_option_in_a_home
    @user_errors
    def link(home: Path | None, contracts: tuple[Path, ...], more_contracts: tuple[Path, ...],
             out: Path | None, engine: str, threshold: float, truth: Path | None,
             as_json: bool, actor: str | None) -> None:
        """Link records about the same person across sources and write the person key map.

        With --home (or FIVESAFES_HOME) it links what was ingested into the home. With
        --contracts FILE.toml [FILE.toml ...] --out DIR it links extract files directly.
        """
        from fivesafes.linkage.options import LinkageError, LinkOptions
        from fivesafes.linkage.runs import link_files, link_home

        named = list(contracts) + list(more_contracts)
        options = LinkOptions(engine=engine, threshold=threshold)
        out_console = err_console if as_json else console

        if named:
            if out is None:
                raise LinkageError("standalone linkage needs --out DIR for its results")
            with phase_progress(out_console) as phase:
                result = link_files(named, out, options, truth=truth, on_phase=phase)
        else:
            if out is not None or truth is not None:
                raise LinkageError("--out and --truth belong to standalone mode: give "
                                   "--contracts FILE.toml too (or leave them out to link the "
                                   "home)")
            if home is None:
                raise LinkageError(f"give --home HOME (or set {HOME_ENV}) to link a home, or "
                                   "--contracts FILE.toml --out DIR to link files")
            by = require_actor(actor, "linking a home")
            deployment = open_home(home)
            try:
                prove_actor(deployment, by)
                with phase_progress(out_console) as phase:
                    result = link_home(deployment, by=by,
                                       options=options, on_phase=phase)
            finally:
                deployment.close()
        _print_result(console, result, as_json)
