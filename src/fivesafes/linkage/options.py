"""How a link run is set up (:class:`LinkOptions`), and the error linkage raises when data cannot
be linked as given."""

from __future__ import annotations

from dataclasses import dataclass

from fivesafes.errors import FivesafesError

#: Match probability at or above which two records are linked, unless the user chooses another.
DEFAULT_THRESHOLD = 0.8


class LinkageError(FivesafesError):
    """The data cannot be linked as given."""


@dataclass(frozen=True)
class LinkOptions:
    engine: str = "duckdb"
    threshold: float = DEFAULT_THRESHOLD
    split: bool = True
    u_max_pairs: float = 2e6
    em_max_pairs: float = 4e6
    seed: int = 1
    threads: int = 2
    #: DuckDB's memory cap for the run; it spills to the work folder beyond it. At a million
    #: records 2.5 GB costs no time against 6 GB and keeps the whole process near 3 GiB.
    memory_limit: str = "2.5GB"

    def __post_init__(self) -> None:
        if not 0.0 < self.threshold < 1.0:
            raise LinkageError(f"--threshold must be a match probability between 0 and 1 "
                               f"(exclusive), not {self.threshold}")
