"""The disclosure rules as configuration, and what a check says: findings and the check record.

The defaults are those of the UK TRE community's statistical disclosure control guidance and of
ACRO: at least 10 persons in a cell, the N-K dominance rule with n=2 and k=0.9, the p% rule with
p=10%, residual degrees of freedom of at least 10. A :class:`CheckRecord` holds every figure
behind its verdicts and round-trips through a plain dict (and so JSON).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from enum import StrEnum
from typing import Any

#: The rules, by the name a finding carries (ACRO's names where ACRO has the rule).
THRESHOLD = "threshold"
NK = "nk-rule"
P_RATIO = "p-ratio"
ZERO = "zero"
CLASS = "class-disclosure"
ALL_SAME = "all-values-are-same"
EXTREME = "extreme"
NEGATIVE = "negative"
MISSING = "missing"
DOF = "dof"
DIFFERENCING = "differencing"
RECOVERED = "recovered-by-margins"
PROTECTION = "protection"
SCOPE = "scope"


class Severity(StrEnum):
    """``fail``: the cell may not be released as it is; ``review``: an output checker decides;
    ``info``: said so that the reader knows (e.g. how many missing values were left out)."""

    FAIL = "fail"
    REVIEW = "review"
    INFO = "info"


@dataclass(frozen=True)
class Thresholds:
    """Every number the checks use; a deployment may change any of them."""

    min_cell: int = 10
    nk_n: int = 2
    nk_k: float = 0.9
    p_percent: float = 0.10
    min_dof: int = 10
    zeros_disclosive: bool = True
    class_disclosure: bool = True
    #: A suppressed cell's feasible interval must reach this fraction of its value either side.
    protection_ratio: float = 0.5
    #: ... and be at least this wide for a count (``None``: ``min_cell``); 0 for magnitudes.
    protection_min_width: float | None = None
    survival_min: int = 10

    def count_width(self) -> float:
        return float(self.min_cell if self.protection_min_width is None
                     else self.protection_min_width)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Thresholds:
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


#: What the researcher can do about each rule.
ACTIONS: dict[str, tuple[str, ...]] = {
    THRESHOLD: ("merge categories", "coarsen the grouping", "suppress the cell"),
    NK: ("merge categories so that more persons contribute", "suppress the cell"),
    P_RATIO: ("merge categories so that more persons contribute", "suppress the cell"),
    ZERO: ("declare it a structural zero (impossible by definition) in the request",
           "merge categories", "suppress the cell"),
    CLASS: ("merge categories of the grouped field", "coarsen the grouping",
            "suppress the full cell and its zeros"),
    ALL_SAME: ("merge categories", "publish the count only", "suppress the cell"),
    EXTREME: ("publish a percentile inside the range (e.g. the 5th and 95th) instead",
              "remove the minimum/maximum"),
    NEGATIVE: ("check the field's definition; dominance was judged on absolute values",),
    MISSING: ("say in the output how many persons were left out for a missing value",),
    DOF: ("use fewer parameters", "pool categories", "use more observations"),
    DIFFERENCING: ("align the populations of the two outputs",
                   "widen the difference to at least the threshold", "withdraw one output"),
    RECOVERED: ("suppress the cell in every output that shares its margins",
                "withdraw one output"),
    PROTECTION: ("coarsen the table: suppression cannot protect this cell",),
    SCOPE: ("say in the request how the derived field serves the approved purpose",
            "make the output from the approved fields themselves"),
}


@dataclass(frozen=True)
class Finding:
    """One verdict: which cell, which rule, the figures behind it, and what can be done."""

    rule: str
    severity: Severity
    cell: dict[str, Any]
    figures: dict[str, Any]
    message: str
    actions: tuple[str, ...] = ()
    outputs: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, "severity": str(self.severity), "cell": self.cell,
                "figures": self.figures, "message": self.message,
                "actions": list(self.actions), "outputs": list(self.outputs)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Finding:
        return cls(rule=data["rule"], severity=Severity(data["severity"]), cell=data["cell"],
                   figures=data["figures"], message=data["message"],
                   actions=tuple(data.get("actions", ())), outputs=tuple(data.get("outputs", ())))


def finding(rule: str, severity: Severity, cell: dict[str, Any], figures: dict[str, Any],
            message: str, outputs: tuple[str, ...] = ()) -> Finding:
    return Finding(rule, severity, cell, figures, message, ACTIONS.get(rule, ()), outputs)


@dataclass
class CheckRecord:
    """The check of one output: its verdict, every finding and the thresholds used."""

    output: str
    kind: str
    thresholds: Thresholds
    findings: list[Finding] = field(default_factory=list)
    #: Cells withheld from the published output: primary (failed a rule) and secondary.
    suppressed: list[dict[str, Any]] = field(default_factory=list)
    #: The interval attack on each suppressed cell (cell, value, low, high, required).
    intervals: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def status(self) -> str:
        """``fail`` while a failing cell is published; ``review`` when findings remain for a
        checker (e.g. suppression applied); ``pass`` otherwise."""
        hidden = {_key(c["cell"]) for c in self.suppressed}
        open_fail = [f for f in self.findings if f.severity is Severity.FAIL
                     and (not f.cell or _key(f.cell) not in hidden)]
        if open_fail:
            return "fail"
        if any(f.severity is not Severity.INFO for f in self.findings) or self.suppressed:
            return "review"
        return "pass"

    def summary(self) -> dict[str, int]:
        """Number of cells failing each rule."""
        counts: dict[str, int] = {}
        for f in self.findings:
            counts[f.rule] = counts.get(f.rule, 0) + 1
        return counts

    def by_rule(self, rule: str) -> list[Finding]:
        return [f for f in self.findings if f.rule == rule]

    def to_dict(self) -> dict[str, Any]:
        return {"output": self.output, "kind": self.kind, "status": self.status,
                "thresholds": self.thresholds.to_dict(), "summary": self.summary(),
                "findings": [f.to_dict() for f in self.findings],
                "suppressed": self.suppressed, "intervals": self.intervals,
                "notes": self.notes}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CheckRecord:
        return cls(output=data["output"], kind=data["kind"],
                   thresholds=Thresholds.from_dict(data.get("thresholds", {})),
                   findings=[Finding.from_dict(f) for f in data.get("findings", [])],
                   suppressed=list(data.get("suppressed", [])),
                   intervals=list(data.get("intervals", [])), notes=list(data.get("notes", [])))


def _key(cell: dict[str, Any]) -> tuple:
    return tuple(sorted((k, repr(v)) for k, v in cell.items()))


def cell_key(cell: dict[str, Any]) -> tuple:
    """A hashable key for a cell's group values."""
    return _key(cell)
