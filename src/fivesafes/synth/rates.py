"""Every rate the generator uses, named, so tests and documentation can quote them.

Recording-error rates are probabilities per record unless the comment says otherwise. Some apply
only where they can (a nickname needs a forename that has one; a day/month swap needs a day of 12
or less); the comment says which records are eligible.
"""

from __future__ import annotations

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
