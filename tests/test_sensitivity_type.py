"""Sensitivity is one type: every dataclass field named ``sensitivity`` in ``src/fivesafes`` is
annotated :class:`~fivesafes.sources.contract.Sensitivity` (read with :mod:`ast`)."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "fivesafes"
#: synth sits below sources (it writes contracts as TOML text), so it cannot import the enum
BELOW_SOURCES = {SRC / "synth"}


def _is_dataclass(node: ast.ClassDef) -> bool:
    for decorator in node.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        name = target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", "")
        if name == "dataclass":
            return True
    return False


def sensitivity_fields(path: Path) -> list[tuple[str, str]]:
    """(class, annotation) of each dataclass field named ``sensitivity`` in ``path``."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.ClassDef) or not _is_dataclass(node):
            continue
        for item in node.body:
            if (isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name)
                    and item.target.id == "sensitivity"):
                found.append((node.name, ast.unparse(item.annotation)))
    return found


def test_every_sensitivity_field_is_the_enum():
    checked, wrong = 0, []
    for path in sorted(SRC.rglob("*.py")):
        if any(path.is_relative_to(folder) for folder in BELOW_SOURCES):
            continue
        for cls, annotation in sensitivity_fields(path):
            checked += 1
            if annotation != "Sensitivity":
                wrong.append(f"{path.relative_to(SRC)}: {cls}.sensitivity: {annotation}")
    assert not wrong
    assert checked >= 8  # the walk does find them (FieldRef, Column, FieldEntry...)


def test_the_walk_sees_a_plain_str(tmp_path: Path):
    module = tmp_path / "m.py"
    module.write_text("from dataclasses import dataclass\n\n@dataclass(frozen=True)\n"
                      "class F:\n    sensitivity: str\n", encoding="utf-8")
    assert sensitivity_fields(module) == [("F", "str")]
