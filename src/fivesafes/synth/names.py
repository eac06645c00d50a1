"""Name lists for the synthetic population, written for this project.

Forenames are listed per origin and sex in rough order of popularity; each carries an era tag
saying when it was most often given (``o`` born before 1965, ``m`` 1965-1989, ``y`` 1990 on,
``a`` any time). Surnames are listed per origin in rank order and weighted Zipf-like, so that the
common names are common (term frequency matters for linkage), with a long tail of rare English
place-style surnames built from parts. Nickname and spelling-variant groups feed the forename
recording errors.
"""

from __future__ import annotations

from functools import cache

import numpy as np

ORIGINS = ("anglo", "south_asian", "african", "arabic", "east_european", "east_asian")
ERAS = ("o", "m", "y")

_MALE = {
    "anglo": """
        James:a John:o David:m Michael:m Paul:m Mark:m Andrew:m Richard:m Robert:o Daniel:y
        Thomas:y Christopher:m Peter:o Stephen:m Matthew:m William:a Jack:y Joshua:y Ryan:y
        Lee:m Darren:m Gary:m Craig:m Jamie:y Liam:y Kevin:m Anthony:m Adam:y Jason:m Simon:m
        Scott:m Steven:m Lewis:y Luke:y Ian:m Martin:m Neil:m Dean:m Wayne:m Shaun:m Sean:m
        Connor:y Kieran:y Callum:y Jordan:y Nathan:y Samuel:y Benjamin:y Alexander:y Oliver:y
        Harry:y Charlie:y George:a Joseph:a Jonathan:m Nicholas:m Philip:m Brian:o Keith:o
        Kenneth:o Alan:o Colin:o Graham:o Trevor:o Barry:o Derek:o Raymond:o Terence:o
        Frederick:o Edward:a Henry:y Patrick:a Francis:o Gerald:o Lawrence:o Ronald:o Timothy:m
        Carl:m Karl:m Stuart:m Gavin:m Jeffrey:m Geoffrey:o Phillip:m Dominic:m Aaron:y Tyler:y
        Bradley:y Reece:y Kyle:y Brandon:y Jake:y Ethan:y Mason:y Owen:y Rhys:y Dylan:y
        Declan:y Ciaran:y Niall:m Conor:y Seán:m Éamon:o Dónal:o Rory:y Ewan:y Gareth:m
        Dafydd:m Ieuan:m Hamish:o Alistair:m Jean-Paul:m Billy-Joe:m D'Angelo:y Leon:y Marcus:m
        Tony:m Nathaniel:y Zachary:y Jacob:y Isaac:y Noah:y Leo:y Theo:y Freddie:y Archie:y
        Alfie:y Stanley:o Albert:o Arthur:a Ernest:o Walter:o Roy:o Dennis:o Malcolm:o Gordon:o
        Leslie:o Douglas:o Billy:m Danny:m Jimmy:m Mohammed:y José:m André:m
    """,
    "south_asian": """
        Mohammed:a Muhammad:a Mohammad:a Ali:a Ahmed:a Hassan:a Imran:m Amir:y Bilal:y Hamza:y
        Zain:y Usman:m Adil:m Tariq:m Asif:m Shahid:m Raj:m Sanjay:m Vikram:m Arjun:y Rahul:m
        Amit:m Harpreet:m Gurpreet:m Jaspal:o Sunil:m Ravi:m Kamran:m Faisal:m Ibrahim:y
        Yusuf:y Aryan:y Rohan:y Abdul:o Rizwan:m
    """,
    "african": """
        Kwame:a Kofi:a Chinedu:a Oluwaseun:y Tunde:m Adebayo:m Segun:m Ifeanyi:m Obinna:m
        Abdi:a Abdirahman:y Tendai:m Kwabena:m Femi:m Olumide:m Emeka:m Emmanuel:a Samuel:a
    """,
    "arabic": """
        Omar:a Khalid:a Ahmad:a Mahmoud:o Youssef:y Karim:m Samir:m Rami:y Nabil:m Hussein:a
        Mustafa:a Jamal:m
    """,
    "east_european": """
        Łukasz:y Piotr:m Tomasz:m Krzysztof:m Paweł:m Michał:y Marcin:m Andrzej:o Jakub:y
        Kamil:y Mateusz:y Adrian:y Ion:m Andrei:m Vasile:o Gheorghe:o Darius:y Mindaugas:m
        Tomas:m Jānis:m
    """,
    "east_asian": """
        Wei:a Jun:a Hao:y Ming:m Jian:m Tuan:m Minh:a Hung:m Duc:m Kenji:m Hiroshi:o Jin:y
    """,
}

_FEMALE = {
    "anglo": """
        Sarah:m Emma:m Laura:m Claire:m Nicola:m Lisa:m Rebecca:m Kelly:m Michelle:m Louise:m
        Jennifer:m Amy:y Rachel:m Hannah:y Jessica:y Samantha:m Stephanie:m Gemma:m Natalie:m
        Donna:m Joanne:m Elizabeth:a Margaret:o Mary:o Susan:o Patricia:o Linda:o Karen:m
        Julie:m Tracey:m Tracy:m Dawn:m Deborah:m Helen:m Catherine:a Katherine:a Kathryn:m
        Jacqueline:m Amanda:m Victoria:m Charlotte:y Emily:y Sophie:y Chloe:y Chloé:y Lauren:y
        Megan:y Jade:y Danielle:y Leanne:m Kirsty:m Stacey:m Natasha:m Zoë:y Zoe:y Ellie:y
        Olivia:y Grace:y Lucy:y Holly:y Abigail:y Bethany:y Courtney:y Paige:y Shannon:y
        Chelsea:y Georgia:y Amelia:y Isla:y Ava:y Mia:y Poppy:y Lily-Mae:y Anne-Marie:m
        Mary-Jane:m Billie-Jo:m Renée:m Siân:m Niamh:y Aoife:y Róisín:y Siobhan:m Caitlin:y
        Bronwen:o Rhiannon:m Carys:y Eileen:o Doreen:o Brenda:o Sandra:o Christine:o Janet:o
        Barbara:o Pauline:o Maureen:o Valerie:o Joan:o Jean:o Gillian:o Frances:o Teresa:m
        Theresa:o Angela:m Alison:m Andrea:m Wendy:m Sharon:m Joanna:m Kimberley:m Vicky:m
        Abbie:y Kayleigh:y Jasmine:y Leah:y Eleanor:y Isabel:y Isobel:y Josephine:o Pamela:o
        Carol:o Ruth:o Alice:y Evie:y Ruby:y Freya:y Maisie:y Hélène:m Noémie:y Ann:o Anne:o
        Jane:m Kate:m Katie:y Becky:m Jenny:m Sally:o Debbie:m Jackie:m Mandy:m Nikki:m
    """,
    "south_asian": """
        Fatima:a Aisha:y Ayesha:m Zainab:y Maryam:y Amina:a Nadia:m Sana:y Samina:m Shabana:m
        Nasreen:o Parveen:o Priya:m Anjali:m Sunita:m Kiran:m Harpreet:m Gurpreet:m Simran:y
        Pooja:m Neha:y Rukhsana:o Safiya:y Hafsa:y Iqra:y Anika:y Deepa:m Shazia:m Rubina:o
    """,
    "african": """
        Ama:a Abena:a Chioma:y Ngozi:m Funmilayo:m Adaeze:y Folasade:m Yetunde:m Amara:y Nia:y
        Hodan:a Fadumo:m Ifeoma:m Blessing:m Precious:y Grace:a Esther:a
    """,
    "arabic": """
        Layla:y Noor:y Yasmin:m Rania:m Huda:a Leila:m Mariam:a Salma:m Dina:m Amal:a Samira:m
        Lina:y
    """,
    "east_european": """
        Agnieszka:m Katarzyna:m Małgorzata:m Anna:a Magdalena:m Joanna:m Monika:m Ewa:o
        Justyna:m Aleksandra:y Ioana:y Elena:a Maria:a Andreea:y Jurgita:m Kristina:m
    """,
    "east_asian": """
        Mei:a Li:a Xin:y Yan:m Ling:m Lan:m Huong:m Mai:a Hoa:m Yuki:m Hana:y Min-ji:y
    """,
}

_SURNAMES = {
    "anglo": """
        Smith Jones Williams Taylor Brown Davies Evans Wilson Thomas Johnson Roberts Robinson
        Thompson Wright Walker White Edwards Hughes Green Hall Lewis Harris Clarke Jackson Wood
        Turner Martin Cooper Hill Ward Morris Moore Clark Lee King Baker Harrison Morgan Allen
        James Scott Phillips Watson Davis Parker Price Bennett Young Griffiths Mitchell Kelly
        Cook Carter Richardson Bailey Collins Bell Shaw Murphy Miller Cox Richards Marshall
        Anderson Simpson Ellis Adams Wilkinson Foster Chapman Powell Webb Rogers Gray Mason Hunt
        Campbell Matthews Owen Palmer Holmes Mills Barnes Knight Lloyd Butler Russell Barker
        Fisher Stevens Jenkins Murray Dixon Harvey Graham Pearson Fletcher Walsh Gibson Howard
        Andrews Stewart Elliott Reynolds Saunders Payne Fox Ford Pearce Day Brooks West Lawrence
        Cole Atkinson Bradley Spencer Gill Dawson Ball Burton O'Brien Watts Rose Booth Perry
        Ryan Grant Wells Armstrong Francis Rees Hayes Hart Hudson Newman Barrett Webster Hunter
        Gregory Carr Lowe Page Marsh Riley Dunn Woods Parsons Berry Stone Reid Holland Hawkins
        Harding Porter Robertson Newton Oliver Reed Kennedy Williamson Bird Gardner Dean Lane
        Cooke Bates Henderson Parry Burgess Bishop Walton Burns Nicholson Shepherd Ross Cross
        Long Freeman Warren Nicholls Hamilton Byrne Sutton McDonald Yates Hodgson Robson Curtis
        Hopkins O'Connor Harper Coleman Watkins Moss McCarthy Chambers O'Neill Griffin Sharp
        Hardy Wheeler Potter Osborne Johnston Gordon Doyle Wallace George Jordan Hutchinson Rowe
        Burke May Pritchard Gilbert Willis Higgins Read Miles Stevenson Stephenson Hammond
        Arnold Buckley Walters Hewitt Barber Nelson Slater Austin Sullivan Whitehead Mann Frost
        Lambert Stephens Blake Lynch Goodwin Barton Woodward Thomson Cunningham Quinn Barnett
        Baxter Clayton Nash Greenwood Jennings Holt Kemp Poole Gallagher Bond Stokes Tucker
        Davidson Fowler Heath Norman Middleton Lawson Banks French Stanley Jarvis Gibbs Ferguson
        Hayward Carroll Douglas Dickinson Todd Barlow Peters Lucas Knowles Hartley Simmons
        Morton Alexander Field Morrison Norris Townsend Preston Hancock Thornton Baldwin Burrows
        Briggs Storey Pugh MacDonald McKenzie O'Sullivan O'Reilly Fitzgerald Doherty McLaughlin
        Brennan Gallacher Kerr Fraser Morrow Duffy Boyle Nolan Kavanagh Devlin Connolly
        Smith-Jones Lloyd-Jones Price-Davies Ashley-Cooper
    """,
    "south_asian": """
        Patel Khan Singh Begum Ali Hussain Ahmed Kaur Shah Akhtar Bibi Miah Mahmood Iqbal Rahman
        Islam Sharma Kumar Mistry Chauhan Choudhury Uddin Malik Aslam Rashid Bashir Javed Sandhu
        Sidhu Dhillon Parmar Gupta D'Souza Fernandes
    """,
    "african": """
        Okafor Adeyemi Mensah Osei Boateng Owusu Okonkwo Adebayo Nwosu Eze Abubakar Mohamed Abdi
        Hassan Diallo Kamara Bangura Mutasa Asante Appiah Obi
    """,
    "arabic": """
        Al-Hashimi Haddad Nasser Mansour Saleh Aziz Hamdan Karimi Rahimi Hosseini Abbas El-Sayed
    """,
    "east_european": """
        Kowalski Nowak Wiśniewski Wójcik Kowalczyk Kamiński Lewandowski Zieliński Szymański
        Dąbrowski Popescu Ionescu Popa Stan Kazlauskas Jankauskas Horváth Novák Dvořák Bērziņš
    """,
    "east_asian": """
        Wang Li Zhang Chen Liu Yang Huang Zhao Wu Zhou Nguyen Tran Le Pham Kim Park Tanaka Sato
        Wong Chan Cheung Lam
    """,
}

# Rare English surnames are built from a first and a second part (Ashford, Blackwood, ...).
_TAIL_FIRST = """
    Ash Ayles Black Bram Brad Brook Bux Cald Carl Chad Clif Cold Crom Dal Dun Elm Fair Farn Fen
    Gar Green Hal Hart Hasle Hather Hol Holl Kirk Lang Lock Lyn Mar Mel Mid North Oak Pen Pres Rad
    Red Rod Salt Shel South Stan Stock Thorn Tod Wake Wal West Whit Win Wood Wyn Yar
"""
_TAIL_SECOND = """
    ford ley ton field worth by well wood ham shaw croft bridge combe more dale hurst stead wick
    thwaite bury cott den ridge low
"""

# Forename groups whose members are nicknames or spelling variants of one another.
NICKNAME_GROUPS = """
    William Bill Will Billy Liam Willie
    Robert Rob Bob Bobby Robbie
    Margaret Maggie Peggy Meg Marge
    Elizabeth Liz Beth Lizzie Betty Eliza Libby
    Jonathan Jon Jonny
    John Jack Johnny
    Stephen Steven Steve Stevie
    Catherine Katherine Kathryn Kate Katie Cathy Kat
    Michael Mike Mick Mickey
    James Jim Jimmy Jamie
    Thomas Tom Tommy
    Richard Rick Dick Rich Richie
    Christopher Chris Kit
    Anthony Tony Ant
    Daniel Dan Danny
    David Dave Davy
    Edward Ed Eddie Ted Ned
    Joseph Joe Joey
    Matthew Matt Mathew
    Nicholas Nick Nicky
    Patrick Pat Paddy
    Peter Pete
    Samuel Sam Sammy
    Benjamin Ben Benny
    Alexander Alex Sandy Xander
    Andrew Andy Drew
    Charles Charlie Chas
    Frederick Fred Freddie
    Henry Harry Hal
    Joshua Josh
    Kenneth Ken Kenny
    Lawrence Laurence Larry Laurie
    Nathan Nathaniel Nate Nat
    Oliver Ollie
    Philip Phillip Phil Pip
    Raymond Ray
    Ronald Ron Ronnie
    Timothy Tim Timmy
    Terence Terry Tel
    Gerald Gerard Gerry
    Jacob Jake
    Zachary Zach Zak
    Geoffrey Jeffrey Geoff Jeff
    Sean Seán Shaun Shawn
    Mohammed Muhammad Mohammad Mohamed Mo
    Abigail Abi Abby Abbie
    Amanda Mandy
    Barbara Babs
    Charlotte Lottie
    Christine Christina Chrissie Tina
    Deborah Debbie Debra Deb
    Eleanor Ellie Nell Nora
    Emily Em Emmy
    Jennifer Jen Jenny
    Jessica Jess Jessie
    Josephine Jo Josie
    Kimberley Kim
    Louise Lou Louisa
    Natalie Nat Tash
    Natasha Tasha Tash
    Pamela Pam
    Patricia Pat Trish Patsy
    Rebecca Becky Becca
    Samantha Sam Sammie
    Sarah Sara Sally Sadie
    Susan Sue Susie Suzanne
    Teresa Theresa Tess Terri
    Victoria Vicky Tori
    Zoë Zoe Zoey
    Aisha Ayesha
    Isabel Isobel Isabelle Izzy
    Ann Anne Annie
    Rachel Rachael
    Tracey Tracy
    Kirsty Kirsten Kirstie
    Siobhan Shivaun
    Chloe Chloé
    Jacqueline Jackie Jacqui
    Nicola Nicky Nikki
    Gillian Gill Jill
    Megan Meg
"""


def _parse_tagged(text: str) -> tuple[list[str], list[str]]:
    names, eras = [], []
    for item in text.split():
        name, era = item.rsplit(":", 1)
        names.append(name)
        eras.append(era)
    return names, eras


@cache
def forename_table(sex: int, origin: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The (names, era tags) of one origin for one sex (0 male, 1 female), in popularity order."""
    names, eras = _parse_tagged((_MALE if sex == 0 else _FEMALE)[origin])
    return tuple(names), tuple(eras)


@cache
def surname_table(origin: str) -> tuple[str, ...]:
    return tuple(_SURNAMES[origin].split())


@cache
def tail_surnames() -> tuple[str, ...]:
    return tuple(a + b for a in _TAIL_FIRST.split() for b in _TAIL_SECOND.split())


def forename_weights(eras: tuple[str, ...], era: str) -> np.ndarray:
    """Probabilities of each name for a person born in ``era`` (rank weight x era fit)."""
    rank = np.arange(len(eras), dtype=float)
    weight = 1.0 / (rank + 3.0) ** 0.65
    tags = np.array(eras)
    fit = np.where(tags == era, 3.0, np.where(tags == "a", 1.5, 0.25))
    weight = weight * fit
    return weight / weight.sum()


def surname_weights(count: int, exponent: float = 0.55) -> np.ndarray:
    """Zipf-like probabilities for a rank-ordered list (with the default exponent, the first of
    about 240 names is about 20 times as common as the last)."""
    weight = 1.0 / (np.arange(count, dtype=float) + 1.0) ** exponent
    return weight / weight.sum()


@cache
def variant_map() -> dict[str, tuple[str, ...]]:
    """Forename -> its nicknames and spelling variants (every other member of its groups)."""
    found: dict[str, set[str]] = {}
    for line in NICKNAME_GROUPS.strip().splitlines():
        group = line.split()
        for name in group:
            found.setdefault(name, set()).update(n for n in group if n != name)
    return {name: tuple(sorted(others)) for name, others in sorted(found.items())}


def all_forenames() -> list[str]:
    out: set[str] = set()
    for sex in (0, 1):
        for origin in ORIGINS:
            out.update(forename_table(sex, origin)[0])
    return sorted(out)


def all_surnames() -> list[str]:
    out: set[str] = set(tail_surnames())
    for origin in ORIGINS:
        out.update(surname_table(origin))
    return sorted(out)
