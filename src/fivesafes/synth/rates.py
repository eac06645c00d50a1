"""Every rate the generator uses, named, so tests and documentation can quote them.

Recording-error rates are probabilities per record unless the comment says otherwise. Some apply
only where they can (a nickname needs a forename that has one; a day/month swap needs a day of 12
or less); the comment says which records are eligible.
"""

from __future__ import annotations

from dataclasses import dataclass

# --- Time window -------------------------------------------------------------------------------
FIRST_DATE = "2012-01-01"  # earliest hearing, issue, reception or supervision date
EXTRACT_DATE = "2024-12-31"  # the extracts were taken on this date: nothing later is recorded

# --- Population --------------------------------------------------------------------------------
FAMILY_ADULT_SHARE = 0.20  # people who are adult parties in family court and do not offend
FAMILY_FEMALE_SHARE = 0.58  # of those adults
OFFENDER_MALE_SHARE = 0.84  # of people with a criminal career
CHILD_LATER_OFFENDS = 0.25  # children in family cases who, once 18, have a criminal career
ETHNICITY_SHARES = (0.817, 0.029, 0.093, 0.040, 0.021)  # ONS 2021 E&W: White, Mixed, Asian,
#                                                          Black, Other ethnic group
MIDDLE_NAME_SHARE = 0.55  # people with at least one middle name
SECOND_MIDDLE_NAME_SHARE = 0.08  # of those, people with two
ADDRESS_COUNT_SHARES = (0.5, 0.33, 0.17)  # people with 1, 2 or 3 addresses over the window
MOVE_SAME_TOWN = 0.7  # a house move stays in the same town
SURNAME_CHANGE_FEMALE = 0.08  # per woman (outside couples): surname changes during the window
SURNAME_CHANGE_MALE = 0.01  # per man: surname changes during the window
DOUBLE_BARREL_SHARE = 0.15  # of surname changes: the new name is "Old-New"
DIVORCE_REVERT = 0.3  # women who revert to their birth surname after a divorce case
ALIAS_PERSON_RATE = 0.03  # people with a criminal career who also use an alias
ALIAS_USE_RATE = 0.3  # per record of such a person: the alias is recorded instead

# --- Criminal careers --------------------------------------------------------------------------
EXTRA_CASES_MEAN = 2.3  # magistrates' cases per offender are 1 + NegBin(mean 2.3, shape 0.55)
EXTRA_CASES_SHAPE = 0.55
MAX_CASES = 60
FAVOURITE_OFFENCE = 0.35  # a case repeats the person's habitual offence

# --- Recording errors (per record) -------------------------------------------------------------
NICKNAME_RATE = 0.06  # forename recorded as a nickname or variant (only forenames that have one)
NAME_TYPO_RATE = 0.02  # one typo in the forename or surname: insertion, deletion, substitution
#                        or transposition, equally likely
NAME_SWAP_RATE = 0.005  # forename and surname recorded the wrong way round
OLD_SURNAME_RATE = 0.10  # after a surname change: the old surname is still recorded
CASE_VARIATION_RATE = 0.03  # a name recorded all upper or all lower case against the convention
EXTRA_SPACE_RATE = 0.02  # a name or address with a doubled, leading or trailing space
DOB_MISSING_RATE = 0.01  # date of birth missing
DOB_SWAP_RATE = 0.05  # day and month swapped (only DOBs with day <= 12 and day != month)
DOB_DIGIT_RATE = 0.008  # one part of the DOB mistyped (day, month or year digit), still a date
SEX_MISSING_RATE = 0.01  # sex recorded as unknown (empty where the source has no unknown code)
SEX_WRONG_RATE = 0.002  # the other sex recorded
POSTCODE_MISSING_RATE = 0.03  # postcode (or whole address) missing
POSTCODE_TYPO_RATE = 0.01  # one character of the inward code mistyped (still format-valid)
STALE_ADDRESS_RATE = 0.2  # records dated after a house move that still carry the old address
ETHNICITY_NOT_STATED_RATE = 0.06  # ethnicity recorded as not stated
ETHNICITY_DIFFERENT_RATE = 0.02  # ethnicity recorded as a different group
NEW_PRISON_NUMBER_RATE = 0.03  # a prison reception where a known person gets a new number
NEW_CRN_RATE = 0.02  # a probation event where a known person gets a new CRN

# --- Invalid rows that ingest must quarantine --------------------------------------------------
INVALID_ROW_RATE = 0.001  # per source; at least MIN_INVALID_ROWS when a source has 500+ rows
MIN_INVALID_ROWS = 5

# --- Confusers: different people whose records look alike --------------------------------------
# Shares are of people with a criminal career who have no family-court role (the people most
# records are about); each such person anchors at most one group.
HOUSEHOLD_SHARE = 0.06  # anchors of a household: 1-2 more people with the same surname and home
HOUSEHOLD_PARTNER_SHARE = 0.4  # of household members: a partner (else a sibling)
PARTNER_TAKES_SURNAME = 0.6  # of partners: takes the anchor's surname on marriage in the window
TWIN_SHARE = 0.008  # anchors of a twin: same surname, date of birth and home
TWIN_SAME_INITIAL = 0.35  # of twins: forenames with the same initial
JUNIOR_SENIOR_SHARE = 0.005  # anchors of a junior/senior pair: same names and home, DOBs 20-40
#                              years apart
COMMON_NAME_SHARE = 0.03  # people given one of the very common forename + surname pairs
COMMON_NAME_SAME_DISTRICT = 0.4  # of those: living in the postcode district of another with the
#                                  same name
SPARSE_RECORD_RATE = 0.01  # per record: both date of birth and postcode missing (a bridge)


@dataclass(frozen=True)
class Confusers:
    """How often the generator makes people who are easily confused (0 turns a kind off)."""

    household: float = HOUSEHOLD_SHARE
    household_partner: float = HOUSEHOLD_PARTNER_SHARE
    partner_takes_surname: float = PARTNER_TAKES_SURNAME
    twin: float = TWIN_SHARE
    twin_same_initial: float = TWIN_SAME_INITIAL
    junior_senior: float = JUNIOR_SENIOR_SHARE
    common_name: float = COMMON_NAME_SHARE
    common_name_same_district: float = COMMON_NAME_SAME_DISTRICT


NO_CONFUSERS = Confusers(household=0.0, twin=0.0, junior_senior=0.0, common_name=0.0)


@dataclass(frozen=True)
class Recording:
    """Recording-error rates per record (see the constants above for what each means)."""

    nickname: float = NICKNAME_RATE
    name_typo: float = NAME_TYPO_RATE
    name_swap: float = NAME_SWAP_RATE
    old_surname: float = OLD_SURNAME_RATE
    case_variation: float = CASE_VARIATION_RATE
    extra_space: float = EXTRA_SPACE_RATE
    dob_missing: float = DOB_MISSING_RATE
    dob_swap: float = DOB_SWAP_RATE
    dob_digit: float = DOB_DIGIT_RATE
    sex_missing: float = SEX_MISSING_RATE
    sex_wrong: float = SEX_WRONG_RATE
    postcode_missing: float = POSTCODE_MISSING_RATE
    postcode_typo: float = POSTCODE_TYPO_RATE
    stale_address: float = STALE_ADDRESS_RATE
    sparse_record: float = SPARSE_RECORD_RATE
    # Kinds only the held-back variant uses by default:
    typo_ops: tuple[float, float, float, float] = (0.25, 0.25, 0.25, 0.25)  # insertion,
    #                                  deletion, substitution, transposition
    ocr: float = 0.0  # a name read by OCR: one look-alike substitution (rn -> m, O -> 0, ...)
    dob_placeholder: float = 0.0  # an unknown date of birth entered as 01/01 of the birth year
    dob_year_off: float = 0.0  # the year one off (a year of age miscounted)
    initial_only: float = 0.0  # the forename recorded as its initial only
    phonetic: float = 0.0  # the surname spelled as it sounds (PH/F, CK/K, double letters)


@dataclass(frozen=True)
class Variant:
    """A generator error model: its recording errors, its confusers and its default seed."""

    name: str
    seed: int
    recording: Recording
    confusers: Confusers
    description: str


DEFAULT = Variant(
    name="default",
    seed=1,
    recording=Recording(),
    confusers=Confusers(),
    description="the error model the linkage is developed against",
)

#: Never tune on this: a second error model with its own seed, for measuring only.
HELDBACK = Variant(
    name="heldback",
    seed=90_210,
    recording=Recording(
        nickname=0.10,
        name_typo=0.035,
        name_swap=0.002,
        old_surname=0.2,
        case_variation=0.05,
        extra_space=0.01,
        dob_missing=0.025,
        dob_swap=0.02,
        dob_digit=0.015,
        sex_missing=0.03,
        sex_wrong=0.004,
        postcode_missing=0.08,
        postcode_typo=0.02,
        stale_address=0.3,
        sparse_record=0.02,
        typo_ops=(0.15, 0.35, 0.4, 0.1),
        ocr=0.02,
        dob_placeholder=0.01,
        dob_year_off=0.01,
        initial_only=0.01,
        phonetic=0.01,
    ),
    confusers=Confusers(
        household=0.08,
        household_partner=0.5,
        partner_takes_surname=0.5,
        twin=0.01,
        twin_same_initial=0.5,
        junior_senior=0.008,
        common_name=0.04,
        common_name_same_district=0.5,
    ),
    description="held back: never tune the linkage on it; a different error model for measuring",
)

VARIANTS = {v.name: v for v in (DEFAULT, HELDBACK)}
