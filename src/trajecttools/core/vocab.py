"""Code lists of the domain with their Dutch labels.

Every categorical column in the store uses one of these lists; frames turn them into pandas
categoricals with exactly these categories, and forms show the Dutch labels.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Final

CodeList = MappingProxyType[str, str]


def _codes(**pairs: str) -> CodeList:
    return MappingProxyType(dict(pairs))


TARGET_GROUPS: Final = _codes(
    young_people="Jongeren (school naar werk)",
    over_45="45-plussers",
    work_disability="Mensen met een arbeidsbeperking",
    refugees="Vluchtelingen en statushouders",
    migrant_women="Vrouwen met een migratieachtergrond",
    long_term_benefit="Langdurig in de bijstand",
)

EDUCATION_LEVELS: Final = _codes(
    none="Geen diploma",
    primary="Basisonderwijs",
    vmbo="Vmbo / lager secundair",
    mbo1="Mbo-1 / entree",
    mbo2="Mbo-2",
    mbo3="Mbo-3",
    mbo4="Mbo-4 / hoger secundair",
    hbo="Hbo / bachelor",
    wo="Wo / master",
    foreign="Buitenlands diploma (niet gewaardeerd)",
)
#: Ordinal rank of each education level, for matching "level" and "below level".
EDUCATION_RANK: Final = MappingProxyType(
    {
        "none": 0,
        "primary": 1,
        "vmbo": 2,
        "mbo1": 2,
        "mbo2": 3,
        "mbo3": 4,
        "mbo4": 5,
        "hbo": 6,
        "wo": 7,
        "foreign": 2,
    }
)

SECTORS: Final = _codes(
    green="Groen en tuinonderhoud",
    cleaning="Schoonmaak",
    logistics="Logistiek en magazijn",
    hospitality="Horeca en catering",
    care="Zorg en welzijn",
    construction="Bouw en klussen",
    retail="Detailhandel",
    technology="Techniek en metaal",
    facility="Facilitaire dienstverlening",
    security="Toezicht en veiligheid",
    bicycle="Fietsenwerkplaats en -stalling",
    packaging="In- en ompakwerk",
    office="Administratie en kantoor",
)

BARRIER_DOMAINS: Final = _codes(
    health="Lichamelijke gezondheid",
    mental_health="Psychische gezondheid",
    addiction="Verslaving",
    family="Gezinssituatie",
    housing="Huisvesting",
    debts="Schulden",
    language="Taal",
    childcare="Kinderopvang",
    transport="Vervoer",
    justice="Justitie",
)
#: Barrier domains that are special-category data (AVG art. 9/10): never on a meeting screen
#: beyond the domain label.
SPECIAL_CATEGORY_DOMAINS: Final = frozenset({"health", "mental_health", "addiction", "justice"})

BARRIER_SEVERITIES: Final = MappingProxyType({1: "Licht", 2: "Matig", 3: "Ernstig"})
BARRIER_STATUSES: Final = _codes(open="Open", in_progress="In behandeling", resolved="Opgelost")
REFERRAL_STATUSES: Final = _codes(
    referred="Doorverwezen",
    in_care="In begeleiding",
    completed="Afgerond",
    stopped="Gestopt",
)

SKILL_KINDS: Final = _codes(
    diploma="Diploma",
    certificate="Certificaat",
    driving_licence="Rijbewijs",
    language="Taal",
    computer="Computervaardigheden",
    basic_work_skill="Basiswerknemersvaardigheid",
    motivation="Motivatie",
    work_experience="Werkervaring",
)
#: Levels 1-5 for skills that are scored (language, computer, basic work skills, motivation).
SKILL_LEVELS: Final = MappingProxyType(
    {1: "Onvoldoende", 2: "Matig", 3: "Voldoende", 4: "Goed", 5: "Uitstekend"}
)
BASIC_WORK_SKILLS: Final = _codes(
    punctuality="Op tijd komen",
    social="Sociale vaardigheden",
    communication="Communicatieve vaardigheden",
    reliability="Afspraken nakomen",
)

#: The 13 domains of the Zelfredzaamheidsmatrix (ZRM 2017), in the official order.
ZRM_DOMAINS: Final = _codes(
    finances="Financiën",
    work_education="Werk & opleiding",
    time_use="Tijdsbesteding",
    housing="Huisvesting",
    domestic_relations="Huiselijke relaties",
    mental_health="Geestelijke gezondheid",
    physical_health="Lichamelijke gezondheid",
    substance_use="Middelengebruik",
    basic_adl="Basale ADL",
    instrumental_adl="Instrumentele ADL",
    social_network="Sociaal netwerk",
    social_participation="Maatschappelijke participatie",
    justice="Justitie",
)
ZRM_LEVELS: Final = MappingProxyType(
    {
        1: "Acute problematiek",
        2: "Niet zelfredzaam",
        3: "Beperkt zelfredzaam",
        4: "Voldoende zelfredzaam",
        5: "Volledig zelfredzaam",
    }
)
#: ZRM domains that are special-category data (health, substance use, justice).
ZRM_SPECIAL_CATEGORY: Final = frozenset(
    {"mental_health", "physical_health", "substance_use", "justice"}
)

LADDER_RUNGS: Final = MappingProxyType(
    {
        1: "Geïsoleerd",
        2: "Sociale contacten buitenshuis",
        3: "Deelname georganiseerde activiteiten",
        4: "Onbetaald werk",
        5: "Betaald werk met ondersteuning",
        6: "Betaald werk",
    }
)

CONTACT_KINDS: Final = _codes(
    three_way="Driegesprek (overdracht)",
    intake="Intakegesprek",
    home_visit="Huisbezoek",
    progress="Voortgangsgesprek",
    weekly_review="Wekelijkse evaluatie werkplek",
    employer="Contact met werkgever",
    phone="Telefonisch contact",
    other="Overig",
)
AGREEMENT_PARTIES: Final = _codes(
    client="Klant",
    coach="Jobcoach",
    case_manager="Casemanager",
    employer="Werkgever",
    other="Anders",
)
AGREEMENT_STATUSES: Final = _codes(open="Open", kept="Nagekomen", not_kept="Niet nagekomen")

PLACEMENT_TYPES: Final = _codes(
    stepping_stone="Opstapbaan",
    trial="Proefplaatsing",
    secondment="Inleenvergoeding",
    wage_subsidy="Loonkostensubsidie",
    regular="Arbeidsovereenkomst zonder LKS",
    social_employment="Art. 60§7",
)
AFTERCARE_PARTIES: Final = _codes(employee="Werknemer", employer="Werkgever", both="Beiden")

OUTCOMES: Final = _codes(
    work="Werk (regulier, uitkeringsonafhankelijk)",
    other_route="Ander traject",
    education="Opleiding",
    dropped_out="Uitgevallen",
    moved="Verhuisd",
)

NETWORK_RELATIONS: Final = _codes(
    parent="Ouder",
    partner="Partner",
    sibling="Broer of zus",
    friend="Vriend(in)",
    family="Familielid",
    mentor="Mentor / school",
    other="Anders",
)

BENEFIT_KINDS: Final = _codes(
    social_assistance="Bijstand (Participatiewet)",
    unemployment="WW",
    disability="Arbeidsongeschiktheid (Wajong/WIA)",
    leefloon="Leefloon (OCMW)",
    none="Geen uitkering",
)

MATCH_STATUSES: Final = _codes(
    proposed="Voorgesteld",
    introduced="Voorgesteld aan werkgever",
    hired="Aangenomen",
    declined="Afgewezen",
)
MATCH_DECLINED_BY: Final = _codes(client="Klant", employer="Werkgever", coach="Jobcoach")

VACANCY_STATUSES: Final = _codes(open="Open", closed="Gesloten")
LANGUAGE_LEVELS: Final = _codes(A1="A1", A2="A2", B1="B1", B2="B2", C1="C1")

#: Common stages every method's phases map onto, so rules work across methods.
STAGES: Final = _codes(
    registration="Aanmelding",
    intake="Intake",
    preparation="Voorbereiding op werk",
    employment="Aan het werk",
    job_search="Zoeken naar een volgende job",
    aftercare="Nazorg",
    closed="Afgesloten",
)

SEVERITIES: Final = _codes(high="Hoog", medium="Middel", low="Laag")


def label(codes: CodeList | MappingProxyType[int, str], code: object) -> str:
    """Return the Dutch label of a code, or the code itself when it is unknown."""
    try:
        return str(codes[code])  # type: ignore[index]
    except KeyError:
        return str(code)
