"""Magistrates' courts: one row per defendant per case (CSV, comma, UTF-8)."""

from __future__ import annotations

import numpy as np

from .. import dates, identity, offences, places
from ..identity import DEFAULT_RECORDING, ErrorLog
from ..pathways import MAG_OUTCOMES, PLEAS, Careers
from ..population import Population
from ..rates import Recording
from .base import Attribute, Identifier, Invalid, Spec, Table, date_order, record_ids, town_lookup
from .base import year_sequence as _year_sequence

DATE = "%d/%m/%Y"
SEX_CODES = ("M", "F", "U")
ETHNICITY = (
    "White",
    "Mixed or Multiple ethnic groups",
    "Asian or Asian British",
    "Black, Black British, Caribbean or African",
    "Other ethnic group",
    "Not stated",
)

SPEC = Spec(
    name="magistrates",
    systems=("Libra", "Common Platform"),
    title="Magistrates' courts case records",
    owner="HMCTS",
    description=(
        "One row per defendant per case, from the magistrates' courts case management system "
        "(synthetic). defendant_name is 'SURNAME, Forename Middle'; address is free text with the "
        "postcode at the end; case_no is the court's case number."
    ),
    record_id="defendant_case_id",
    file_format="csv",
    delimiter=",",
    encoding="utf-8",
    columns=(
        "defendant_case_id",
        "case_no",
        "court",
        "hearing_date",
        "defendant_name",
        "dob",
        "age_at_hearing",
        "gender",
        "ethnicity",
        "address",
        "offence_code",
        "plea",
        "outcome",
    ),
    identifiers=(
        Identifier(
            "defendant_name",
            "full_name",
            order="surname_first",
            description="Defendant's name as 'SURNAME, Forename Middle names'",
        ),
        Identifier("dob", "date_of_birth", format=DATE, description="Defendant's date of birth"),
        Identifier(
            "gender",
            "sex",
            codes=(("M", "male"), ("F", "female"), ("U", "unknown")),
            description="Defendant's sex: M male, F female, U unknown",
        ),
        Identifier(
            "address",
            "address",
            description="Defendant's address as free text, postcode last when known",
        ),
        Identifier(
            "case_no",
            "operational_id",
            description="Court case number: court code, two-digit year, sequence number",
        ),
    ),
    attributes=(
        Attribute(
            "offence_code",
            "string",
            "criminal_offence",
            "Offence code of the principal offence (see reference/offences.csv for offence -> "
            "offence group -> offence category)",
            required=True,
        ),
        Attribute(
            "plea",
            "string",
            "criminal_offence",
            "Plea entered at the magistrates' court",
            values=PLEAS,
        ),
        Attribute(
            "outcome",
            "string",
            "criminal_offence",
            "Outcome of the case at the magistrates' court (sentence, committal or ending)",
            values=MAG_OUTCOMES,
            required=True,
        ),
        Attribute(
            "court",
            "string",
            "quasi_identifier",
            "Magistrates' court that heard the case",
            values=places.all_courts("magistrates"),
        ),
        Attribute(
            "hearing_date",
            "date",
            "quasi_identifier",
            "Date of the first hearing",
            format=DATE,
            required=True,
        ),
        Attribute(
            "ethnicity",
            "string",
            "special_category",
            "Ethnicity as recorded by the court (ONS 2021 top-level groups)",
            values=ETHNICITY,
        ),
        Attribute(
            "age_at_hearing",
            "integer",
            "quasi_identifier",
            "Age in whole years on the hearing date",
        ),
    ),
    invalid=Invalid(
        dob_column="dob",
        dob_format=DATE,
        sex_column="gender",
        bad_sex="X",
        date_column="hearing_date",
        date_format=DATE,
        value_column="plea",
        bad_value="G",
    ),
)


def build(pop: Population, careers: Careers, rng: np.random.Generator, log: ErrorLog,
          errors: Recording = DEFAULT_RECORDING) -> Table:
    cases = careers.magistrates
    order = date_order(rng, cases.hearing)
    person = cases.person[order]
    hearing = cases.hearing[order]
    rec = identity.render(pop, person, hearing, rng, log, SPEC.name, errors=errors)

    full_name = np.array(
        [
            f"{s.upper()}, {f} {m}" if m else f"{s.upper()}, {f}"
            for s, f, m in zip(
                rec.surname.tolist(), rec.forename.tolist(), rec.middle.tolist(), strict=True
            )
        ],
        dtype=object,
    )
    address = np.array(
        [
            f"{line}, {town} {pc}" if pc else f"{line}, {town}"
            for line, town, pc in zip(
                rec.line1.tolist(), rec.town.tolist(), rec.postcode.tolist(), strict=True
            )
        ],
        dtype=object,
    )
    court = town_lookup("magistrates")[rec.town_index]
    court_number = {name: 1000 + 37 * k for k, name in enumerate(places.all_courts("magistrates"))}
    year = dates.to_ymd(hearing)[0] % 100
    seq = _year_sequence(hearing)
    case_no = np.array(
        [
            f"{court_number[c]:04d}{y:02d}{s:06d}"
            for c, y, s in zip(court.tolist(), year.tolist(), seq.tolist(), strict=True)
        ],
        dtype=object,
    )
    columns = {
        "defendant_case_id": record_ids(rng, len(person), 3_000_001, 7),
        "case_no": case_no,
        "court": court,
        "hearing_date": dates.format_days(hearing, DATE),
        "defendant_name": identity.vary(full_name, rng, log, SPEC.name, errors=errors),
        "dob": dates.format_days(rec.dob, DATE),
        "age_at_hearing": dates.age_on(pop.dob[person], hearing),
        "gender": np.array(SEX_CODES, dtype=object)[rec.sex],
        "ethnicity": np.array(ETHNICITY, dtype=object)[rec.ethnicity],
        "address": identity.vary(address, rng, log, SPEC.name, errors=errors),
        "offence_code": offences.codes()[cases.offence[order]],
        "plea": np.array(PLEAS, dtype=object)[cases.plea[order]],
        "outcome": np.array(MAG_OUTCOMES, dtype=object)[cases.outcome[order]],
    }
    return Table(SPEC, columns, person)
