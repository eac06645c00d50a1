"""The linkage tests share the standardisation tests' DuckDB connection fixture."""

from tests.standardise.conftest import con  # noqa: F401
