"""Reading source extracts in chunks, with exact line numbers and clear file-level errors.

A reader first checks the file as a whole (exists, not empty, not binary, the declared encoding
and delimiter fit, every contract column present) and raises :class:`SourceFileError` naming the
file and what to do. It then yields :class:`Chunk` objects: the contract's columns as Arrow string
arrays, the line (CSV) or row (Parquet) number of each row, and rows whose shape is wrong.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from fivesafes.errors import SourceFileError
from fivesafes.sources.contract import SourceContract

SNIFF_BYTES = 64 * 1024
OTHER_DELIMITERS = (",", ";", "|", "\t")
csv.field_size_limit(16 * 1024 * 1024)


@dataclass
class Chunk:
    """Up to ``chunk_rows`` rows of one source."""

    positions: list[int]  # the CSV line (1-based, header is line 1) or Parquet row (1-based)
    columns: dict[str, pa.Array]  # contract column -> strings (None where empty)
    shape_problems: list[tuple[int, str]] = field(default_factory=list)  # (position, reason)
    rows_read: int = 0  # rows in this chunk, including those with shape problems
    iso_dates: frozenset[str] = frozenset()  # Parquet date columns, given as ISO text


class _CountingReader(io.RawIOBase):
    """Counts the bytes read from a binary file, for progress bars."""

    def __init__(self, raw: io.BufferedReader) -> None:
        self._raw = raw
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[override]
        n = self._raw.readinto(buffer)
        self.count += n or 0
        return n or 0


def _describe(columns: list[str], limit: int = 12) -> str:
    shown = ", ".join(repr(c) for c in columns[:limit])
    return shown + (f" and {len(columns) - limit} more" if len(columns) > limit else "")


def _check_columns(contract: SourceContract, path: Path, header: list[str]) -> None:
    missing = [c for c in contract.columns if c not in header]
    if missing:
        raise SourceFileError(
            f"{path}: column(s) {_describe(missing)} named in contract '{contract.name}' are not "
            f"in the file, which has {_describe(header)}; fix the contract's column names or the "
            "extract"
        )
    duplicated = sorted({c for c in header if header.count(c) > 1 and c in contract.columns})
    if duplicated:
        raise SourceFileError(
            f"{path}: column(s) {_describe(duplicated)} appear more than once in the header; "
            "rename them in the extract"
        )


class CsvReader:
    """Reads a delimited text extract as its contract declares."""

    def __init__(self, contract: SourceContract) -> None:
        self.contract = contract
        self.path = contract.file.path
        self.total = 0
        self._counter: _CountingReader | None = None

    def check(self) -> list[str]:
        """Check the file; return its header."""
        path, spec = self.path, self.contract.file
        if not path.exists():
            raise SourceFileError(
                f"{path}: file not found (named by contract '{self.contract.name}'); check "
                "[source.file] path, which is relative to the contract file"
            )
        if path.is_dir():
            raise SourceFileError(f"{path}: is a folder, not an extract file")
        self.total = path.stat().st_size
        if self.total == 0:
            raise SourceFileError(
                f"{path}: the file is empty; ask the data owner for a new extract"
            )
        with open(path, "rb") as fh:
            head = fh.read(SNIFF_BYTES)
        if b"\x00" in head:
            raise SourceFileError(
                f"{path}: looks binary (it contains NUL bytes), not {spec.encoding} text; if it "
                "is Parquet, set format = \"parquet\" in the contract"
            )
        first_line = head.split(b"\n", 1)[0].rstrip(b"\r")
        try:
            header_text = first_line.decode(spec.encoding)
        except UnicodeDecodeError as exc:
            raise SourceFileError(
                f"{path}: the header is not {spec.encoding} text ({exc.reason} at byte "
                f"{exc.start}); set encoding in the contract to the file's real encoding"
            ) from None
        header = next(csv.reader([header_text], delimiter=spec.delimiter))
        header = [h.strip().lstrip("\ufeff") for h in header]
        if not any(header):
            raise SourceFileError(f"{path}: the first line is empty; a header line is needed")
        if len(header) == 1:
            for other in OTHER_DELIMITERS:
                if other != spec.delimiter and other in header_text:
                    raise SourceFileError(
                        f"{path}: the header has one column when split on "
                        f"{spec.delimiter!r} but contains {other!r}; the file looks "
                        f"{other!r}-delimited: set delimiter = {other!r} in the contract"
                    )
        _check_columns(self.contract, path, header)
        return header

    @property
    def done(self) -> int:
        return self._counter.count if self._counter else 0

    def chunks(self, chunk_rows: int) -> Iterator[Chunk]:
        header = self.check()
        index = {name: i for i, name in enumerate(header)}
        wanted = [(c, index[c]) for c in self.contract.columns]
        width = len(header)
        spec = self.contract.file
        raw = open(self.path, "rb")
        self._counter = _CountingReader(raw)
        buffered = io.BufferedReader(self._counter, buffer_size=1 << 20)
        text = io.TextIOWrapper(buffered, encoding=spec.encoding, errors="strict", newline="")
        reader = csv.reader(text, delimiter=spec.delimiter, strict=False)
        try:
            last_line = 0
            while True:
                try:
                    if last_line == 0:
                        next(reader)  # the header, already checked
                        last_line = reader.line_num
                    rows = list(islice(reader, chunk_rows))
                except UnicodeDecodeError as exc:
                    line, snippet = _first_undecodable_line(self.path, spec.encoding)
                    raise SourceFileError(
                        f"{self.path}: line {line} is not {spec.encoding} text ({exc.reason}: "
                        f"{snippet}); set encoding in the contract to the file's real encoding "
                        "(e.g. latin-1, cp1252)"
                    ) from None
                except csv.Error as exc:
                    raise SourceFileError(
                        f"{self.path}: line {reader.line_num}: cannot be read as CSV ({exc}); "
                        "check the quoting in the extract"
                    ) from None
                if not rows:
                    return
                yield self._chunk(rows, wanted, width, last_line, reader.line_num)
                last_line = reader.line_num
        finally:
            text.close()

    @staticmethod
    def _chunk(rows: list[list[str]], wanted: list[tuple[str, int]], width: int,
               first_line_before: int, last_line: int) -> Chunk:
        # Exact start lines need the reader's line count per row; rows spanning several lines
        # are rare, so assume one line per row and correct only when the count disagrees.
        positions: list[int]
        if last_line - first_line_before == len(rows):
            positions = list(range(first_line_before + 1, last_line + 1))
        else:
            positions = _positions_with_multiline(rows, first_line_before)
        good = [i for i, r in enumerate(rows) if len(r) == width]
        shape: list[tuple[int, str]] = []
        if len(good) != len(rows):
            good_set = set(good)
            for i, r in enumerate(rows):
                if i in good_set:
                    continue
                if len(r) == 0 or (len(r) == 1 and not r[0].strip()):
                    shape.append((positions[i], "blank line"))
                else:
                    shape.append((positions[i], f"row has {len(r)} fields; the header has "
                                                f"{width}"))
            kept = [rows[i] for i in good]
            positions_kept = [positions[i] for i in good]
        else:
            kept, positions_kept = rows, positions
        columns: dict[str, pa.Array] = {}
        if kept:
            transposed = list(zip(*kept, strict=True))
            for name, i in wanted:
                columns[name] = pa.array(transposed[i], pa.string())
        else:
            for name, _ in wanted:
                columns[name] = pa.array([], pa.string())
        return Chunk(positions_kept, columns, shape, rows_read=len(rows))


def _first_undecodable_line(path: Path, encoding: str) -> tuple[int, str]:
    """The first line of ``path`` that cannot be decoded, and its offending bytes."""
    decoder = codecs.getincrementaldecoder(encoding)()
    with open(path, "rb") as fh:
        for number, raw in enumerate(fh, start=1):
            try:
                decoder.decode(raw)
            except UnicodeDecodeError as exc:
                return number, f"byte 0x{raw[exc.start]:02x} at column {exc.start + 1}"
    return 0, "unknown position"


def _positions_with_multiline(rows: list[list[str]], line_before: int) -> list[int]:
    """Start line of each row when some rows hold quoted line breaks."""
    positions = []
    line = line_before + 1
    for row in rows:
        positions.append(line)
        line += 1 + sum(field.count("\n") for field in row)
    return positions


class ParquetReader:
    """Reads a Parquet extract; positions are 1-based row numbers."""

    def __init__(self, contract: SourceContract) -> None:
        self.contract = contract
        self.path = contract.file.path
        self.total = 0
        self.done = 0

    def _open(self) -> pq.ParquetFile:
        path = self.path
        if not path.exists():
            raise SourceFileError(
                f"{path}: file not found (named by contract '{self.contract.name}'); check "
                "[source.file] path, which is relative to the contract file"
            )
        if path.stat().st_size == 0:
            raise SourceFileError(f"{path}: the file is empty; ask the data owner for a new "
                                  "extract")
        try:
            return pq.ParquetFile(path)
        except (pa.ArrowInvalid, OSError) as exc:
            raise SourceFileError(
                f"{path}: not a readable Parquet file ({exc}); if it is CSV, set "
                "format = \"csv\" in the contract"
            ) from None

    def check(self) -> list[str]:
        pf = self._open()
        header = pf.schema_arrow.names
        _check_columns(self.contract, self.path, header)
        self.total = pf.metadata.num_rows
        if self.total == 0:
            raise SourceFileError(f"{self.path}: the file has no rows; ask the data owner for a "
                                  "new extract")
        return header

    def chunks(self, chunk_rows: int) -> Iterator[Chunk]:
        self.check()
        pf = self._open()
        row = 0
        for batch in pf.iter_batches(batch_size=chunk_rows, columns=self.contract.columns):
            columns: dict[str, pa.Array] = {}
            iso_dates: set[str] = set()
            for name in self.contract.columns:
                arr = batch.column(name)
                if pa.types.is_date(arr.type) or pa.types.is_timestamp(arr.type):
                    iso_dates.add(name)
                columns[name] = arr if pa.types.is_string(arr.type) else _as_text(arr)
            positions = list(range(row + 1, row + batch.num_rows + 1))
            row += batch.num_rows
            self.done = row
            yield Chunk(positions, columns, [], rows_read=batch.num_rows,
                        iso_dates=frozenset(iso_dates))


def _as_text(arr: pa.Array) -> pa.Array:
    """A Parquet column of another type, as text the contract's checks understand."""
    if pa.types.is_large_string(arr.type) or pa.types.is_dictionary(arr.type):
        return arr.cast(pa.string())
    if pa.types.is_date(arr.type) or pa.types.is_timestamp(arr.type):
        return arr.cast(pa.date32()).cast(pa.string())  # ISO: read with the default format
    return arr.cast(pa.string())


Reader = CsvReader | ParquetReader


def reader_for(contract: SourceContract) -> Reader:
    return CsvReader(contract) if contract.file.format == "csv" else ParquetReader(contract)


