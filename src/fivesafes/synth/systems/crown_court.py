"""The Crown Court: one row per defendant per case (Parquet, all dates as ISO strings)."""

from __future__ import annotations

import numpy as np

from .. import dates, identity, offences, places
from ..identity import DEFAULT_RECORDING, ErrorLog
from ..pathways import PLEAS, SENTENCE_TYPES, VERDICTS, Careers
from ..population import Population
from ..rates import Recording
from .base import Attribute, Identifier, Invalid, Spec, Table, date_order, record_ids, town_lookup
from .base import year_sequence as _year_sequence

DATE = "%Y-%m-%d"
SEX_CODES = ("1", "2", "9")
ETHNICITY = ("White", "Mixed", "Asian", "Black", "Other", "Not stated")
FULL_FORENAMES_RATE = 0.1  # records whose forename column holds every given name

SPEC = Spec(
    name="crown_court",
    systems=("XHIBIT", "Common Platform"),
    title="Crown Court case records",
    owner="HMCTS",
    description=(
        "One row per defendant per case, from the Crown Court case system (synthetic). Cases "
        "reach the Crown Court from the magistrates' courts. postcode is held without its space; "
        "case_number is the T-number of the case; sex is coded 1 male, 2 female, 9 not known."
    ),
    record_id="case_defendant_id",
    file_format="parquet",
    columns=(
        "case_defendant_id",
        "case_number",
        "court_centre",
        "first_hearing_date",
        "sentence_date",
        "forename",
        "surname",
        "date_of_birth",
        "sex",
        "postcode",
        "ethnicity",
        "offence_code",
        "plea",
        "verdict",
        "sentence_type",
        "sentence_months",
    ),
    identifiers=(
        Identifier(
            "forename",
            "forename",
            description="Defendant's first name (sometimes every given name)",
        ),
        Identifier("surname", "surname", description="Defendant's surname"),
        Identifier(
            "date_of_birth", "date_of_birth", format=DATE, description="Defendant's date of birth"
        ),
        Identifier(
            "sex",
            "sex",
            codes=(("1", "male"), ("2", "female"), ("9", "unknown")),
            description="Defendant's sex: 1 male, 2 female, 9 not known",
        ),
        Identifier(
            "postcode", "postcode", description="Defendant's postcode, held without the space"
        ),
        Identifier(
            "case_number",
            "operational_id",
            description="Crown Court case number (T-number): T, year, sequence",
        ),
    ),
    attributes=(
        Attribute(
            "court_centre",
            "string",
            "quasi_identifier",
            "Crown Court centre that heard the case",
            values=places.all_courts("crown"),
        ),
        Attribute(
            "first_hearing_date",
            "date",
            "quasi_identifier",
            "Date of the first hearing in the Crown Court",
            format=DATE,
            required=True,
        ),
        Attribute(
            "sentence_date",
            "date",
            "quasi_identifier",
            "Date of sentence, or of the final hearing when there was no sentence; empty while "
            "the case is open",
            format=DATE,
        ),
        Attribute(
            "offence_code",
            "string",
            "criminal_offence",
            "Offence code of the principal offence (see reference/offences.csv)",
            required=True,
        ),
        Attribute(
            "plea",
            "string",
            "criminal_offence",
            "Plea entered in the Crown Court",
            values=PLEAS,
        ),
        Attribute(
            "verdict",
            "string",
            "criminal_offence",
            "How the case ended (guilty includes guilty pleas); empty while the case is open",
            values=VERDICTS,
        ),
        Attribute(
            "sentence_type",
            "string",
            "criminal_offence",
            "Sentence passed on conviction; empty if not convicted or not yet sentenced",
            values=SENTENCE_TYPES,
        ),
        Attribute(
            "sentence_months",
            "integer",
            "criminal_offence",
            "Length of a custodial or suspended sentence in months; empty otherwise",
        ),
        Attribute(
            "ethnicity",
            "string",
            "special_category",
            "Self-declared ethnicity (ONS 2021 top-level groups)",
            values=ETHNICITY,
        ),
    ),
    invalid=Invalid(
        dob_column="date_of_birth",
        dob_format=DATE,
        sex_column="sex",
        bad_sex="3",
        date_column="first_hearing_date",
        date_format=DATE,
        value_column="verdict",
        bad_value="hung jury",
    ),
)


def build(pop: Population, careers: Careers, rng: np.random.Generator, log: ErrorLog,
          errors: Recording = DEFAULT_RECORDING) -> Table:
    cases = careers.crown
    order = date_order(rng, cases.first_hearing)
    person = cases.person[order]
    first = cases.first_hearing[order]
    rec = identity.render(pop, person, first, rng, log, SPEC.name, errors=errors)

    full = rng.random(len(person)) < FULL_FORENAMES_RATE
    forename = np.array(
        [
            f"{f} {m}" if (w and m) else f
            for f, m, w in zip(rec.forename, rec.middle, full, strict=True)
        ],
        dtype=object,
    )
    postcode = np.array([pc.replace(" ", "") for pc in rec.postcode.tolist()], dtype=object)
    year = dates.to_ymd(first)[0]
    seq = _year_sequence(first)
    case_number = np.array(
        [f"T{y}{s:04d}" for y, s in zip(year.tolist(), seq.tolist(), strict=True)], dtype=object
    )
    verdict = cases.verdict[order]
    sentence_type = cases.sentence_type[order]
    columns = {
        "case_defendant_id": record_ids(rng, len(person), 10_000_001, 8),
        "case_number": case_number,
        "court_centre": town_lookup("crown")[rec.town_index],
        "first_hearing_date": dates.format_days(first, DATE),
        "sentence_date": dates.format_days(cases.final_day[order], DATE),
        "forename": identity.vary(forename, rng, log, SPEC.name, errors=errors),
        "surname": identity.vary(rec.surname, rng, log, SPEC.name, errors=errors),
        "date_of_birth": dates.format_days(rec.dob, DATE),
        "sex": np.array(SEX_CODES, dtype=object)[rec.sex],
        "postcode": postcode,
        "ethnicity": np.array(ETHNICITY, dtype=object)[rec.ethnicity],
        "offence_code": offences.codes()[cases.offence[order]],
        "plea": np.array(PLEAS, dtype=object)[cases.plea[order]],
        "verdict": np.where(verdict >= 0, np.array(VERDICTS, dtype=object)[verdict], ""),
        "sentence_type": np.where(
            sentence_type >= 0, np.array(SENTENCE_TYPES, dtype=object)[sentence_type], ""
        ),
        "sentence_months": cases.months[order],
    }
    return Table(SPEC, columns, person)
