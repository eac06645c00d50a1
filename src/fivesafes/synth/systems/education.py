"""Education (a partner department's extract, not a justice source): pupil records (CSV).

One row per pupil per key stage assessment, in the style of a national pupil database: a key
stage 2 record at the end of primary school and a key stage 4 record at the end of compulsory
secondary school, for people of school age in the academic years 1995/96 to 2024/25 (most of
them, in or out of the justice system: a pupil who never offends is in it too). The department
records identifiers differently from the courts and prisons: the school knows the pupil's
preferred name, so nicknames are far more common; the date of birth comes from the birth
certificate at admission, so it is rarely wrong; the home postcode is the one on the school roll,
often an earlier address.

It is written apart from the justice extracts (``OUT/partner/``): the partner department sends
it through its own kit (``fivesafes partner prepare``), never through ``ingest``.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from .. import dates, identity
from ..identity import DEFAULT_RECORDING, ErrorLog
from ..population import Population
from ..rates import Recording
from .base import Attribute, Identifier, Invalid, Spec, Table, record_ids

DOB = "%Y-%m-%d"
SEX_CODES = ("1", "2", "9")
KEY_STAGES = ("KS2", "KS4")
#: Age at the start of the academic year of each key stage's assessment.
STAGE_AGE = {"KS2": 10, "KS4": 15}
FIRST_YEAR, LAST_YEAR = 1995, 2024  # academic years 1995/96 .. 2024/25
IN_DATABASE = 0.93  # pupils of state schools: the others are in no record of the department
KS2_RECORDED = 0.7  # share of pupils with a key stage 2 record as well
SEN = ("none", "SEN support", "EHC plan")
SEN_WEIGHTS = (0.83, 0.13, 0.04)
ATTAINMENT = ("below expected", "expected", "above expected")
FSM_RATE = 0.18
#: People in the education records but in no justice extract, as a share of the justice
#: population (most pupils never meet the justice system; this keeps the extract small)
OUTSIDERS = 0.4

SPEC = Spec(
    name="education",
    systems=("National Pupil Database",),
    title="Pupil key stage records",
    owner="DfE",
    description=(
        "One row per pupil per key stage assessment (synthetic): key stage 2 at the end of "
        "primary school, key stage 4 at the end of secondary school. Names are the pupil's "
        "preferred names as the school records them; gender is coded 1 male, 2 female, 9 not "
        "known; home_postcode is the postcode on the school roll."
    ),
    record_id="pupil_record_id",
    file_format="csv",
    columns=(
        "pupil_record_id",
        "preferred_forename",
        "preferred_surname",
        "birth_date",
        "gender_code",
        "home_postcode",
        "academic_year",
        "key_stage",
        "attainment",
        "fsm_eligible",
        "sen_provision",
        "fixed_term_exclusions",
    ),
    identifiers=(
        Identifier("preferred_forename", "forename", description="Preferred forename"),
        Identifier("preferred_surname", "surname", description="Preferred surname"),
        Identifier("birth_date", "date_of_birth", format=DOB, description="Date of birth"),
        Identifier("gender_code", "sex", codes=(("1", "male"), ("2", "female"), ("9", "unknown")),
                   description="Gender: 1 male, 2 female, 9 not known"),
        Identifier("home_postcode", "postcode", description="Home postcode on the school roll"),
    ),
    attributes=(
        Attribute("academic_year", "string", "quasi_identifier",
                  "Academic year of the assessment, e.g. 2009/10", required=True),
        Attribute("key_stage", "string", "other", "KS2 (end of primary) or KS4 (end of "
                  "secondary)", values=KEY_STAGES, required=True),
        Attribute("attainment", "string", "other", "Attainment against the expected standard",
                  values=ATTAINMENT),
        Attribute("fsm_eligible", "string", "special_category",
                  "Eligible for free school meals in the year (Y or N)", values=("Y", "N")),
        Attribute("sen_provision", "string", "special_category",
                  "Special educational needs provision", values=SEN),
        Attribute("fixed_term_exclusions", "integer", "other",
                  "Fixed-term exclusions in the academic year"),
    ),
    invalid=Invalid(dob_column="birth_date", dob_format=DOB, sex_column="gender_code",
                    bad_sex="3", date_column="birth_date", date_format=DOB,
                    value_column="key_stage", bad_value="KS9"),
)


def recording(errors: Recording) -> Recording:
    """The department's own error model, from the variant's: nicknames three times as common,
    dates of birth and sex rarely wrong, the postcode more often an earlier one."""
    return dataclasses.replace(
        errors, nickname=min(0.5, errors.nickname * 3), dob_swap=errors.dob_swap / 4,
        dob_digit=errors.dob_digit / 4, dob_missing=errors.dob_missing / 4,
        sex_wrong=errors.sex_wrong / 4, stale_address=min(0.6, errors.stale_address * 2),
        dob_placeholder=0.0, sparse_record=errors.sparse_record / 4)


def _academic_start(dob: np.ndarray, age: int) -> np.ndarray:
    """The first day (1 September) of the academic year a pupil starts at ``age``."""
    year, month, _ = dates.to_ymd(dob)
    start_year = year + age + (month >= 9).astype(np.int64)
    return dates.from_ymd(start_year, np.full_like(start_year, 9), np.ones_like(start_year))


def build(pop: Population, rng: np.random.Generator, log: ErrorLog,
          errors: Recording = DEFAULT_RECORDING) -> Table:
    errors = recording(errors)
    pupils = np.flatnonzero(rng.random(len(pop.dob)) < IN_DATABASE)
    persons, days, stages = [], [], []
    for stage in KEY_STAGES:
        start = _academic_start(pop.dob[pupils], STAGE_AGE[stage])
        year = dates.to_ymd(start)[0]
        keep = (year >= FIRST_YEAR) & (year <= LAST_YEAR)
        if stage == "KS2":
            keep &= rng.random(len(pupils)) < KS2_RECORDED
        persons.append(pupils[keep])
        days.append(start[keep])
        stages.append(np.full(int(keep.sum()), stage, dtype=object))
    person = np.concatenate(persons)
    day = np.concatenate(days)
    stage = np.concatenate(stages)
    order = np.lexsort((person, day))
    person, day, stage = person[order], day[order], stage[order]
    n = len(person)
    rec = identity.render(pop, person, day, rng, log, SPEC.name, ethnicity=False, errors=errors)
    year = dates.to_ymd(day)[0]
    deprived = rng.random(n) < FSM_RATE
    attainment = np.where(deprived, rng.choice(3, n, p=(0.45, 0.4, 0.15)),
                          rng.choice(3, n, p=(0.2, 0.5, 0.3)))
    columns = {
        "pupil_record_id": np.empty(n, dtype=object),  # numbered by combine()
        "preferred_forename": identity.vary(rec.forename, rng, log, SPEC.name, errors=errors),
        "preferred_surname": identity.vary(rec.surname, rng, log, SPEC.name, errors=errors),
        "birth_date": dates.format_days(rec.dob, DOB),
        "gender_code": np.array(SEX_CODES, dtype=object)[rec.sex],
        "home_postcode": rec.postcode,
        "academic_year": np.array([f"{y}/{(y + 1) % 100:02d}" for y in year.tolist()],
                                  dtype=object),
        "key_stage": stage,
        "attainment": np.array(ATTAINMENT, dtype=object)[attainment],
        "fsm_eligible": np.where(deprived, "Y", "N").astype(object),
        "sen_provision": np.array(SEN, dtype=object)[rng.choice(3, n, p=SEN_WEIGHTS)],
        "fixed_term_exclusions": np.where(rng.random(n) < 0.06, rng.integers(1, 6, n),
                                          0).astype(np.int64),
    }
    return Table(SPEC, columns, person)


def combine(inside: Table, outside: Table, rng: np.random.Generator) -> Table:
    """One extract of both tables' rows, in academic-year order, numbered afresh. Its
    ``person`` is the row's position in ``inside`` then ``outside`` (not a person index)."""
    columns = {name: np.concatenate([inside.columns[name], outside.columns[name]])
               for name in SPEC.columns}
    n = len(columns["academic_year"])
    order = np.argsort(columns["academic_year"].astype(str), kind="stable")
    columns = {name: values[order] for name, values in columns.items()}
    columns["pupil_record_id"] = record_ids(rng, n, 1, 9, prefix="P")
    return Table(SPEC, columns, np.arange(n)[order])
