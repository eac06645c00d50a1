"""Family court: one row per party per case (CSV, semicolon, Latin-1).

The case system is old and holds text in Latin-1: accented names such as Zoë or Renée are stored as
Latin-1 bytes, and letters Latin-1 cannot hold (the Polish Ł, ś, ń ...) are stored without their
accents, as such systems do.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

import numpy as np

from .. import dates, family, identity, rates
from ..identity import DEFAULT_RECORDING, ErrorLog
from ..pathways import Careers
from ..population import Population
from ..rates import Recording
from .base import (
    Attribute,
    Identifier,
    Invalid,
    Spec,
    Table,
    family_court_codes,
    record_ids,
    town_lookup,
    year_sequence,
)

DATE = "%d-%m-%Y"
SEX_CODES = ("Male", "Female", "Not known")
_FOLD = {"Ł": "L", "ł": "l", "Đ": "D", "đ": "d", "Ø": "O", "ø": "o", "ß": "ss"}

SPEC = Spec(
    name="family_court",
    systems=("FamilyMan",),
    title="Family court case records",
    owner="HMCTS",
    description=(
        "One row per party per case, from the family court case system (synthetic): private "
        "and public law children cases, divorce and domestic violence (Family Law Act) cases. "
        "Children are parties in children cases. case_ref identifies the case, so every party to "
        "a case shares it. Text is Latin-1."
    ),
    record_id="party_id",
    file_format="csv",
    delimiter=";",
    encoding="latin-1",
    columns=(
        "party_id",
        "case_ref",
        "court",
        "issue_date",
        "case_type",
        "party_role",
        "first_name",
        "last_name",
        "date_of_birth",
        "gender",
        "postcode",
        "outcome",
    ),
    identifiers=(
        Identifier("first_name", "forename", description="Party's first name"),
        Identifier("last_name", "surname", description="Party's surname"),
        Identifier(
            "date_of_birth", "date_of_birth", format=DATE, description="Party's date of birth"
        ),
        Identifier(
            "gender",
            "sex",
            codes=(("Male", "male"), ("Female", "female"), ("Not known", "unknown")),
            description="Party's sex: Male, Female or Not known",
        ),
        Identifier("postcode", "postcode", description="Party's postcode"),
        Identifier(
            "case_ref",
            "operational_id",
            description="Family case number, shared by every party to the case",
        ),
    ),
    attributes=(
        Attribute(
            "court",
            "string",
            "quasi_identifier",
            "Family court where the case was issued",
        ),
        Attribute(
            "issue_date",
            "date",
            "quasi_identifier",
            "Date the case was issued",
            format=DATE,
            required=True,
        ),
        Attribute(
            "case_type",
            "string",
            "other",
            "Kind of family case",
            values=family.CASE_TYPES,
            required=True,
        ),
        Attribute(
            "party_role",
            "string",
            "other",
            "The party's role in the case",
            values=family.ROLES,
            required=True,
        ),
        Attribute(
            "outcome",
            "string",
            "other",
            "Final order or how the case ended",
            values=family.outcome_values(),
        ),
    ),
    invalid=Invalid(
        dob_column="date_of_birth",
        dob_format=DATE,
        sex_column="gender",
        bad_sex="Unknown",
        date_column="issue_date",
        date_format=DATE,
        value_column="party_role",
        bad_value="intervener",
    ),
)


@lru_cache(maxsize=4096)
def latin1(text: str) -> str:
    """``text`` as a Latin-1 system would store it: letters outside Latin-1 lose their accents."""
    try:
        text.encode("latin-1")
        return text
    except UnicodeEncodeError:
        pass
    out = []
    for ch in text:
        if ord(ch) < 256:
            out.append(ch)
        elif ch in _FOLD:
            out.append(_FOLD[ch])
        else:
            base = "".join(c for c in unicodedata.normalize("NFKD", ch) if ord(c) < 128)
            out.append(base or "?")
    return "".join(out)


def build(pop: Population, careers: Careers, rng: np.random.Generator, log: ErrorLog,
          errors: Recording = DEFAULT_RECORDING) -> Table:
    del careers  # family cases are independent of criminal careers
    plan = pop.family
    issue_all = plan.case_issue[plan.party_case]
    order = np.lexsort((plan.party_role, plan.party_case, issue_all))
    case = plan.party_case[order]
    person = plan.party_person[order]
    issue = issue_all[order]
    rec = identity.render(pop, person, issue, rng, log, SPEC.name, ethnicity=False, errors=errors)

    # The court is the one serving the mother's home on the issue date.
    mother = plan.mother[plan.case_couple]
    home = identity.address_on(pop, mother, plan.case_issue)
    case_court = town_lookup("family")[pop.addresses.town_index[home]]
    codes = family_court_codes()
    case_order = np.lexsort((np.arange(len(plan.case_issue)), plan.case_issue))
    seq = np.empty(len(case_order), dtype=np.int64)
    seq[case_order] = year_sequence(plan.case_issue[case_order])
    year = dates.to_ymd(plan.case_issue)[0] % 100
    letters = [family.CASE_LETTERS[k] for k in plan.case_type.tolist()]
    case_ref = np.array(
        [
            f"{codes[c]}{y:02d}{t}{s:05d}"
            for c, y, t, s in zip(
                case_court.tolist(), year.tolist(), letters, seq.tolist(), strict=True
            )
        ],
        dtype=object,
    )

    # Cases issued in the last six months before the extract are often still open.
    recent = plan.case_issue > dates.day(rates.EXTRACT_DATE) - 183
    open_case = recent & (rng.random(len(recent)) < 0.6)
    outcome = np.where(open_case, "", plan.case_outcome).astype(object)

    def text(values: np.ndarray) -> np.ndarray:
        return np.array([latin1(v) for v in values.tolist()], dtype=object)

    columns = {
        "party_id": record_ids(rng, len(person), 1, 8, prefix="P"),
        "case_ref": case_ref[case],
        "court": case_court[case],
        "issue_date": dates.format_days(issue, DATE),
        "case_type": np.array(family.CASE_TYPES, dtype=object)[plan.case_type[case]],
        "party_role": np.array(family.ROLES, dtype=object)[plan.party_role[order]],
        "first_name": text(identity.vary(rec.forename, rng, log, SPEC.name, errors=errors)),
        "last_name": text(identity.vary(rec.surname, rng, log, SPEC.name, errors=errors)),
        "date_of_birth": dates.format_days(rec.dob, DATE),
        "gender": np.array(SEX_CODES, dtype=object)[rec.sex],
        "postcode": rec.postcode,
        "outcome": outcome[case],
    }
    return Table(SPEC, columns, person)
