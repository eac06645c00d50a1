"""The offence hierarchy of the synthetic data: offence -> offence group -> offence category.

Codes are this project's own invention (two letters for the group, five digits). Each offence also
carries, for the generator only, how serious it is and how often it is charged; neither is written
to ``reference/offences.csv``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np

# Seriousness, which drives the magistrates' court outcome.
SUMMARY = 1  # summary only: dealt with by magistrates
EITHER_WAY = 2  # either way, usually kept by magistrates
SERIOUS = 3  # either way, often sent to the Crown Court
INDICTABLE = 4  # indictable only: always sent to the Crown Court

CATEGORIES = ("violent", "acquisitive", "drugs and weapons", "public order and other")


@dataclass(frozen=True)
class Offence:
    code: str
    offence: str
    group: str
    category: str
    seriousness: int
    weight: float


_GROUPS = {
    "VP": ("violence against the person", "violent"),
    "SX": ("sexual offences", "violent"),
    "RB": ("robbery", "violent"),
    "TH": ("theft offences", "acquisitive"),
    "BG": ("burglary", "acquisitive"),
    "FR": ("fraud offences", "acquisitive"),
    "CD": ("criminal damage and arson", "acquisitive"),
    "DR": ("drug offences", "drugs and weapons"),
    "WP": ("possession of weapons", "drugs and weapons"),
    "PO": ("public order offences", "public order and other"),
    "MT": ("motoring offences", "public order and other"),
    "MS": ("miscellaneous crimes against society", "public order and other"),
    "SN": ("summary non-motoring offences", "public order and other"),
}

# group prefix | offence | seriousness | relative frequency
_OFFENCES = """
VP|common assault|1|12
VP|assault occasioning actual bodily harm|2|6
VP|assault on an emergency worker|1|4
VP|wounding or inflicting grievous bodily harm|3|2
VP|wounding with intent to cause grievous bodily harm|4|0.6
VP|harassment|2|3
VP|stalking|2|1
VP|threats to kill|3|0.5
VP|controlling or coercive behaviour|3|1
VP|murder|4|0.05
VP|manslaughter|4|0.03
SX|sexual assault|3|1
SX|rape of a woman aged 16 or over|4|0.3
SX|exposure|2|0.5
SX|possession of indecent images of children|3|0.8
RB|robbery of personal property|4|1
RB|robbery of business property|4|0.3
RB|assault with intent to rob|4|0.2
TH|theft from a shop|1|15
TH|theft from the person|2|1
TH|theft of a motor vehicle|2|1
TH|theft from a motor vehicle|2|1.5
TH|theft by an employee|2|0.5
TH|handling stolen goods|2|1
TH|theft of a pedal cycle|2|0.6
TH|other theft|2|3
BG|burglary in a dwelling|3|2
BG|burglary in a building other than a dwelling|2|1.5
BG|aggravated burglary|4|0.1
BG|going equipped for stealing|2|0.4
FR|fraud by false representation|2|2
FR|fraud by abuse of position|3|0.3
FR|possession of articles for use in fraud|2|0.4
FR|failing to notify a change of circumstances|1|1
FR|making off without payment|1|1
CD|criminal damage to property valued under 5000 pounds|1|6
CD|criminal damage to property valued over 5000 pounds|2|0.5
CD|arson not endangering life|2|0.4
CD|arson endangering life|4|0.1
CD|racially or religiously aggravated criminal damage|2|0.2
DR|possession of a controlled drug - class A|2|2
DR|possession of cannabis|1|5
DR|possession with intent to supply a controlled drug - class A|3|1
DR|possession with intent to supply cannabis|2|0.8
DR|production of cannabis|2|0.7
DR|supplying a controlled drug - class A|3|0.8
DR|importation of a controlled drug|4|0.1
WP|possession of a knife or bladed article in a public place|2|2
WP|possession of an offensive weapon|2|1
WP|possession of a firearm with intent to endanger life|4|0.1
WP|threatening with a knife or offensive weapon|3|0.3
PO|using threatening, abusive or insulting words or behaviour|1|4
PO|causing harassment, alarm or distress|1|3
PO|affray|2|1
PO|violent disorder|3|0.3
PO|racially or religiously aggravated public order offence|2|0.6
PO|drunk and disorderly|1|2
MT|driving whilst disqualified|1|3
MT|driving with excess alcohol|1|6
MT|driving without insurance|1|6
MT|speeding|1|5
MT|dangerous driving|2|0.8
MT|causing death by dangerous driving|4|0.05
MT|failing to stop after an accident|1|1
MT|driving whilst unfit through drugs|1|1.5
MS|perverting the course of justice|4|0.2
MS|breach of a restraining order|2|2
MS|breach of a non-molestation order|2|1
MS|failure to comply with sex offender notification requirements|2|0.2
MS|possession of false identity documents|2|0.3
SN|TV licence evasion|1|4
SN|failure to surrender to bail|1|2
SN|obstructing a constable|1|0.5
SN|fare evasion|1|2
SN|failure to secure regular school attendance|1|1
"""


@cache
def offences() -> tuple[Offence, ...]:
    out: list[Offence] = []
    counters: dict[str, int] = {}
    group_number = {prefix: k + 1 for k, prefix in enumerate(_GROUPS)}
    for line in _OFFENCES.strip().splitlines():
        prefix, name, seriousness, weight = line.split("|")
        counters[prefix] = counters.get(prefix, 0) + 1
        code = f"{prefix}{group_number[prefix]:02d}{counters[prefix]:03d}"
        group, category = _GROUPS[prefix]
        out.append(Offence(code, name, group, category, int(seriousness), float(weight)))
    return tuple(out)


def codes() -> np.ndarray:
    return np.array([o.code for o in offences()], dtype=object)


def seriousness() -> np.ndarray:
    return np.array([o.seriousness for o in offences()], dtype=np.int8)


def probabilities() -> np.ndarray:
    weight = np.array([o.weight for o in offences()], dtype=float)
    return weight / weight.sum()


def reference_rows() -> list[list[str]]:
    """Rows of ``reference/offences.csv`` with its header first."""
    rows = [["offence_code", "offence", "offence_group", "offence_category"]]
    rows.extend([o.code, o.offence, o.group, o.category] for o in offences())
    return rows
