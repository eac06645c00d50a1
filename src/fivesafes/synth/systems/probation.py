"""Probation: one row per period of supervision (Parquet).

The CRN belongs to the person and is reused for every period of supervision, except that now and
then a person is not recognised and is given a new CRN.
"""

from __future__ import annotations

import numpy as np

from .. import dates, identity, places, rates
from ..identity import DEFAULT_RECORDING, ErrorLog
from ..pathways import ORDER_TYPES, REQUIREMENTS, TIERS, Careers
from ..population import Population
from ..rates import Recording
from .base import Attribute, Identifier, Invalid, Spec, Table, date_order, record_ids

DOB = "%d/%m/%Y"
DATE = "%Y-%m-%d"
SEX_CODES = ("M", "F", "N")
ETHNICITY = ("W", "M", "A", "B", "O", "Z")

SPEC = Spec(
    name="probation",
    systems=("nDelius",),
    title="Probation supervision events",
    owner="HMPPS",
    description=(
        "One row per period of supervision by the Probation Service (synthetic): community "
        "orders, suspended sentence orders, licences after release from prison and "
        "post-sentence supervision. crn is the person's case reference number (X123456); gender "
        "is coded M, F or N (not known); the address is split into address_line_1, town and "
        "postcode."
    ),
    record_id="event_id",
    file_format="parquet",
    columns=(
        "event_id",
        "crn",
        "given_name",
        "family_name",
        "dob",
        "gender",
        "address_line_1",
        "town",
        "postcode",
        "region",
        "order_type",
        "requirement",
        "supervision_start",
        "supervision_end",
        "tier",
        "ethnicity",
    ),
    identifiers=(
        Identifier("given_name", "forename", description="First name"),
        Identifier("family_name", "surname", description="Surname"),
        Identifier("dob", "date_of_birth", format=DOB, description="Date of birth"),
        Identifier(
            "gender",
            "sex",
            codes=(("M", "male"), ("F", "female"), ("N", "unknown")),
            description="Sex: M male, F female, N not known",
        ),
        Identifier(
            "address_line_1", "address", description="First line of the address (house and street)"
        ),
        Identifier("town", "address", description="Town of the address"),
        Identifier("postcode", "postcode", description="Postcode of the address"),
        Identifier(
            "crn",
            "operational_id",
            description="Case reference number (X123456), kept by the person across orders",
        ),
    ),
    attributes=(
        Attribute(
            "region",
            "string",
            "quasi_identifier",
            "Probation region supervising the person",
            values=places.probation_regions(),
        ),
        Attribute(
            "order_type",
            "string",
            "criminal_offence",
            "The order or licence being supervised",
            values=ORDER_TYPES,
            required=True,
        ),
        Attribute(
            "requirement",
            "string",
            "criminal_offence",
            "Main requirement of a community or suspended sentence order; empty for licences",
            values=REQUIREMENTS,
        ),
        Attribute(
            "supervision_start",
            "date",
            "quasi_identifier",
            "Start of supervision",
            format=DATE,
            required=True,
        ),
        Attribute(
            "supervision_end",
            "date",
            "quasi_identifier",
            "End of supervision; empty if still supervised on the extract date",
            format=DATE,
        ),
        Attribute(
            "tier",
            "string",
            "criminal_offence",
            "Supervision tier: letter A-D for risk of serious harm (A highest), digit 0-3 for "
            "the level of need",
            values=TIERS,
        ),
        Attribute(
            "ethnicity",
            "string",
            "special_category",
            "Ethnicity code: W White, M Mixed, A Asian, B Black, O Other, Z not stated",
            values=ETHNICITY,
        ),
    ),
    invalid=Invalid(
        dob_column="dob",
        dob_format=DOB,
        sex_column="gender",
        bad_sex="X",
        date_column="supervision_start",
        date_format=DATE,
        value_column="order_type",
        bad_value="unknown order",
    ),
)


def build(pop: Population, careers: Careers, rng: np.random.Generator, log: ErrorLog,
          errors: Recording = DEFAULT_RECORDING) -> Table:
    events = careers.probation
    order = date_order(rng, events.start)
    person = events.person[order]
    start = events.start[order]
    rec = identity.render(pop, person, start, rng, log, SPEC.name, errors=errors)

    crn = pop.crn[person].copy()
    fresh = np.flatnonzero(rng.random(len(person)) < rates.NEW_CRN_RATE)
    fresh = fresh[: len(pop.spare_crns)]
    crn[fresh] = pop.spare_crns[: len(fresh)]
    log.add(SPEC.name, "new_crn", len(fresh))
    requirement = events.requirement[order]
    regions = np.array([r.probation_region for r in places.REGIONS], dtype=object)
    columns = {
        "event_id": record_ids(rng, len(person), 500_000_001, 9),
        "crn": crn,
        "given_name": identity.vary(rec.forename, rng, log, SPEC.name, errors=errors),
        "family_name": identity.vary(rec.surname, rng, log, SPEC.name, errors=errors),
        "dob": dates.format_days(rec.dob, DOB),
        "gender": np.array(SEX_CODES, dtype=object)[rec.sex],
        "address_line_1": identity.vary(rec.line1, rng, log, SPEC.name, errors=errors),
        "town": rec.town,
        "postcode": rec.postcode,
        "region": regions[rec.region],
        "order_type": np.array(ORDER_TYPES, dtype=object)[events.order_type[order]],
        "requirement": np.where(
            requirement >= 0, np.array(REQUIREMENTS, dtype=object)[requirement], ""
        ),
        "supervision_start": dates.format_days(start, DATE),
        "supervision_end": dates.format_days(events.end[order], DATE),
        "tier": np.array(TIERS, dtype=object)[events.tier[order]],
        "ethnicity": np.array(ETHNICITY, dtype=object)[rec.ethnicity],
    }
    return Table(SPEC, columns, person)
