"""The application state machine, declared as data.

:data:`TRANSITIONS` is the whole machine: each row says that ``action`` moves an application
from ``source`` to ``target`` and which parties may take it. A party is a relation between an
account and one application (its applicant, a member of the panel whose review is open, ...),
worked out by :func:`fivesafes.governance.applications.parties`. :func:`check` is the one place
that decides whether a step is allowed; every service that changes an application's state
calls it first.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from fivesafes.errors import InvalidTransition, PermissionDenied


class State(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    IN_REVIEW = "in_review"
    MORE_INFORMATION = "more_information_requested"
    RESUBMITTED = "resubmitted"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    ACCREDITED = "accredited"
    PROVISIONED = "provisioned"
    CLOSED = "closed"


class Party(StrEnum):
    APPLICANT = "applicant"  # the project's lead or an active team member
    ADMINISTRATOR = "administrator"
    REVIEWING_PANEL = "reviewing_panel"  # a member of the panel whose approval review is open
    ACCREDITATION_PANEL = "accreditation_panel"  # a member of the accreditation panel, when due
    LINKAGE_OFFICER = "linkage_officer"


PARTY_HELP: Mapping[Party, str] = {
    Party.APPLICANT: "the project's lead or a researcher on its team",
    Party.ADMINISTRATOR: "an administrator",
    Party.REVIEWING_PANEL: "a member of the panel now reviewing it (with no conflict of "
                           "interest)",
    Party.ACCREDITATION_PANEL: "a member of the accreditation panel (with no conflict of "
                               "interest)",
    Party.LINKAGE_OFFICER: "a linkage officer",
}


@dataclass(frozen=True)
class Transition:
    action: str
    source: State
    target: State
    parties: frozenset[Party]
    note: str = ""


def _t(action: str, source: State, target: State, *parties: Party, note: str = "") -> Transition:
    return Transition(action, source, target, frozenset(parties), note)


S, P = State, Party
_WITHDRAWABLE = (S.DRAFT, S.SUBMITTED, S.IN_REVIEW, S.MORE_INFORMATION, S.RESUBMITTED,
                 S.APPROVED, S.ACCREDITED)

TRANSITIONS: tuple[Transition, ...] = (
    _t("submit", S.DRAFT, S.SUBMITTED, P.APPLICANT),
    _t("start_review", S.SUBMITTED, S.IN_REVIEW, P.ADMINISTRATOR,
       note="routes it to the data owners' panels"),
    _t("request_information", S.IN_REVIEW, S.MORE_INFORMATION, P.REVIEWING_PANEL),
    _t("request_information", S.RESUBMITTED, S.MORE_INFORMATION, P.REVIEWING_PANEL),
    _t("resubmit", S.MORE_INFORMATION, S.RESUBMITTED, P.APPLICANT),
    _t("resume_review", S.RESUBMITTED, S.IN_REVIEW, P.REVIEWING_PANEL, P.ADMINISTRATOR),
    _t("approve", S.IN_REVIEW, S.IN_REVIEW, P.REVIEWING_PANEL,
       note="a panel approves and the next panel on the route reviews"),
    _t("approve", S.IN_REVIEW, S.APPROVED, P.REVIEWING_PANEL,
       note="the last panel on the route approves (with any conditions)"),
    _t("escalate", S.IN_REVIEW, S.IN_REVIEW, P.REVIEWING_PANEL,
       note="only a panel configured with escalates_to; that panel reviews next"),
    _t("reject", S.IN_REVIEW, S.REJECTED, P.REVIEWING_PANEL),
    _t("reject", S.APPROVED, S.REJECTED, P.ACCREDITATION_PANEL,
       note="the accreditation panel refuses to accredit the project"),
    _t("accredit", S.APPROVED, S.ACCREDITED, P.ACCREDITATION_PANEL,
       note="records the project's accreditation reference and expiry"),
    _t("provision", S.ACCREDITED, S.PROVISIONED, P.LINKAGE_OFFICER,
       note="needs a current data sharing agreement and an eligible team"),
    _t("close", S.PROVISIONED, S.CLOSED, P.ADMINISTRATOR, P.LINKAGE_OFFICER),
    *(_t("withdraw", s, S.WITHDRAWN, P.APPLICANT, P.ADMINISTRATOR) for s in _WITHDRAWABLE),
)

ACTIONS: tuple[str, ...] = tuple(dict.fromkeys(t.action for t in TRANSITIONS))
FINAL = frozenset({S.REJECTED, S.WITHDRAWN, S.CLOSED})


def allowed_from(state: State) -> list[Transition]:
    return [t for t in TRANSITIONS if t.source == state]


def _describe_next(state: State) -> str:
    steps = sorted({f"{t.action} (to {t.target})" for t in allowed_from(state)})
    return ", ".join(steps) if steps else "none: this is a final state"


def check(action: str, state: State, parties: frozenset[Party], *, who: str, reference: str,
          refusals: Mapping[Party, str] | None = None) -> list[Transition]:
    """The rows that allow ``who`` (holding ``parties`` for this application) to take
    ``action`` from ``state``. Refuses with :class:`PermissionDenied` when ``who`` is no party
    that may ever take the action, or not one that may take it from this state, and with
    :class:`InvalidTransition` when the action does not start from this state."""
    rows = [t for t in TRANSITIONS if t.action == action]
    if not rows:
        raise ValueError(f"unknown action {action!r}")
    refusals = refusals or {}

    def denied(rows: list[Transition]) -> PermissionDenied:
        needed = sorted({p for t in rows for p in t.parties})
        why = "; ".join(refusals[p] for p in needed if p in refusals)
        return PermissionDenied(
            f"{who} may not {action.replace('_', ' ')} {reference}: that is for "
            + " or ".join(PARTY_HELP[p] for p in needed) + (f" ({why})" if why else "")
        )

    if not any(t.parties & parties for t in rows):
        raise denied(rows)
    here = [t for t in rows if t.source == state]
    if not here:
        sources = ", ".join(sorted({t.source for t in rows}))
        raise InvalidTransition(
            f"{reference} is {state}; '{action}' is allowed only from {sources}. From {state} "
            f"the allowed steps are: {_describe_next(state)}"
        )
    mine = [t for t in here if t.parties & parties]
    if not mine:
        raise denied(here)
    return mine


def mermaid() -> str:
    """The state diagram (Mermaid) of :data:`TRANSITIONS`, for the documentation."""
    lines = ["stateDiagram-v2", "    [*] --> draft"]
    seen = set()
    for t in TRANSITIONS:
        key = (t.source, t.target, t.action)
        if key in seen:
            continue
        seen.add(key)
        who = ", ".join(sorted(t.parties))
        lines.append(f"    {t.source} --> {t.target}: {t.action} ({who})")
    lines += [f"    {s} --> [*]" for s in sorted(FINAL)]
    return "\n".join(lines)
