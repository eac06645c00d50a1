"""Prisons: one row per reception into custody (CSV, pipe-delimited, UTF-8, upper-case headers).

The prison number belongs to the person and is reused at every reception, except that now and then
a returning prisoner is not recognised and is given a new number.
"""

from __future__ import annotations

import numpy as np

from .. import dates, identity, offences, places, rates
from ..identity import DEFAULT_RECORDING, ErrorLog
from ..pathways import Careers
from ..population import FEMALE, Population
from ..rates import Recording
from .base import Attribute, Identifier, Invalid, Spec, Table, date_order, record_ids

DOB = "%Y%m%d"
DATE = "%Y-%m-%d"
SEX_CODES = ("M", "F", "")  # the system has no code for unknown: it is left empty
ETHNICITY = (
    "White",
    "Mixed",
    "Asian or Asian British",
    "Black or Black British",
    "Other",
    "Prefer not to say",
)
OUT_OF_AREA = 0.15  # receptions into a prison outside the home region

SPEC = Spec(
    name="prison",
    systems=("NOMIS",),
    title="Prison receptions",
    owner="HMPPS",
    description=(
        "One row per reception into prison on a sentence, from the prison case management system "
        "(synthetic). SURNAME is upper case; FORENAMES holds every given name; PRISON_NO is the "
        "person's prison number (A1234BC); POSTCODE is the address on reception."
    ),
    record_id="BOOKING_ID",
    file_format="csv",
    delimiter="|",
    encoding="utf-8",
    columns=(
        "BOOKING_ID",
        "PRISON_NO",
        "SURNAME",
        "FORENAMES",
        "DOB",
        "SEX",
        "ETHNICITY",
        "POSTCODE",
        "ESTABLISHMENT",
        "RECEPTION_DATE",
        "RELEASE_DATE",
        "SENTENCE_DAYS",
        "MAIN_OFFENCE",
        "AGE_ON_RECEPTION",
    ),
    identifiers=(
        Identifier("SURNAME", "surname", description="Prisoner's surname, upper case"),
        Identifier("FORENAMES", "forename", description="Prisoner's given names"),
        Identifier("DOB", "date_of_birth", format=DOB, description="Prisoner's date of birth"),
        Identifier(
            "SEX",
            "sex",
            codes=(("M", "male"), ("F", "female")),
            description="Prisoner's sex: M or F (empty when not recorded)",
        ),
        Identifier(
            "POSTCODE",
            "postcode",
            description="Postcode of the address given on reception, with or without the space",
        ),
        Identifier(
            "PRISON_NO",
            "operational_id",
            description="Prison number (A1234BC), kept by the person across sentences",
        ),
    ),
    attributes=(
        Attribute(
            "ESTABLISHMENT",
            "string",
            "quasi_identifier",
            "Prison the person was received into",
            values=places.all_prisons(),
            required=True,
        ),
        Attribute(
            "RECEPTION_DATE",
            "date",
            "quasi_identifier",
            "Date of reception into prison",
            format=DATE,
            required=True,
        ),
        Attribute(
            "RELEASE_DATE",
            "date",
            "quasi_identifier",
            "Date of release; empty if still in custody on the extract date",
            format=DATE,
        ),
        Attribute(
            "SENTENCE_DAYS",
            "integer",
            "criminal_offence",
            "Length of the sentence in days",
        ),
        Attribute(
            "MAIN_OFFENCE",
            "string",
            "criminal_offence",
            "Offence code of the main offence (see reference/offences.csv)",
        ),
        Attribute(
            "ETHNICITY",
            "string",
            "special_category",
            "Self-declared ethnicity on reception (ONS 2021 top-level groups)",
            values=ETHNICITY,
        ),
        Attribute(
            "AGE_ON_RECEPTION",
            "integer",
            "quasi_identifier",
            "Age in whole years on the reception date",
        ),
    ),
    invalid=Invalid(
        dob_column="DOB",
        dob_format=DOB,
        sex_column="SEX",
        bad_sex="U",
        date_column="RECEPTION_DATE",
        date_format=DATE,
        value_column="ESTABLISHMENT",
        bad_value="HMP Unknown",
    ),
)


def _establishments(rng: np.random.Generator, region: np.ndarray, sex: np.ndarray) -> np.ndarray:
    n = len(region)
    away = rng.random(n) < OUT_OF_AREA
    other = rng.integers(0, len(places.REGIONS), n)
    region = np.where(away, other, region)
    pick = rng.integers(0, 1000, n)
    out = np.empty(n, dtype=object)
    for r, place in enumerate(places.REGIONS):
        for female, estate in ((False, place.mens_prisons), (True, place.womens_prisons)):
            where = np.flatnonzero((region == r) & ((sex == FEMALE) == female))
            out[where] = np.array(estate, dtype=object)[pick[where] % len(estate)]
    return out


def build(pop: Population, careers: Careers, rng: np.random.Generator, log: ErrorLog,
          errors: Recording = DEFAULT_RECORDING) -> Table:
    spells = careers.prison
    order = date_order(rng, spells.reception)
    person = spells.person[order]
    reception = spells.reception[order]
    rec = identity.render(pop, person, reception, rng, log, SPEC.name, errors=errors)

    forenames = np.array(
        [
            f"{f} {m}" if m else f
            for f, m in zip(rec.forename.tolist(), rec.middle.tolist(), strict=True)
        ],
        dtype=object,
    )
    spaced = rng.random(len(person)) < 0.5
    postcode = np.array(
        [
            pc if keep else pc.replace(" ", "")
            for pc, keep in zip(rec.postcode.tolist(), spaced, strict=True)
        ],
        dtype=object,
    )
    number = pop.prison_number[person].copy()
    fresh = np.flatnonzero(rng.random(len(person)) < rates.NEW_PRISON_NUMBER_RATE)
    fresh = fresh[: len(pop.spare_prison_numbers)]
    number[fresh] = pop.spare_prison_numbers[: len(fresh)]
    log.add(SPEC.name, "new_prison_number", len(fresh))
    columns = {
        "BOOKING_ID": record_ids(rng, len(person), 400_001, 6),
        "PRISON_NO": number,
        "SURNAME": identity.vary(
            np.array([s.upper() for s in rec.surname.tolist()], dtype=object), rng, log, SPEC.name,
            errors=errors,
        ),
        "FORENAMES": identity.vary(forenames, rng, log, SPEC.name, errors=errors),
        "DOB": dates.format_days(rec.dob, DOB),
        "SEX": np.array(SEX_CODES, dtype=object)[rec.sex],
        "ETHNICITY": np.array(ETHNICITY, dtype=object)[rec.ethnicity],
        "POSTCODE": postcode,
        "ESTABLISHMENT": _establishments(rng, rec.region, pop.sex[person]),
        "RECEPTION_DATE": dates.format_days(reception, DATE),
        "RELEASE_DATE": dates.format_days(spells.release[order], DATE),
        "SENTENCE_DAYS": spells.days[order],
        "MAIN_OFFENCE": offences.codes()[spells.offence[order]],
        "AGE_ON_RECEPTION": dates.age_on(pop.dob[person], reception),
    }
    return Table(SPEC, columns, person)
