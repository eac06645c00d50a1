"""Progress of long steps: the ``(label, done, total)`` callback every long step takes, and Rich
progress bars that draw it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

#: Called as ``(label, done, total)``: a source or phase, and how far it is, in rows or bytes.
ProgressFn = Callable[[str, int, int], None]


@contextmanager
def progress_bars(console: Console, show_counts: bool = False) -> Iterator[ProgressFn]:
    """A callback that draws one bar per label; quiet when the console is not a terminal."""
    columns = [TextColumn("{task.description:<16}"), BarColumn()]
    columns += [MofNCompleteColumn()] if show_counts else [
        TextColumn("{task.percentage:>5.1f}%")]
    columns += [TimeElapsedColumn(), TimeRemainingColumn()]
    with Progress(*columns, console=console, transient=False,
                  disable=not console.is_terminal) as progress:
        tasks: dict[str, TaskID] = {}

        def update(label: str, done: int, total: int) -> None:
            if label not in tasks:
                tasks[label] = progress.add_task(label, total=total or None)
            progress.update(tasks[label], completed=done, total=total or None)

        yield update
