"""Places for the synthetic population: regions, towns with their postcode areas, courts, prisons,
probation regions and street names, written for this project.

Postcodes are built from real postcode *area* letters with random district, sector and unit, so they
are format-valid (outward ``A9``, ``A99``, ``AA9``, ``AA99``, ``A9A`` or ``AA9A``; inward ``9AA``)
but do not claim to be real delivery points.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

# Letters used in the unit part of the inward code (C, I, K, M, O and V are never used).
UNIT_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"


@dataclass(frozen=True)
class Town:
    name: str
    outwards: tuple[str, ...]


@dataclass(frozen=True)
class Region:
    name: str
    weight: float
    probation_region: str
    towns: tuple[Town, ...]
    magistrates: tuple[str, ...]
    crown: tuple[str, ...]
    family: tuple[tuple[str, str], ...]  # (court name, two-letter code used in case references)
    mens_prisons: tuple[str, ...]
    womens_prisons: tuple[str, ...]


def _districts(area: str, spec: str) -> tuple[str, ...]:
    """``"1-9"`` -> LS1..LS9; a space-separated list of explicit districts is used as written."""
    if "-" in spec and " " not in spec:
        low, high = (int(x) for x in spec.split("-"))
        return tuple(f"{area}{k}" for k in range(low, high + 1))
    return tuple(spec.split())


def _town(name: str, area: str, spec: str) -> Town:
    return Town(name, _districts(area, spec))


_LONDON_SW = "SW1A SW1E SW1H SW1P SW1V SW1W SW1X SW1Y " + " ".join(f"SW{k}" for k in range(2, 21))
_LONDON_W = "W1A W1B W1D W1F W1G W1H W1J W1K W1S W1T W1U W1W " + " ".join(
    f"W{k}" for k in range(2, 15)
)
_LONDON_E = "E1 E1W " + " ".join(f"E{k}" for k in range(2, 19))
_LONDON_N = "N1 N1C " + " ".join(f"N{k}" for k in range(2, 23))
_LONDON_EC = "EC1A EC1M EC1N EC1R EC1V EC1Y EC2A EC2M EC2N EC2R EC2V EC2Y EC3A EC3M EC3N EC3R"
_LONDON_WC = "WC1A WC1B WC1E WC1H WC1N WC1R WC1V WC1X WC2A WC2B WC2E WC2H WC2N WC2R"

# Each entry: Region(name, population weight, probation region, towns, magistrates' courts,
# Crown Court centres, family courts with their case-number codes, men's prisons, women's prisons).
REGIONS: tuple[Region, ...] = (
    Region(
        "North East",
        4.7,
        "North East",
        (
            _town("Newcastle upon Tyne", "NE", "1-15"),
            _town("Sunderland", "SR", "1-8"),
            _town("Middlesbrough", "TS", "1-10"),
            _town("Durham", "DH", "1-9"),
        ),
        (
            "Newcastle Magistrates' Court",
            "Sunderland Magistrates' Court",
            "Teesside Magistrates' Court",
            "Peterlee Magistrates' Court",
        ),
        ("Newcastle Crown Court", "Teesside Crown Court", "Durham Crown Court"),
        (("Newcastle Family Court", "NE"), ("Middlesbrough Family Court", "MB")),
        ("HMP Durham", "HMP Northumberland", "HMP Holme House"),
        ("HMP Low Newton",),
    ),
    Region(
        "North West",
        12.5,
        "North West",
        (
            _town("Manchester", "M", "1-40"),
            _town("Liverpool", "L", "1-30"),
            _town("Bolton", "BL", "1-9"),
            _town("Oldham", "OL", "1-16"),
            _town("Preston", "PR", "1-9"),
            _town("Blackpool", "FY", "1-8"),
            _town("Stockport", "SK", "1-17"),
            _town("Warrington", "WA", "1-16"),
        ),
        (
            "Manchester and Salford Magistrates' Court",
            "Liverpool and Knowsley Magistrates' Court",
            "Bolton Magistrates' Court",
            "Tameside Magistrates' Court",
            "Preston Magistrates' Court",
            "Blackpool Magistrates' Court",
            "Stockport Magistrates' Court",
            "Warrington Magistrates' Court",
        ),
        (
            "Manchester Crown Court (Crown Square)",
            "Manchester Crown Court (Minshull Street)",
            "Liverpool Crown Court",
            "Preston Crown Court",
            "Bolton Crown Court",
        ),
        (("Manchester Family Court", "MA"), ("Liverpool Family Court", "LV")),
        ("HMP Manchester", "HMP Liverpool", "HMP Forest Bank", "HMP Altcourse", "HMP Preston"),
        ("HMP Styal",),
    ),
    Region(
        "Yorkshire and the Humber",
        9.8,
        "Yorkshire and the Humber",
        (
            _town("Leeds", "LS", "1-29"),
            _town("Bradford", "BD", "1-24"),
            _town("Sheffield", "S", "1-36"),
            _town("Hull", "HU", "1-17"),
            _town("Wakefield", "WF", "1-17"),
            _town("Huddersfield", "HD", "1-9"),
            _town("Doncaster", "DN", "1-22"),
            _town("York", "YO", "1-32"),
        ),
        (
            "Leeds Magistrates' Court",
            "Bradford and Keighley Magistrates' Court",
            "Sheffield Magistrates' Court",
            "Hull and Holderness Magistrates' Court",
            "Wakefield Magistrates' Court",
            "Kirklees Magistrates' Court",
            "Doncaster Magistrates' Court",
            "York Magistrates' Court",
        ),
        ("Leeds Crown Court", "Bradford Crown Court", "Sheffield Crown Court", "Hull Crown Court"),
        (("Leeds Family Court", "LS"), ("Sheffield Family Court", "SH")),
        ("HMP Leeds", "HMP Doncaster", "HMP Hull", "HMP Moorland", "HMP Wakefield"),
        ("HMP New Hall", "HMP Askham Grange"),
    ),
    Region(
        "West Midlands",
        10.0,
        "West Midlands",
        (
            _town("Birmingham", "B", "1-48"),
            _town("Coventry", "CV", "1-12"),
            _town("Wolverhampton", "WV", "1-16"),
            _town("Stoke-on-Trent", "ST", "1-21"),
            _town("Walsall", "WS", "1-15"),
            _town("Dudley", "DY", "1-14"),
        ),
        (
            "Birmingham Magistrates' Court",
            "Coventry Magistrates' Court",
            "Wolverhampton Magistrates' Court",
            "North Staffordshire Justice Centre",
            "Walsall Magistrates' Court",
            "Dudley Magistrates' Court",
        ),
        (
            "Birmingham Crown Court",
            "Coventry Crown Court",
            "Wolverhampton Crown Court",
            "Stoke-on-Trent Crown Court",
        ),
        (("Birmingham Family Court", "BM"), ("Coventry Family Court", "CV")),
        ("HMP Birmingham", "HMP Hewell", "HMP Oakwood", "HMP Featherstone"),
        ("HMP Drake Hall",),
    ),
    Region(
        "East Midlands",
        8.5,
        "East Midlands",
        (
            _town("Nottingham", "NG", "1-25"),
            _town("Leicester", "LE", "1-19"),
            _town("Derby", "DE", "1-24"),
            _town("Northampton", "NN", "1-18"),
            _town("Lincoln", "LN", "1-13"),
        ),
        (
            "Nottingham Magistrates' Court",
            "Leicester Magistrates' Court",
            "Derby Magistrates' Court",
            "Northampton Magistrates' Court",
            "Lincoln Magistrates' Court",
        ),
        (
            "Nottingham Crown Court",
            "Leicester Crown Court",
            "Derby Crown Court",
            "Northampton Crown Court",
            "Lincoln Crown Court",
        ),
        (("Nottingham Family Court", "NG"), ("Leicester Family Court", "LE")),
        ("HMP Nottingham", "HMP Leicester", "HMP Lincoln", "HMP Ranby"),
        ("HMP Foston Hall",),
    ),
    Region(
        "East of England",
        11.0,
        "East of England",
        (
            _town("Norwich", "NR", "1-35"),
            _town("Cambridge", "CB", "1-11"),
            _town("Peterborough", "PE", "1-38"),
            _town("Ipswich", "IP", "1-33"),
            _town("Chelmsford", "CM", "1-24"),
            _town("Luton", "LU", "1-7"),
        ),
        (
            "Norwich Magistrates' Court",
            "Cambridge Magistrates' Court",
            "Peterborough Magistrates' Court",
            "Suffolk Magistrates' Court",
            "Chelmsford Magistrates' Court",
            "Luton and South Bedfordshire Magistrates' Court",
        ),
        (
            "Norwich Crown Court",
            "Cambridge Crown Court",
            "Peterborough Crown Court",
            "Ipswich Crown Court",
            "Chelmsford Crown Court",
            "Luton Crown Court",
        ),
        (("Norwich Family Court", "NR"), ("Chelmsford Family Court", "CF")),
        ("HMP Norwich", "HMP Peterborough", "HMP Chelmsford", "HMP Bedford"),
        ("HMP Peterborough",),
    ),
    Region(
        "London",
        15.8,
        "London",
        (
            _town("London", "E", _LONDON_E),
            _town("London", "N", _LONDON_N),
            _town("London", "NW", "1-11"),
            _town("London", "SE", "1-28"),
            _town("London", "SW", _LONDON_SW),
            _town("London", "W", _LONDON_W),
            _town("London", "EC", _LONDON_EC),
            _town("London", "WC", _LONDON_WC),
            _town("Croydon", "CR", "0-9"),
            _town("Bromley", "BR", "1-8"),
            _town("Harrow", "HA", "0-9"),
            _town("Romford", "RM", "1-20"),
            _town("Ilford", "IG", "1-11"),
            _town("Southall", "UB", "1-11"),
            _town("Twickenham", "TW", "1-20"),
            _town("Kingston upon Thames", "KT", "1-24"),
            _town("Enfield", "EN", "1-11"),
        ),
        (
            "Westminster Magistrates' Court",
            "Highbury Corner Magistrates' Court",
            "Thames Magistrates' Court",
            "Stratford Magistrates' Court",
            "Camberwell Green Magistrates' Court",
            "Croydon Magistrates' Court",
            "Bromley Magistrates' Court",
            "Uxbridge Magistrates' Court",
            "Wimbledon Magistrates' Court",
            "Willesden Magistrates' Court",
            "Barkingside Magistrates' Court",
        ),
        (
            "Central Criminal Court",
            "Southwark Crown Court",
            "Snaresbrook Crown Court",
            "Wood Green Crown Court",
            "Croydon Crown Court",
            "Isleworth Crown Court",
            "Inner London Crown Court",
            "Harrow Crown Court",
            "Kingston Crown Court",
        ),
        (
            ("Central Family Court", "ZC"),
            ("East London Family Court", "ZE"),
            ("West London Family Court", "ZW"),
        ),
        (
            "HMP Pentonville",
            "HMP Wandsworth",
            "HMP Brixton",
            "HMP Thameside",
            "HMP Belmarsh",
            "HMP Wormwood Scrubs",
            "HMP Isis",
        ),
        ("HMP Bronzefield", "HMP Downview"),
    ),
    Region(
        "South East",
        16.2,
        "South East and Eastern",
        (
            _town("Brighton", "BN", "1-27"),
            _town("Southampton", "SO", "14-53"),
            _town("Portsmouth", "PO", "1-22"),
            _town("Reading", "RG", "1-45"),
            _town("Oxford", "OX", "1-29"),
            _town("Maidstone", "ME", "1-20"),
            _town("Canterbury", "CT", "1-21"),
            _town("Guildford", "GU", "1-35"),
            _town("Milton Keynes", "MK", "1-19"),
        ),
        (
            "Brighton Magistrates' Court",
            "Southampton Magistrates' Court",
            "Portsmouth Magistrates' Court",
            "Reading Magistrates' Court",
            "Oxford Magistrates' Court",
            "Medway Magistrates' Court",
            "Canterbury Magistrates' Court",
            "Guildford Magistrates' Court",
            "Milton Keynes Magistrates' Court",
        ),
        (
            "Lewes Crown Court",
            "Southampton Crown Court",
            "Portsmouth Crown Court",
            "Reading Crown Court",
            "Oxford Crown Court",
            "Maidstone Crown Court",
            "Canterbury Crown Court",
            "Guildford Crown Court",
        ),
        (
            ("Brighton Family Court", "BN"),
            ("Reading Family Court", "RG"),
            ("Medway Family Court", "ME"),
        ),
        ("HMP Lewes", "HMP Winchester", "HMP Elmley", "HMP Bullingdon", "HMP Woodhill"),
        ("HMP Send", "HMP East Sutton Park"),
    ),
    Region(
        "South West",
        9.9,
        "South West",
        (
            _town("Bristol", "BS", "1-41"),
            _town("Plymouth", "PL", "1-35"),
            _town("Exeter", "EX", "1-39"),
            _town("Bournemouth", "BH", "1-25"),
            _town("Gloucester", "GL", "1-20"),
            _town("Swindon", "SN", "1-16"),
            _town("Taunton", "TA", "1-24"),
            _town("Bath", "BA", "1-16"),
        ),
        (
            "Bristol Magistrates' Court",
            "Plymouth Magistrates' Court",
            "Exeter Magistrates' Court",
            "Poole Magistrates' Court",
            "Gloucestershire Magistrates' Court",
            "Swindon Magistrates' Court",
            "Taunton Magistrates' Court",
        ),
        (
            "Bristol Crown Court",
            "Plymouth Crown Court",
            "Exeter Crown Court",
            "Bournemouth Crown Court",
            "Gloucester Crown Court",
            "Swindon Crown Court",
            "Taunton Crown Court",
        ),
        (("Bristol Family Court", "BS"), ("Plymouth Family Court", "PL")),
        ("HMP Bristol", "HMP Exeter", "HMP Channings Wood", "HMP Guys Marsh"),
        ("HMP Eastwood Park",),
    ),
    Region(
        "Wales",
        5.5,
        "Wales",
        (
            _town("Cardiff", "CF", "3-24"),
            _town("Swansea", "SA", "1-20"),
            _town("Newport", "NP", "10-20"),
            _town("Wrexham", "LL", "11-14"),
        ),
        (
            "Cardiff Magistrates' Court",
            "Swansea Magistrates' Court",
            "Newport (South Wales) Magistrates' Court",
            "Wrexham Magistrates' Court",
        ),
        ("Cardiff Crown Court", "Swansea Crown Court", "Newport Crown Court", "Mold Crown Court"),
        (("Cardiff Family Court", "CD"), ("Swansea Family Court", "SW")),
        ("HMP Cardiff", "HMP Swansea", "HMP Parc", "HMP Berwyn"),
        ("HMP Eastwood Park",),
    ),
)

STREETS = """
    Acacia Albert Alexandra Alma Ash Balmoral Beech Birch Bridge Broad Canal Castle Cedar Chapel
    Chester Church Clarence Coronation Cross Dale Derwent Duke Elm Fern Forest Garden George
    Gladstone Glebe Grange Green Grove Hall Hawthorn Hazel Heath High Highfield Hill Holly
    Kingsway Laburnum Lancaster Larch Lime Linden Manor Maple Market Meadow Mill Moor Mount Nelson
    New North Oak Orchard Oxford Park Pine Poplar Priory Princes Queen Queens Railway Rectory
    Regent Richmond Rose Rowan St John's St Mary's Sandringham School Silver Spring Springfield
    Station Stanley Sycamore Victoria Vicarage Warwick Water Wellington West Willow Windsor
    Woodland York Beaconsfield Bramble Brook Cherry Clifton Cromwell Darwin Denmark Eastfield
    Farm Foxglove Kingfisher Lavender Lowther Marlborough Milton Newport Nightingale Osborne
    Pembroke Primrose Rutland Shelley Thornhill Tennyson Trinity Wordsworth
"""

STREET_SUFFIXES = (
    "Road",
    "Street",
    "Avenue",
    "Lane",
    "Close",
    "Drive",
    "Crescent",
    "Way",
    "Grove",
    "Terrace",
    "Gardens",
    "Place",
    "Court",
    "Walk",
    "Hill",
    "View",
    "Rise",
    "Mews",
)
STREET_SUFFIX_WEIGHTS = (
    30,
    25,
    10,
    9,
    6,
    6,
    4,
    3,
    3,
    3,
    2,
    2,
    2,
    1,
    1,
    1,
    1,
    1,
)


@cache
def street_names() -> tuple[str, ...]:
    """Street name stems; ``St John's`` and ``St Mary's`` stay as two words."""
    words = STREETS.split()
    out: list[str] = []
    skip = False
    for k, word in enumerate(words):
        if skip:
            skip = False
            continue
        if word == "St" and k + 1 < len(words):
            out.append(f"St {words[k + 1]}")
            skip = True
        else:
            out.append(word)
    return tuple(out)


@cache
def towns() -> tuple[tuple[int, Town], ...]:
    """Every (region index, town) pair, in a fixed order."""
    return tuple((r, town) for r, region in enumerate(REGIONS) for town in region.towns)


@cache
def all_prisons() -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for region in REGIONS:
        for name in region.mens_prisons + region.womens_prisons:
            seen.setdefault(name, None)
    return tuple(seen)


@cache
def all_courts(kind: str) -> tuple[str, ...]:
    """Every court name of one kind: ``magistrates``, ``crown`` or ``family``."""
    seen: dict[str, None] = {}
    for region in REGIONS:
        if kind == "family":
            names = tuple(name for name, _ in region.family)
        else:
            names = getattr(region, kind)
        for name in names:
            seen.setdefault(name, None)
    return tuple(seen)


def probation_regions() -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for region in REGIONS:
        seen.setdefault(region.probation_region, None)
    return tuple(seen)
