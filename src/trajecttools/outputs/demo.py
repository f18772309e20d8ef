"""A reproducible synthetic case register: realistic routes, clearly fictional people.

:func:`generate` returns one DataFrame per table (ids and foreign keys included), built with
numpy/pandas only from ``numpy.random.default_rng(seed)``: the same size, seed and ``as_of`` give
identical frames. :func:`build` loads them into an empty :class:`~trajecttools.register.store.Store`.

The register follows the two built-in methods (``opstapbaan`` in the Dutch municipalities,
``art60`` in the Flemish ones). Most trajectories are on time; on ``as_of`` a few are late on
every deadline rule of their method, so each signal has something to show.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd

from trajecttools.core import vocab
from trajecttools.core.method import Method, load_method
from trajecttools.core.model import ENTITIES, Base

#: Family names are built from these parts, so every demo person is recognisably invented.
FICTIONAL_MARKERS: tuple[str, ...] = ("Proef", "Oefen", "Demo", "Voorbeeld", "Test")
_NAME_SUFFIXES = (
    "stra", "dijk", "mans", "inga", "hoven", "berg", "veld", "sma", "kamp", "ink", "huis",
    "broek", "aert", "voort", "ens", "hof",
)
_NL_INFIXES = ("van", "de", "van der", "van den", "ter")
_BE_INFIXES = ("Van", "De", "Vanden", "Van der", "Ver")

#: Tables :func:`generate` fills (everything but the audit log and the register facts).
TABLES: tuple[str, ...] = tuple(
    t.name for t in Base.metadata.sorted_tables
    if t.name in ENTITIES and t.name not in ("audit_log", "register_info")
)

NEVER = 1 << 40  # a day number meaning "does not happen"
_NONE = np.array(None, dtype=object)  # None for np.where
_LATER = NEVER // 2  # anything at or beyond this is NEVER plus some offset
_YEARS_BACK = 1095  # registrations span about three years before as_of

# -- places ---------------------------------------------------------------------------------
# (municipality, region, flemish, postcode low, postcode high, weight)
_MUNICIPALITIES: tuple[tuple[str, str, bool, int, int, float], ...] = (
    ("Amsterdam", "Groot Amsterdam", False, 1011, 1109, 9.0),
    ("Zaanstad", "Groot Amsterdam", False, 1501, 1567, 2.0),
    ("Amstelveen", "Groot Amsterdam", False, 1181, 1189, 1.2),
    ("Purmerend", "Groot Amsterdam", False, 1441, 1448, 1.0),
    ("Rotterdam", "Rijnmond", False, 3011, 3089, 8.0),
    ("Schiedam", "Rijnmond", False, 3111, 3125, 1.2),
    ("Vlaardingen", "Rijnmond", False, 3131, 3138, 1.1),
    ("Capelle aan den IJssel", "Rijnmond", False, 2901, 2909, 1.0),
    ("Utrecht", "Midden-Utrecht", False, 3511, 3585, 5.0),
    ("Nieuwegein", "Midden-Utrecht", False, 3430, 3439, 1.2),
    ("Zeist", "Midden-Utrecht", False, 3701, 3709, 1.0),
    ("Houten", "Midden-Utrecht", False, 3991, 3995, 0.7),
    ("Eindhoven", "Zuidoost-Brabant", False, 5611, 5658, 4.0),
    ("Helmond", "Zuidoost-Brabant", False, 5701, 5709, 1.5),
    ("Veldhoven", "Zuidoost-Brabant", False, 5501, 5509, 0.7),
    ("Geldrop-Mierlo", "Zuidoost-Brabant", False, 5661, 5667, 0.6),
    ("Groningen", "Groningen", False, 9711, 9747, 4.0),
    ("Midden-Groningen", "Groningen", False, 9601, 9649, 1.2),
    ("Het Hogeland", "Groningen", False, 9950, 9989, 0.8),
    ("Doetinchem", "Achterhoek", False, 7001, 7009, 1.2),
    ("Winterswijk", "Achterhoek", False, 7101, 7109, 0.8),
    ("Oost Gelre", "Achterhoek", False, 7137, 7161, 0.6),
    ("Aalten", "Achterhoek", False, 7121, 7123, 0.5),
    ("Antwerpen", "Antwerpen", True, 2000, 2660, 6.0),
    ("Mechelen", "Antwerpen", True, 2800, 2812, 1.5),
    ("Turnhout", "Antwerpen", True, 2300, 2300, 1.0),
    ("Gent", "Gent", True, 9000, 9052, 5.0),
    ("Aalst", "Gent", True, 9300, 9320, 1.5),
    ("Eeklo", "Gent", True, 9900, 9900, 0.5),
    ("Hasselt", "Limburg", True, 3500, 3512, 1.5),
    ("Genk", "Limburg", True, 3600, 3600, 1.5),
    ("Sint-Truiden", "Limburg", True, 3800, 3806, 0.8),
)
_FLEMISH_SHARE = 0.25
_POSTCODE_LETTERS = np.array(list("ABCDEGHJKLMNPRTVWXZ"))

# -- people ---------------------------------------------------------------------------------
_GIVEN = {
    ("native", "m"): (
        "Daan", "Sem", "Lucas", "Levi", "Thijs", "Jesse", "Bram", "Ruben", "Tim", "Lars",
        "Niels", "Kevin", "Jeroen", "Mark", "Peter", "Hans", "Wim", "Koen", "Stijn", "Pieter",
        "Jens", "Wout", "Arne", "Robbe", "Bart", "Dirk", "Sander", "Jan", "Rik", "Tom",
    ),
    ("native", "f"): (
        "Emma", "Julia", "Sophie", "Lotte", "Sanne", "Fleur", "Lisa", "Anouk", "Eva", "Femke",
        "Marieke", "Ingrid", "Els", "Anja", "Linda", "Kim", "Mieke", "Nina", "Lieke", "Ilse",
        "Hanne", "Lore", "Fien", "Noor", "Saskia", "Petra", "Karin", "Joke", "Britt", "Jolien",
    ),
    ("migrant", "m"): (
        "Mohamed", "Ahmed", "Youssef", "Omar", "Ali", "Hamza", "Bilal", "Mehmet", "Mustafa",
        "Emre", "Hasan", "Ibrahim", "Khalid", "Tesfay", "Yonas", "Abdi", "Samir", "Rachid",
        "Kofi", "Rajesh", "Tomasz", "Piotr", "Andrei", "Navid", "Farid", "Jamal", "Said",
        "Ayoub", "Dawit", "Murat",
    ),
    ("migrant", "f"): (
        "Fatima", "Aisha", "Sara", "Meryem", "Zeynep", "Amira", "Yasmina", "Nadia", "Khadija",
        "Elif", "Hiba", "Layla", "Samira", "Amal", "Selam", "Hawa", "Noura", "Leila", "Asma",
        "Rania", "Malika", "Ilham", "Saida", "Agnieszka", "Marta", "Priya", "Esra", "Hatice",
        "Dilan", "Mariam",
    ),
}
_TARGET_GROUPS = tuple(vocab.TARGET_GROUPS)
# target group shares: Dutch municipalities, Flemish municipalities
_TG_P_NL = (0.28, 0.15, 0.14, 0.13, 0.10, 0.20)
_TG_P_BE = (0.25, 0.12, 0.10, 0.18, 0.12, 0.23)
# age at registration (low, high) per target group
_AGE = {"young_people": (16, 27), "over_45": (45, 64)}
_AGE_DEFAULT = (20, 60)
_MIGRANT_P = {"refugees": 1.0, "migrant_women": 1.0, "young_people": 0.35}
_MIGRANT_DEFAULT = 0.25

_EDU = tuple(vocab.EDUCATION_LEVELS)
_EDU_P = {  # per target group, over _EDU order
    "young_people": (0.08, 0.00, 0.22, 0.25, 0.25, 0.12, 0.06, 0.02, 0.00, 0.00),
    "over_45": (0.05, 0.08, 0.25, 0.00, 0.22, 0.18, 0.12, 0.08, 0.02, 0.00),
    "work_disability": (0.15, 0.15, 0.30, 0.15, 0.15, 0.07, 0.03, 0.00, 0.00, 0.00),
    "refugees": (0.15, 0.12, 0.00, 0.12, 0.06, 0.00, 0.00, 0.05, 0.00, 0.50),
    "migrant_women": (0.20, 0.20, 0.20, 0.10, 0.10, 0.00, 0.00, 0.00, 0.00, 0.20),
    "long_term_benefit": (0.12, 0.10, 0.28, 0.12, 0.18, 0.10, 0.07, 0.03, 0.00, 0.00),
}
# (education field, the sector it leads to)
_FIELDS: tuple[tuple[str, str], ...] = (
    ("Zorg en welzijn", "care"),
    ("Techniek", "technology"),
    ("Economie en administratie", "office"),
    ("Horeca en bakkerij", "hospitality"),
    ("Logistiek", "logistics"),
    ("Groen", "green"),
    ("Bouw en infra", "construction"),
    ("Handel en verkoop", "retail"),
    ("ICT", "office"),
    ("Beveiliging", "security"),
    ("Facilitaire dienstverlening", "facility"),
    ("Schoonmaak", "cleaning"),
)
_DIPLOMA_NL = {
    "vmbo": "Vmbo-diploma", "mbo1": "Mbo-1 (entree)", "mbo2": "Mbo-2", "mbo3": "Mbo-3",
    "mbo4": "Mbo-4", "hbo": "Hbo-bachelor", "wo": "Wo-master",
    "foreign": "Buitenlands diploma (niet gewaardeerd)",
}
_DIPLOMA_BE = {
    "vmbo": "Getuigschrift tweede graad", "mbo1": "Getuigschrift BSO", "mbo2": "Getuigschrift BSO",
    "mbo3": "Diploma secundair onderwijs", "mbo4": "Diploma secundair onderwijs",
    "hbo": "Bachelor", "wo": "Master", "foreign": "Buitenlands diploma (niet gelijkgesteld)",
}

_SECTORS = tuple(vocab.SECTORS)
_SECTOR_P = np.array([10, 10, 12, 9, 9, 7, 10, 7, 5, 4, 3, 6, 8], dtype=float)
_WISH_BY_SECTOR = {
    "green": "Wil graag buiten werken, bijvoorbeeld in het groen.",
    "cleaning": "Schoonmaakwerk lijkt me prima, liefst overdag.",
    "logistics": "Wil in een magazijn werken en heeft interesse in heftruck rijden.",
    "hospitality": "Wil in de keuken of in de bediening werken.",
    "care": "Wil mensen helpen; denkt aan zorg of welzijn.",
    "construction": "Werkt graag met de handen: klussen of bouw.",
    "retail": "Wil in een winkel werken, vakkenvullen of aan de kassa.",
    "technology": "Heeft interesse in techniek en metaal en wil een vak leren.",
    "facility": "Facilitair werk, bijvoorbeeld receptie of postkamer.",
    "security": "Wil graag als toezichthouder of in de beveiliging werken.",
    "bicycle": "Sleutelt graag aan fietsen.",
    "packaging": "Rustig in- en ompakwerk met vaste taken.",
    "office": "Wil administratief werk op een kantoor doen.",
}
_WISH_EXTRA = (
    "", "", " Liefst parttime vanwege de kinderen.", " Wil niet verder dan 30 minuten reizen.",
    " Wil graag een vast contract.", " Wil eerst de taal beter leren.",
    " Werkt graag samen met collega's.", " Wil vroeg beginnen en 's middags vrij zijn.",
)
#: Wished hours a week and how often each is wished.
_HOURS_WISHED = np.array([16, 20, 24, 28, 32, 36, 38])
_HOURS_WISHED_P = np.array([0.08, 0.14, 0.20, 0.16, 0.22, 0.14, 0.06])
_WISH_NONE = "Weet nog niet wat voor werk past; wil eerst ontdekken waar de kansen liggen."

_NETWORK_NOTES = {
    "parent": ("Moeder denkt mee over een passende werkplek.",
               "Vader was bij het intakegesprek.",
               "Ouders willen graag betrokken blijven bij het traject."),
    "partner": ("Partner steunt de werkhervatting en regelt de kinderopvang.",
                "Partner werkt zelf in de logistiek; kent werkgevers in de regio."),
    "sibling": ("Broer helpt met vervoer naar het werk.",),
    "friend": ("Vriendin gaat mee naar sollicitatiegesprekken.",),
    "family": ("Oom heeft een klusbedrijf; mogelijk een werkervaringsplek.",),
    "mentor": ("Mentor van school houdt contact (alumni).",),
    "other": ("Buurman is vrijwilliger in het buurthuis.",),
}
_LANG_MIGRANT = ("Arabisch", "Turks", "Tamazight", "Pools", "Engels", "Papiaments")
_LANG_REFUGEE = ("Arabisch", "Tigrinya", "Dari", "Somalisch", "Oekraïens")

# -- work -----------------------------------------------------------------------------------
# The "onderdelen" of the social work company in seed 004, with the sector each works in.
_SDW_UNITS: tuple[tuple[str, str], ...] = (
    ("Inbraakpreventie", "security"),
    ("Klussendienst", "construction"),
    ("Tuinonderhoud", "green"),
    ("Wijkonderhoud", "green"),
    ("Schoonmaakonderhoud", "cleaning"),
    ("Huishoudelijke dienst", "cleaning"),
    ("Catering en partyservice", "hospitality"),
    ("Toezicht en veiligheid", "security"),
    ("Fietsenstalling", "bicycle"),
    ("Fietsenwerkplaats", "bicycle"),
    ("Social sofa's", "construction"),
    ("In- en ompakwerk", "packaging"),
)
_SECTOR_WORD = {
    "green": "Groenvoorziening", "cleaning": "Schoonmaakdiensten", "logistics": "Logistiek",
    "hospitality": "Horeca", "care": "Zorggroep", "construction": "Bouw", "retail": "Supermarkt",
    "technology": "Metaaltechniek", "facility": "Facilitair", "security": "Beveiliging",
    "bicycle": "Tweewielers", "packaging": "Verpakkingen", "office": "Administratiekantoor",
}
_COMPANY_SUFFIX_NL = ("B.V.", "B.V.", "& Zn.", "Groep", "")
_COMPANY_SUFFIX_BE = ("bv", "nv", "vzw", "")
_JOB_TITLES = {
    "green": ("Medewerker groenvoorziening", "Hovenier"),
    "cleaning": ("Schoonmaker", "Glazenwasser"),
    "logistics": ("Magazijnmedewerker", "Orderpicker", "Heftruckchauffeur"),
    "hospitality": ("Keukenhulp", "Medewerker bediening", "Afwasser"),
    "care": ("Helpende zorg en welzijn", "Medewerker facilitair in de zorg"),
    "construction": ("Bouwplaatsmedewerker", "Klusjesman"),
    "retail": ("Vakkenvuller", "Kassamedewerker"),
    "technology": ("Productiemedewerker metaal", "Assistent monteur"),
    "facility": ("Receptiemedewerker", "Medewerker postkamer"),
    "security": ("Toezichthouder", "Beveiliger"),
    "bicycle": ("Fietsenmaker", "Medewerker fietsenstalling"),
    "packaging": ("Inpakker", "Productiemedewerker"),
    "office": ("Administratief medewerker", "Medewerker klantenservice"),
}
# required skills per sector (variants); every name also occurs among clients' skills
_REQUIRED = {
    "logistics": ((), ("Heftruckcertificaat",), ("Heftruckcertificaat", "VCA")),
    "construction": (("VCA",), ("VCA",), ()),
    "technology": (("VCA",), (), ()),
    "hospitality": (("HACCP",), (), ()),
    "green": ((), ("VCA",), ()),
    "facility": ((), ("BHV",), ()),
    "security": (("BHV",), (), ()),
}
_WISHED = (
    (), ("Rijbewijs B",), ("Basisvaardigheden computer",), ("BHV",),
    ("Op tijd komen", "Sociale vaardigheden"), ("Rijbewijs B", "VCA"),
)
_CERTIFICATES = (("VCA", 0.12), ("Heftruckcertificaat", 0.07), ("HACCP", 0.06), ("BHV", 0.05))
_WORK_EXPERIENCE = (
    "Werkervaring magazijn (2 jaar)", "Werkervaring schoonmaak (1 jaar)",
    "Werkervaring horeca (bijbaan)", "Werkervaring productie (3 jaar)",
    "Werkervaring detailhandel (bijbaan)", "Vrijwilligerswerk buurthuis",
)

# -- texts ----------------------------------------------------------------------------------
_BARRIER_DOMAINS = tuple(vocab.BARRIER_DOMAINS)
_BARRIER_W = {  # over _BARRIER_DOMAINS order
    "young_people": (4, 10, 4, 8, 6, 9, 2, 1, 5, 4),
    "over_45": (12, 6, 2, 4, 3, 6, 2, 0.5, 5, 1),
    "work_disability": (14, 10, 2, 4, 3, 4, 2, 1, 6, 1),
    "refugees": (5, 8, 1, 5, 7, 5, 16, 3, 5, 0.5),
    "migrant_women": (5, 5, 0.5, 7, 4, 5, 14, 12, 6, 0.2),
    "long_term_benefit": (8, 9, 5, 5, 6, 12, 3, 3, 4, 3),
}
_BARRIER_COUNT_P = (0.20, 0.32, 0.28, 0.14, 0.06)
_BARRIER_NOTES = {
    "health": "Rugklachten (fictief voorbeeld); kan niet lang staan of zwaar tillen.",
    "mental_health": "Somberheidsklachten (fictief voorbeeld); heeft baat bij vaste structuur.",
    "addiction": "Gebruik van cannabis (fictief voorbeeld); wil minderen.",
    "family": "Zorgt voor een zieke ouder (fictief voorbeeld).",
    "housing": "Woont tijdelijk bij familie; zoekt eigen woonruimte.",
    "debts": "Betalingsachterstanden bij zorgverzekeraar en energie.",
    "language": "Spreekt en leest nog weinig Nederlands.",
    "childcare": "Geen opvang voor twee jonge kinderen.",
    "transport": "Geen vervoer; werkplek slecht bereikbaar met openbaar vervoer.",
    "justice": "Taakstraf loopt nog (fictief voorbeeld).",
}
_AGENCY_NL = {
    "health": "Huisarts", "mental_health": "GGZ", "addiction": "Verslavingszorg",
    "family": "Maatschappelijk werk", "housing": "Woningcorporatie",
    "debts": "Schuldhulpverlening", "language": "Taalhuis", "childcare": "Kinderopvang",
    "transport": "Mobiliteitsloket", "justice": "Reclassering",
}
_AGENCY_BE = {
    "health": "Huisarts", "mental_health": "CGG (geestelijke gezondheidszorg)",
    "addiction": "CAD (alcohol- en drugproblemen)", "family": "CAW (algemeen welzijnswerk)",
    "housing": "Sociaal verhuurkantoor", "debts": "Schuldbemiddeling OCMW",
    "language": "Huis van het Nederlands", "childcare": "Kinderopvang",
    "transport": "Mobiliteitspunt", "justice": "Justitiehuis",
}
# barrier domain -> ZRM domain it lowers at intake
_BARRIER_ZRM = {
    "health": "physical_health", "mental_health": "mental_health", "addiction": "substance_use",
    "family": "domestic_relations", "housing": "housing", "debts": "finances",
    "language": "social_participation", "childcare": "time_use",
    "transport": "instrumental_adl", "justice": "justice",
}

_CONTACT_NOTES = {
    "three_way": "Kennismaking en uitleg traject; trajectplan besproken en ondertekend.",
    "intake": "Intake: mogelijkheden en belemmeringen in kaart; actieplan opgesteld.",
    "home_visit": "Huisbezoek; sociale omgeving betrokken bij het traject.",
    "progress": "Voortgang besproken; sollicitaties en cv bijgewerkt.",
    "weekly_review": "Functioneren op de werkplek besproken met de werkconsulent.",
    "employer": "Werkgever tevreden over inzet; gesproken over contract.",
    "phone": "Telefonisch contact; klant komt volgende week langs.",
    "other": "Beeldbellen over de planning van de komende weken.",
}
_CONTACT_NOTES_EXTRA = (
    "Klant is gemotiveerd en komt op tijd.",
    "Klant had het zwaar deze week; afspraak over rustiger rooster.",
    "Gesproken over de wensen van de klant en de vacatures in de regio.",
    "Klant heeft een vacature gevonden en wil solliciteren.",
)
_LOCATIONS = {
    "three_way": ("Kantoor gemeente",), "intake": ("Thuis bij klant", "Buurthuis", "Wijkcentrum"),
    "home_visit": ("Thuis bij klant",), "progress": ("Kantoor", "Werkplek", "Buurthuis"),
    "weekly_review": ("Werkplek sociaal werkbedrijf",), "employer": ("Bij de werkgever",),
    "phone": (None,), "other": ("Online",),
}
_PARTICIPANTS = {
    "three_way": "Klant, jobcoach, casemanager", "intake": "Klant, jobcoach",
    "home_visit": "Klant, jobcoach", "progress": "Klant, jobcoach",
    "weekly_review": "Klant, jobcoach, werkconsulent", "employer": "Jobcoach, werkgever",
    "phone": "Klant, jobcoach", "other": "Klant, jobcoach",
}
_INTAKE_COMPANIONS = ("moeder", "vader", "partner", "zus", "vriendin", "oom")
_GENERIC_KINDS = ("progress", "phone", "home_visit", "employer", "other")
_GENERIC_KIND_P = (0.55, 0.25, 0.07, 0.09, 0.04)

_AGREEMENTS: tuple[tuple[str, str], ...] = (
    ("Cv bijwerken en naar de jobcoach mailen", "client"),
    ("Twee sollicitatiebrieven versturen", "client"),
    ("Afspraak maken bij de schuldhulpverlening", "client"),
    ("Aanmelden voor de taalcursus", "client"),
    ("Kinderopvang regelen voor de werkdagen", "client"),
    ("Werkschoenen en kleding passen", "client"),
    ("Contact opnemen met werkgever over proefplaatsing", "coach"),
    ("VCA-cursus inplannen", "coach"),
    ("Vacatures in de logistiek doorsturen", "coach"),
    ("Reiskostenvergoeding regelen", "case_manager"),
    ("Uitkering aanpassen na start werk", "case_manager"),
    ("Werkrooster voor de komende maand doorgeven", "employer"),
    ("Ouders uitnodigen voor het volgende gesprek", "coach"),
    ("Huisarts bezoeken voor advies over belastbaarheid", "client"),
)
_NOT_KEPT_REASONS = (
    "Klant was ziek.", "Vergeten.", "Geen vervoer die dag.", "Kinderopvang viel uit.",
    "Klant zag het nut er niet van in.", "Nog niet aan toegekomen.",
    "Werkgever nog niet bereikt.",
)
_CLOSURE_REASON = "Traject beëindigd voor de afgesproken datum."
_AFTERCARE_NOTES = (
    "Gaat goed; werkgever tevreden over inzet.",
    "Moeite met vroege diensten; afspraak over rooster gemaakt.",
    "Eerste functioneringsgesprek positief.",
    "Werknemer voelt zich nog onzeker; extra begeleiding op de werkvloer.",
    "Contract wordt waarschijnlijk verlengd.",
)
_COACH_CHANGE_REASONS = (
    "Jobcoach vertrokken", "Herverdeling caseload", "Op verzoek van de klant",
    "Langdurige ziekte jobcoach", "Andere werkplek, andere jobcoach",
)
_OUTCOME_REASONS = {
    "work": ("Arbeidsovereenkomst bij een reguliere werkgever zonder loonkostensubsidie.",
             "Tijdelijk contract van 12 maanden bij een reguliere werkgever."),
    "other_route": ("Gemotiveerd voorstel voor een ander traject: eerst zorg en stabiliteit.",
                    "Overgedragen aan een taaltraject."),
    "education": ("Start met een mbo-opleiding (BBL).", "Gaat een vakopleiding volgen."),
    "dropped_out": ("Klant komt afspraken niet meer na en is niet bereikbaar.",
                    "Uitgevallen door gezondheidsproblemen."),
    "moved": ("Verhuisd naar een andere gemeente.",),
}
_PLAN_GOALS = {
    "opstapbaan": "Via een opstapbaan binnen een jaar aan het werk bij een reguliere werkgever "
    "zonder loonkostensubsidie, met 3 maanden nazorg.",
    "art60": "Leefsituatie stabiliseren, kwaliteiten in kaart brengen en via een tewerkstelling "
    "doorstromen naar een volgende job.",
}
_PLAN_RULES = (
    "De klant informeert de jobcoach over zaken die van belang zijn voor het traject. "
    "Afspraken worden nagekomen; wie een afspraak niet kan nakomen, meldt dat vooraf. "
    "Jobcoach en klant zijn voor elkaar bereikbaar."
)
_END_REPORT = {
    "aftercare_summary": ("Nazorg volgens plan: om de twee weken contact met werknemer en "
                          "werkgever.", "Nazorg met een onderbreking in de zomer; daarna weer "
                          "regelmatig contact."),
    "results": ("Werknemer werkt zelfstandig en is uitkeringsonafhankelijk.",
                "Contract verlengd; werknemer volgt een interne opleiding."),
    "remaining_points": ("Aandacht voor vervoer bij wisselende diensten.",
                         "Financiën blijven een aandachtspunt.", "Geen."),
    "actions_taken": ("Jobcoaching op de werkvloer, rooster afgestemd met de werkgever.",
                      "Doorverwijzing schuldhulpverlening opgevolgd; budgetcoach ingezet."),
    "continuation": ("Werknemer kan bij vragen contact opnemen met de jobcoach.",
                     "Werkgever meldt zich bij dreigende uitval bij het werkgeversservicepunt."),
}

_MATCH_DECLINE_REASONS = {
    "employer": ("Werkgever koos een andere kandidaat.",
                 "Taalniveau nog onvoldoende voor deze functie.",
                 "Werkgever zoekt iemand met een rijbewijs."),
    "client": ("Klant vindt de reistijd te lang.",
               "Klant wil liever in een andere sector werken.",
               "Werktijden passen niet bij de kinderopvang."),
    "coach": ("Klant is er nog niet aan toe; eerst de belemmeringen aanpakken.",
              "Functie sluit niet aan bij de belastbaarheid van de klant."),
}

_OUTCOMES = tuple(vocab.OUTCOMES)  # work, other_route, education, dropped_out, moved


# -- small vectorised helpers ---------------------------------------------------------------
def _arr(values: Any) -> np.ndarray:
    """Return a 1-d object array of the given Python values (lists stay lists)."""
    items = list(values)
    out = np.empty(len(items), dtype=object)
    out[:] = items
    return out


def _cat(rng: np.random.Generator, probs: Any, rows: Any) -> np.ndarray:
    """Draw category indices: ``rows`` draws from one probability vector, or one draw per
    element of the group array ``rows`` from the table's row of that group."""
    table = np.asarray(probs, dtype=float)
    if table.ndim == 1:
        return rng.choice(len(table), size=rows, p=table / table.sum())
    cum = np.cumsum(table / table.sum(axis=1, keepdims=True), axis=1)
    group = np.asarray(rows)
    u = rng.random(len(group))
    return np.minimum((u[:, None] > cum[group]).sum(axis=1), table.shape[1] - 1)


def _within(rng: np.random.Generator, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Draw a day in [lo, hi) for each row (lo itself when the window is empty)."""
    width = np.clip(hi - lo, 1, _LATER)
    return lo + (rng.random(len(lo)) * width).astype(np.int64)


def _rank(owner: np.ndarray) -> np.ndarray:
    """Return 0, 1, 2, ... within runs of equal values of a sorted owner array."""
    if owner.size == 0:
        return np.zeros(0, dtype=np.int64)
    idx = np.arange(owner.size)
    first = np.r_[True, owner[1:] != owner[:-1]]
    return idx - np.maximum.accumulate(np.where(first, idx, 0))


def _pick_member(
    rng: np.random.Generator, member_group: np.ndarray, query_group: np.ndarray, n_groups: int
) -> np.ndarray:
    """Return a random member index of each query's group (-1 when that group is empty)."""
    order = np.argsort(member_group, kind="stable")
    counts = np.bincount(member_group, minlength=n_groups)
    starts = np.r_[0, np.cumsum(counts)[:-1]]
    c = counts[query_group]
    r = (rng.random(len(query_group)) * np.maximum(c, 1)).astype(np.int64)
    if order.size == 0:
        return np.full(len(query_group), -1)
    return np.where(c > 0, order[np.minimum(starts[query_group] + r, order.size - 1)], -1)


def _series(
    rng: np.random.Generator,
    start: np.ndarray,
    end: np.ndarray,
    step: tuple[int, int],
    first: tuple[int, int],
) -> tuple[np.ndarray, np.ndarray]:
    """Return (row, day) of events from start+first, then every step days, up to end."""
    start = np.asarray(start, dtype=np.int64)
    end = np.where(end >= _LATER, start - 1, end)
    span = end - start - first[0]
    n = np.where((span >= 0) & (start < _LATER), span // step[0] + 1, 0)
    owner = np.repeat(np.arange(len(start)), n)
    steps = rng.integers(step[0], step[1] + 1, owner.size)
    head = np.r_[0, np.cumsum(n)[:-1]]
    has = n > 0
    steps[head[has]] = rng.integers(first[0], first[1] + 1, int(has.sum()))
    cs = np.cumsum(steps)
    base = np.repeat(cs[head[has]] - steps[head[has]], n[has])
    day = start[owner] + cs - base
    keep = day <= end[owner]
    return owner[keep], day[keep]


def _drop_window(
    owner: np.ndarray, day: np.ndarray, lo: np.ndarray, hi: np.ndarray
) -> np.ndarray:
    """Return a keep-mask dropping events inside each owner's [lo, hi] window."""
    return ~((day >= lo[owner]) & (day <= hi[owner]))


def _fictional_family_names(
    rng: np.random.Generator, n: int, flemish: np.ndarray | None = None
) -> np.ndarray:
    """Return invented family names such as 'Oefendijk' or 'van der Proefstra'."""
    prefix = np.array(FICTIONAL_MARKERS)[rng.integers(0, len(FICTIONAL_MARKERS), n)]
    suffix = np.array(_NAME_SUFFIXES)[rng.integers(0, len(_NAME_SUFFIXES), n)]
    core = np.char.add(prefix, np.char.lower(suffix))
    nl_inf = np.array(_NL_INFIXES)[rng.integers(0, len(_NL_INFIXES), n)]
    be_inf = np.array(_BE_INFIXES)[rng.integers(0, len(_BE_INFIXES), n)]
    infix = nl_inf if flemish is None else np.where(flemish, be_inf, nl_inf)
    with_infix = rng.random(n) < 0.22
    return np.where(with_infix, np.char.add(np.char.add(infix, " "), core), core)


def _given_names(
    rng: np.random.Generator, migrant: np.ndarray, female: np.ndarray
) -> np.ndarray:
    """Return first names from the Dutch/Flemish or migrant list of the right gender."""
    n = len(migrant)
    out = np.empty(n, dtype=object)
    for (origin, sex), names in _GIVEN.items():
        mask = (migrant == (origin == "migrant")) & (female == (sex == "f"))
        out[mask] = np.array(names, dtype=object)[rng.integers(0, len(names), int(mask.sum()))]
    return out


def _bsn(rng: np.random.Generator, n: int) -> np.ndarray:
    """Return n distinct 9-digit numbers that pass the Dutch elfproef (not starting with 0)."""
    prefix = rng.choice(9_000_000, size=n, replace=False) + 1_000_000  # 7 digits, unique
    digits = np.stack([(prefix // 10 ** (6 - i)) % 10 for i in range(7)], axis=1)
    weights = np.arange(9, 2, -1)
    partial = digits @ weights
    d8 = rng.integers(0, 10, n)
    check = (partial + 2 * d8) % 11
    d8 = np.where(check == 10, (d8 + 1) % 10, d8)
    check = (partial + 2 * d8) % 11
    number = prefix * 100 + d8 * 10 + check
    return number.astype(str).astype(object)


def _to_datetime(days: np.ndarray) -> np.ndarray:
    """Return datetime64[ns] values for day numbers; NEVER (and beyond) becomes NaT."""
    d = np.asarray(days, dtype=np.int64)
    never = d >= _LATER
    out = np.where(never, 0, d).astype("datetime64[D]").astype("datetime64[ns]")
    out[never] = np.datetime64("NaT")
    return out


def _office_hours(minutes: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Move moments (minutes since midnight of day 0) outside 08:00-18:00 to the next morning."""
    of_day = minutes % 1440
    morning = minutes - of_day + 8 * 60 + rng.integers(0, 90, len(minutes))
    return np.select([of_day < 8 * 60, of_day > 18 * 60], [morning, morning + 1440], minutes)


def _minutes_to_datetime(minutes: np.ndarray) -> np.ndarray:
    """Return datetime64[ns] values for minute numbers since the epoch."""
    return np.asarray(minutes, dtype=np.int64).astype("datetime64[m]").astype("datetime64[ns]")


def _ints(values: np.ndarray, missing: np.ndarray | None = None) -> pd.arrays.IntegerArray:
    """Return a nullable Int64 array (missing where the mask is true or the value is < 0)."""
    v = np.asarray(values, dtype=np.int64)
    mask = v < 0 if missing is None else np.asarray(missing, dtype=bool)
    return pd.arrays.IntegerArray(np.where(mask, 0, v), mask.copy())


def _bools(values: np.ndarray, missing: np.ndarray) -> pd.arrays.BooleanArray:
    """Return a nullable boolean array, missing where the mask is true."""
    return pd.arrays.BooleanArray(np.asarray(values, dtype=bool), np.asarray(missing, dtype=bool))


def _texts(catalogue: Any, idx: np.ndarray) -> np.ndarray:
    """Return catalogue texts by index as an object array."""
    return _arr(catalogue)[idx]


def _pick_in_window(
    rng: np.random.Generator,
    item_group: np.ndarray,
    item_day: np.ndarray,
    group: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
) -> np.ndarray:
    """Return a random item of each query's group dated within [lo, hi] (-1 when none)."""
    shift = np.int64(1) << 32
    key = item_group.astype(np.int64) * shift + item_day
    order = np.argsort(key, kind="stable")
    key = key[order]
    base = group.astype(np.int64) * shift
    valid = (lo < _LATER) & (hi >= lo)
    a = np.searchsorted(key, base + np.where(valid, lo, 0), side="left")
    b = np.searchsorted(key, base + np.where(valid, hi, -1), side="right")
    width = np.where(valid, b - a, 0)
    r = a + (rng.random(len(group)) * np.maximum(width, 1)).astype(np.int64)
    if order.size == 0:
        return np.full(len(group), -1)
    return np.where(width > 0, order[np.minimum(r, order.size - 1)], -1)


class _Builder:
    """Builds the frames of one synthetic register (state shared by the entity steps)."""

    def __init__(self, size: int, seed: int, as_of: dt.date) -> None:
        if size < 1:
            raise ValueError("size must be at least 1")
        self.n = int(size)
        self.rng = np.random.default_rng(seed)
        self.today = int(np.datetime64(as_of, "D").astype(np.int64))
        self.methods: dict[str, Method] = {c: load_method(c) for c in ("opstapbaan", "art60")}
        self.used = np.zeros(self.n, dtype=bool)
        self.frames: dict[str, pd.DataFrame] = {}

    # -- utilities ----------------------------------------------------------------------
    def u(self, lo: int, hi: int, size: int) -> np.ndarray:
        """Draw integers in [lo, hi]."""
        return self.rng.integers(lo, hi + 1, size)

    def take(self, mask: np.ndarray, *, exclusive: bool = True) -> np.ndarray:
        """Pick the trajectories planted late on one rule: ~0.15% of each method where mask holds.

        ``exclusive`` reserves them: their timeline is shifted so that as_of falls in the late
        period, so a trajectory can carry only one such plan. Registers under 125 trajectories
        get no planted cases.
        """
        picks = []
        for flemish in (False, True):
            of_method = self.flemish == flemish
            k = max(1, round(int(of_method.sum()) * 0.0015)) if self.n >= 125 else 0
            cand = np.flatnonzero(mask & of_method & ~(self.used if exclusive else False))
            pick = self.rng.choice(cand, size=min(k, cand.size), replace=False)
            if exclusive:
                self.used[pick] = True
            picks.append(pick)
        return np.sort(np.concatenate(picks)).astype(np.int64)

    def frame(self, table: str, data: dict[str, Any]) -> None:
        """Store a frame with exactly the table's columns, in the table's order."""
        columns = ENTITIES[table].__table__.columns
        rows = len(data["id"])
        if "version" in columns:
            data["version"] = np.ones(rows, dtype=np.int64)
        for col in columns:  # a column added to the model later stays empty here
            if col.name not in data and col.nullable:
                data[col.name] = np.full(rows, None, dtype=object)
        extra = set(data) - {c.name for c in columns}
        missing = [c.name for c in columns if c.name not in data]
        if extra or missing:
            raise RuntimeError(f"{table}: extra {sorted(extra)}, missing {missing}")
        self.frames[table] = pd.DataFrame({c.name: data[c.name] for c in columns})

    def limit(self, rule: str, number: str) -> int:
        """Return the strictest number of a rule over the methods that use it."""
        values = [r.number(number) for m in self.methods.values() if (r := m.rule(rule))]
        return min(values)

    def absolute(self, offset: np.ndarray, rows: np.ndarray | slice = slice(None)) -> np.ndarray:
        """Turn day offsets from registration into day numbers (NEVER stays NEVER)."""
        return np.where(offset < _LATER, self.reg_day[rows] + offset, NEVER)

    # -- the whole register ---------------------------------------------------------------
    def run(self) -> dict[str, pd.DataFrame]:
        """Build every table."""
        self.places()
        self.trajectory_core()
        self.route_opstapbaan()
        self.route_art60()
        self.finish_timeline()
        self.people()
        self.staff()
        self.employers()
        self.vacancies()
        self.trajectories()
        self.placements()
        self.match_decisions()
        self.network()
        self.skills()
        self.barriers()
        self.assessments()
        self.contacts()
        self.aftercare()
        self.benefits()
        missing = [t for t in TABLES if t not in self.frames]
        if missing:
            raise RuntimeError(f"no demo data for table(s): {', '.join(missing)}")
        return {t: self.frames[t] for t in TABLES}

    # -- places ---------------------------------------------------------------------------
    def places(self) -> None:
        """Municipalities, regions and their teams."""
        names, regions, flem, lo, hi, w = zip(*_MUNICIPALITIES, strict=True)
        self.mun_name = np.array(names, dtype=object)
        self.region_names = tuple(dict.fromkeys(regions))
        self.mun_region = np.array([self.region_names.index(r) for r in regions])
        self.mun_flemish = np.array(flem)
        self.mun_pc = (np.array(lo), np.array(hi))
        weight = np.array(w)
        self.mun_p = np.where(
            self.mun_flemish,
            weight / weight[self.mun_flemish].sum() * _FLEMISH_SHARE,
            weight / weight[~self.mun_flemish].sum() * (1 - _FLEMISH_SHARE),
        )
        n_reg = len(self.region_names)
        self.region_flemish = np.array(
            [self.mun_flemish[self.mun_region == r][0] for r in range(n_reg)]
        )
        self.region_first_mun = np.array(
            [self.mun_name[self.mun_region == r][0] for r in range(n_reg)], dtype=object
        )
        self.frame("teams", {
            "id": np.arange(1, n_reg + 1),
            "name": _arr(f"Team {r}" for r in self.region_names),
            "region": _arr(self.region_names),
        })

    # -- timeline -------------------------------------------------------------------------
    def trajectory_core(self) -> None:
        """Who, where, when registered, coach delay, plan signatures and intake date.

        Dates of the routes are day offsets from the registration day until
        :meth:`finish_timeline` anchors them; NEVER marks what does not happen.
        """
        rng, n = self.rng, self.n
        self.mun = rng.choice(len(self.mun_name), size=n, p=self.mun_p)
        self.region = self.mun_region[self.mun]
        self.flemish = self.mun_flemish[self.mun]
        tg_nl, tg_be = _cat(rng, _TG_P_NL, n), _cat(rng, _TG_P_BE, n)
        self.tg = np.where(self.flemish, tg_be, tg_nl)
        self.tg_code = np.array(_TARGET_GROUPS, dtype=object)[self.tg]

        # more recent registrations are more likely (a growing caseload)
        self.days_ago = np.floor(_YEARS_BACK * rng.beta(1.0, 1.5, n)).astype(np.int64)
        self.reg_minute = self.u(8 * 60 + 30, 16 * 60 + 30, n)
        late = rng.random(n) < 0.08
        # the coach is assigned during office hours: the same or the next day, a few later
        day = np.where(late, self.u(3, 8, n), rng.integers(0, 2, n))
        clock = self.u(8 * 60 + 30, 17 * 60 + 30, n)
        same_day = np.minimum(self.reg_minute + self.u(20, 150, n), 18 * 60)
        clock = np.where((day == 0) & (clock <= self.reg_minute), same_day, clock)
        self.assign_delay = day * 1440 + clock - self.reg_minute  # minutes after registration
        self.t3 = day + self.u(0, 5, n)  # three-way handover, signing the plan
        sig = np.repeat(self.t3[:, None], 3, axis=1)  # case manager, coach, client
        sig[:, 2] += np.where(rng.random(n) < 0.25, self.u(1, 4, n), 0)
        late_sig = rng.random(n) < 0.04
        party = rng.integers(0, 3, n)
        sig[late_sig, party[late_sig]] += self.u(15, 30, int(late_sig.sum()))
        missing = rng.random(n) < 0.025
        sig[missing, party[missing]] = NEVER
        intake_delay = np.where(rng.random(n) < 0.12, self.u(15, 35, n), self.u(2, 13, n))

        # planted: no coach 48 hours after registration; a signature missing after 14 days;
        # no intake 2 weeks after signing
        everyone = np.ones(n, dtype=bool)
        unassigned = self.take(everyone)
        self.days_ago[unassigned] = self.u(3, 12, unassigned.size)
        self.assign_delay[unassigned] = NEVER
        self.t3[unassigned] = NEVER
        sig[unassigned] = NEVER
        unsigned = self.take(everyone)
        sig[unsigned] = self.t3[unsigned, None]
        sig[unsigned, party[unsigned]] = NEVER
        self.days_ago[unsigned] = self.u(20, 60, unsigned.size)
        no_intake = self.take(everyone)
        sig[no_intake] = self.t3[no_intake, None]
        self.sig = sig
        self.signed = sig.max(axis=1)
        self.intake = np.where(self.signed < _LATER, self.signed, self.t3) + intake_delay
        self.intake[unassigned] = NEVER
        self.intake[no_intake] = NEVER
        self.days_ago[no_intake] = self.signed[no_intake] + self.u(16, 40, no_intake.size)

        # filled by the routes (offsets)
        never = np.full(n, NEVER)
        self.close_off = never.copy()
        self.outcome_row = np.zeros(n, dtype=np.int64)  # row of the outcome table
        self.regular_off = never.copy()  # start of the regular contract
        self.ss_start, self.ss_end = never.copy(), never.copy()  # stepping stone placement
        self.work_off = never.copy()  # first day at an employer outside the SDW
        self.e1_off = never.copy()  # first day at the regular employer (vacancy match)
        self.ac_start, self.ac_until = never.copy(), never.copy()  # aftercare stage
        self.resume_off = never.copy()  # art. 60: employment with guidance after end_art60
        self.benefit_stop = never.copy()
        self.unemployed_from = never.copy()
        self.lost_job = np.zeros(n, dtype=bool)
        self.slots: list[tuple[str, str, np.ndarray, np.ndarray]] = []  # method, phase, rows
        self.placement_slots: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, str]] = []

    def _unlike_clients(self, names: np.ndarray) -> np.ndarray:
        """Return staff names, redrawing any that equals a client's name (shown on screens)."""
        out = names.astype(str).astype(object)
        clash = np.isin(out.astype(str), self.client_names)
        while clash.any():
            k = int(clash.sum())
            given = _given_names(self.rng, np.zeros(k, dtype=bool), self.rng.random(k) < 0.6)
            out[clash] = np.char.add(np.char.add(given.astype(str), " "),
                                     _fictional_family_names(self.rng, k).astype(str))
            clash = np.isin(out.astype(str), self.client_names)
        return out

    def _shift(self, rows: np.ndarray, local: np.ndarray, anchor: np.ndarray,
               lo: int, hi: int) -> None:
        """Move planted rows in time so that ``anchor`` lies lo..hi days before as_of."""
        self.days_ago[rows] = anchor[local] + self.u(lo, hi, rows.size)

    def _aftercare_length(self, m: int) -> np.ndarray:
        """Days from the start of aftercare to closing: mostly 3 months, some overruns."""
        r = self.rng.random(m)
        return np.select([r < 0.84, r < 0.92], [self.u(92, 100, m), self.u(118, 160, m)],
                         self.u(50, 80, m))

    def route_opstapbaan(self) -> None:
        """Opstapbaan route: intake, stepping stone at the SDW, escalation ladder, aftercare."""
        rng = self.rng
        ix = np.flatnonzero(~self.flemish)
        m = ix.size
        intake = self.intake[ix]
        ss = intake + self.u(5, 20, m)
        ladder = rng.choice(3, size=m, p=[0.5, 0.3, 0.2])  # regular, secondment, wage subsidy
        r = rng.random(m)
        d_ss = np.select([r < 0.85, r < 0.98], [self.u(30, 86, m), self.u(96, 178, m)],
                         self.u(190, 250, m))
        d_sec = np.where(rng.random(m) < 0.85, self.u(30, 86, m), self.u(96, 150, m))
        d_trial = self.u(28, 56, m)
        d_wage = np.where(rng.random(m) < 0.88, self.u(60, 178, m), self.u(190, 260, m))
        keeps_job = rng.random(m) < 0.7
        after = self._aftercare_length(m)
        stage = rng.choice(6, size=m, p=[0.06, 0.12, 0.20, 0.11, 0.06, 0.45])
        back = self.u(3, 14, m)

        mask = ~self.flemish

        def plant() -> tuple[np.ndarray, np.ndarray]:
            rows = self.take(mask)
            return rows, np.searchsorted(ix, rows)

        rows, loc = plant()  # over 3 months at the social work company
        d_ss[loc] = self.u(140, 178, loc.size)
        self._shift(rows, loc, ss, 96, 125)
        rows, loc = plant()  # stepping stone nearing or past its 6 months
        d_ss[loc] = self.u(230, 280, loc.size)
        self._shift(rows, loc, ss, 190, 215)
        rows, loc = plant()  # secondment past 3 months
        ladder[loc] = 1
        d_sec[loc] = self.u(130, 160, loc.size)
        self._shift(rows, loc, ss + d_ss, 96, 125)
        rows, loc = plant()  # wage subsidy past 6 months
        ladder[loc] = 2
        d_wage[loc] = self.u(230, 270, loc.size)
        self._shift(rows, loc, ss + d_ss + d_trial, 190, 215)
        rows, loc = plant()  # aftercare running far beyond 3 months
        ladder[loc] = 0
        after[loc] = self.u(160, 200, loc.size)
        self._shift(rows, loc, ss + d_ss, 110, 150)
        rows, loc = plant()  # in aftercare now (some will miss an aftercare contact)
        ladder[loc] = 0
        after[loc] = self.u(92, 100, loc.size)
        self._shift(rows, loc, ss + d_ss, 25, 75)
        stage[self.used[ix]] = 5

        p1 = ss + d_ss  # first day at the regular employer
        placement = np.maximum(ss + 1, p1 - back)
        sec, wage = ladder == 1, ladder == 2
        sec_e = np.where(sec, p1 + d_sec - 1, NEVER)
        tr_e = np.where(wage, p1 + d_trial - 1, NEVER)
        w_s = np.where(wage, p1 + d_trial, NEVER)
        w_e = np.where(wage, w_s + d_wage - 1, NEVER)
        regular = np.select([ladder == 0, sec, wage & keeps_job], [p1, p1 + d_sec, w_e + 1],
                            NEVER)
        has_job = regular < _LATER
        placement_end = np.where(has_job, regular, w_e + 1)
        close = np.select(
            [stage == 0, stage == 1, stage == 2, stage == 3, (stage == 4) & has_job],
            [
                _within(rng, np.ones(m, dtype=np.int64), intake),
                _within(rng, intake + 1, ss),
                _within(rng, ss + 1, placement),
                _within(rng, placement + 1, placement_end),
                _within(rng, regular + 14, regular + 80),
            ],
            np.where(has_job, regular + after, w_e + 1),
        )
        # rows of the outcome table (finish_timeline): 0-3 gone in that stage, 4 lost the
        # job in aftercare, 5 work, 6 ended without a job
        self.outcome_row[ix] = np.select(
            [stage < 4, (stage == 4) & has_job, has_job], [stage, 4, 5], 6)
        self.close_off[ix] = close
        self.regular_off[ix] = regular
        self.ss_start[ix], self.ss_end[ix] = ss, p1 - 1
        self.work_off[ix] = p1
        self.e1_off[ix] = p1
        self.ac_start[ix] = regular
        self.ac_until[ix] = close
        self.benefit_stop[ix] = regular
        self.lost_job[ix] = (stage == 4) & has_job
        for phase, off in (("registration", np.zeros(m, dtype=np.int64)), ("intake", intake),
                           ("stepping_stone", ss), ("placement", placement),
                           ("aftercare", regular)):
            self.slots.append(("opstapbaan", phase, ix, off))
        for kind, s, e, who in (
                ("stepping_stone", ss, p1 - 1, "sdw"),
                ("secondment", np.where(sec, p1, NEVER), sec_e, "regular"),
                ("trial", np.where(wage, p1, NEVER), tr_e, "regular"),
                ("wage_subsidy", w_s, w_e, "regular"),
                ("regular", regular, np.full(m, NEVER), "regular")):
            self.placement_slots.append((ix, np.full(m, kind, dtype=object), s, e, who))

    def route_art60(self) -> None:
        """Art. 60 route: exploration, mapping, (social) employment, guidance, end of art. 60.

        The end_art60 phase is the method's aftercare stage: the coach follows the client and
        the (next) employer for about 3 months and writes the end report.
        """
        rng = self.rng
        ix = np.flatnonzero(self.flemish)
        m = ix.size
        intake = self.intake[ix]
        mapping = intake + self.u(21, 60, m)
        loop = rng.random(m) < 0.08  # new problems surface: back to exploration once
        expl2 = np.where(loop, mapping + self.u(20, 45, m), NEVER)
        map2 = np.where(loop, expl2 + self.u(20, 45, m), NEVER)
        work = np.where(loop, map2, mapping) + self.u(30, 90, m)
        kind = rng.choice(3, size=m, p=[0.7, 0.2, 0.1])  # social employment, regular, subsidy
        guidance = work + self.u(14, 30, m)
        d_se = np.where(rng.random(m) < 0.95, self.u(370, 715, m), self.u(745, 800, m))
        d_wage = np.where(rng.random(m) < 0.88, self.u(90, 178, m), self.u(190, 260, m))
        keeps_job = rng.random(m) < 0.7
        tail = rng.choice(3, size=m, p=[0.51, 0.09, 0.40])  # next job, new guidance, no job
        after = self._aftercare_length(m)
        stage = rng.choice(4, size=m, p=[0.08, 0.10, 0.15, 0.67])

        mask = self.flemish

        def plant() -> tuple[np.ndarray, np.ndarray]:
            rows = self.take(mask)
            return rows, np.searchsorted(ix, rows)

        rows, loc = plant()  # art. 60 employment nearing or past 24 months
        kind[loc] = 0
        d_se[loc] = self.u(800, 860, loc.size)
        self._shift(rows, loc, work, 735, 790)
        rows, loc = plant()  # wage subsidy past 6 months
        kind[loc] = 2
        d_wage[loc] = self.u(230, 270, loc.size)
        self._shift(rows, loc, work, 190, 215)
        rows, loc = plant()  # follow-up after art. 60 running far beyond 3 months
        kind[loc], tail[loc] = 0, 0
        after[loc] = self.u(160, 200, loc.size)
        self._shift(rows, loc, work + d_se, 110, 150)
        rows, loc = plant()  # in the follow-up now (some will miss an aftercare contact)
        kind[loc], tail[loc] = 0, 0
        after[loc] = self.u(92, 100, loc.size)
        self._shift(rows, loc, work + d_se, 25, 75)
        stage[self.used[ix]] = 3

        social, reg, wage = kind == 0, kind == 1, kind == 2
        end_art60 = np.where(social, work + d_se, NEVER)
        next_job = end_art60 + np.where(tail == 0, self.u(0, 30, m), self.u(60, 88, m))
        job2 = np.where(social & (tail < 2), next_job, NEVER)
        work2 = np.where(social & (tail == 1), next_job, NEVER)
        guidance2 = np.where(work2 < _LATER, work2 + self.u(7, 21, m), NEVER)
        regular = np.select([reg, wage & keeps_job, social & (tail < 2)],
                            [work, work + d_wage, job2], NEVER)
        has_job = regular < _LATER
        emp_end = np.select([social, reg], [end_art60, work + 120], work + d_wage)
        complete = np.select(
            [social & (tail == 0), social & (tail == 1), social, reg, wage & keeps_job],
            [end_art60 + after, work2 + self.u(120, 240, m), end_art60 + self.u(30, 90, m),
             work + self.u(120, 240, m), work + d_wage + self.u(30, 120, m)],
            work + d_wage,
        )
        close = np.select(
            [stage == 0, stage == 1, stage == 2],
            [
                _within(rng, np.ones(m, dtype=np.int64), mapping),
                _within(rng, mapping + 1, work),
                _within(rng, work + 1, emp_end),
            ],
            complete,
        )
        self.outcome_row[ix] = np.select(
            [stage == 0, stage == 1, (stage == 2) & reg, stage == 2, has_job], [0, 1, 4, 3, 5], 6)
        self.close_off[ix] = close
        self.regular_off[ix] = regular
        self.work_off[ix] = work
        self.e1_off[ix] = np.where(social, job2, work)
        self.ac_start[ix] = end_art60
        self.ac_until[ix] = np.where(tail == 1, work2, close)
        self.resume_off[ix] = work2
        self.benefit_stop[ix] = work
        self.unemployed_from[ix] = np.where(social & (tail == 2), end_art60, NEVER)
        self.lost_job[ix] = (stage == 2) & reg
        for phase, off in (("exploration", np.zeros(m, dtype=np.int64)), ("mapping", mapping),
                           ("exploration", expl2), ("mapping", map2), ("employment", work),
                           ("guidance", guidance), ("end_art60", end_art60),
                           ("employment", work2), ("guidance", guidance2)):
            self.slots.append(("art60", phase, ix, off))
        first_kind = np.array(["social_employment", "regular", "wage_subsidy"], dtype=object)
        first_end = np.select([social, wage], [work + d_se - 1, work + d_wage - 1], NEVER)
        never = np.full(m, NEVER)
        self.placement_slots += [
            (ix, first_kind[kind], work, first_end, "social"),
            (ix, np.full(m, "regular", dtype=object), np.where(wage & keeps_job, work + d_wage,
                                                               NEVER), never, "regular"),
            (ix, np.full(m, "regular", dtype=object), job2, never, "regular"),
        ]

    def finish_timeline(self) -> None:
        """Anchor offsets on registration days, cut at closure and as_of, derive the state."""
        rng, n, today = self.rng, self.n, self.today
        self.reg_day = today - self.days_ago
        self.reg_minutes = self.reg_day * 1440 + self.reg_minute
        close = self.absolute(self.close_off)
        self.closed = close <= today
        self.open = ~self.closed
        self.close_day = np.where(self.closed, close, NEVER)
        self.end = np.minimum(close, today)  # last day the trajectory is visible
        for name in ("intake", "t3", "regular_off", "ss_start", "ss_end", "work_off", "e1_off",
                     "ac_start", "ac_until", "resume_off", "benefit_stop", "unemployed_from"):
            setattr(self, name, self.absolute(getattr(self, name)))
        sig = np.where(self.sig < _LATER, self.reg_day[:, None] + self.sig, NEVER)
        self.sig = np.where(sig <= today, sig, NEVER)
        self.intake_day = np.where(self.intake <= self.end, self.intake, NEVER)
        self.regular = np.where(self.regular_off <= self.end, self.regular_off, NEVER)
        self.aftercare_from = np.where(self.ac_start <= self.end, self.ac_start, NEVER)

        # phase events: the route's phases in order, cut at closing and as_of; the slots of a
        # method are in route order, and its first is the method's initial phase
        owners, phases, days, order = [], [], [], []
        for pos, (method, phase, ix, off) in enumerate(self.slots):
            m = self.methods[method]
            first = pos == 0 or self.slots[pos - 1][0] != method
            if phase not in m.phase_codes or (first and phase != m.method.initial_phase):
                raise RuntimeError(f"demo route does not fit method {method}: {phase}")
            day = self.absolute(off, ix)
            keep = day <= self.end[ix]
            owners.append(ix[keep])
            phases.append(np.full(int(keep.sum()), phase, dtype=object))
            days.append(day[keep])
            order.append(np.full(int(keep.sum()), pos))
        closed = np.flatnonzero(self.closed)
        closed_phase = np.where(self.flemish, self.methods["art60"].closed_phase,
                                self.methods["opstapbaan"].closed_phase)
        owners.append(closed)
        phases.append(closed_phase[closed].astype(object))
        days.append(self.close_day[closed])
        order.append(np.full(closed.size, len(self.slots)))
        owner = np.concatenate(owners)
        sort = np.lexsort((np.concatenate(order), owner))
        self.pe_owner = owner[sort]
        self.pe_phase = np.concatenate(phases)[sort]
        self.pe_day = np.concatenate(days)[sort]
        last = np.r_[self.pe_owner[1:] != self.pe_owner[:-1], True]
        self.phase = np.empty(n, dtype=object)
        self.phase[self.pe_owner[last]] = self.pe_phase[last]
        self.phase_since = np.zeros(n, dtype=np.int64)
        self.phase_since[self.pe_owner[last]] = self.pe_day[last]

        out_p = np.array([  # work, other_route, education, dropped_out, moved
            [0, 0.25, 0, 0.50, 0.25],  # 0 gone before or around the intake
            [0, 0.60, 0.10, 0.25, 0.05],  # 1 after the intake: proposal for another route
            [0, 0.25, 0.15, 0.50, 0.10],  # 2 during the stepping stone
            [0, 0.25, 0.10, 0.55, 0.10],  # 3 during placement / employment
            [0, 0.05, 0, 0.80, 0.15],  # 4 lost the regular job during aftercare
            [1, 0, 0, 0, 0],  # 5 completed: work
            [0, 0.40, 0.10, 0.40, 0.10],  # 6 ended without a job
        ])
        outcome = _cat(rng, out_p, self.outcome_row)
        self.outcome = np.where(self.closed, np.array(_OUTCOMES, dtype=object)[outcome], _NONE)
        variant = rng.integers(0, 2, n)
        reasons = _arr(_OUTCOME_REASONS[o][min(v, len(_OUTCOME_REASONS[o]) - 1)]
                       for o in _OUTCOMES for v in range(2))
        # a closing with another route always carries its motivated proposal (seed 004)
        self.outcome_reason = np.where(self.closed & ((rng.random(n) < 0.9)
                                                      | (self.outcome == "other_route")),
                                       reasons[outcome * 2 + variant], _NONE)

    # -- people ---------------------------------------------------------------------------
    def people(self) -> None:
        """Clients: fictional names, birth dates by target group, BSN, postcode, wishes."""
        rng, n = self.rng, self.n
        migrant_p = np.array([_MIGRANT_P.get(t, _MIGRANT_DEFAULT) for t in _TARGET_GROUPS])
        self.migrant = rng.random(n) < migrant_p[self.tg]
        female = np.where(self.tg_code == "migrant_women", True, rng.random(n) < 0.45)
        given = _given_names(rng, self.migrant, female)
        family = _fictional_family_names(rng, n, self.flemish)
        self.client_names = np.unique(np.char.add(np.char.add(given.astype(str), " "),
                                                  family.astype(str)))
        ages = np.array([_AGE.get(t, _AGE_DEFAULT) for t in _TARGET_GROUPS])[self.tg]
        age_days = (ages[:, 0] + rng.random(n) * (ages[:, 1] - ages[:, 0] + 1)) * 365.25
        birth = self.reg_day - age_days.astype(np.int64)
        bsn = np.where(self.flemish, _NONE, _bsn(rng, n))
        lo, hi = self.mun_pc[0][self.mun], self.mun_pc[1][self.mun]
        pc_num = (lo + (rng.random(n) * (hi - lo + 1)).astype(np.int64)).astype(str)
        letters = _POSTCODE_LETTERS[rng.integers(0, len(_POSTCODE_LETTERS), (n, 2))]
        pc_nl = np.char.add(np.char.add(pc_num, " "), np.char.add(letters[:, 0], letters[:, 1]))
        postcode = np.where(self.flemish, pc_num, pc_nl).astype(object)

        edu_p = np.array([_EDU_P[t] for t in _TARGET_GROUPS])
        self.edu = np.array(_EDU, dtype=object)[_cat(rng, edu_p, self.tg)]
        has_field = ~np.isin(self.edu, ["none", "primary"])
        field_idx = rng.integers(0, len(_FIELDS), n)
        self.field = np.where(has_field, _arr(f for f, _ in _FIELDS)[field_idx], _NONE)
        self.field_sector = np.where(has_field, np.array([s for _, s in _FIELDS])[field_idx], "")
        self.edu_rank = pd.Series(self.edu).map(dict(vocab.EDUCATION_RANK)).to_numpy(np.int64)

        # preferred sectors from a small catalogue of combinations (lists are shared objects)
        n_sec = len(_SECTORS)
        combos: list[list[str]] = []
        for first in range(n_sec):
            for length in (1, 2, 3):
                for variant in range(3):
                    others = [(first + 1 + variant + 4 * j) % n_sec for j in range(length - 1)]
                    combos.append([_SECTORS[first], *(_SECTORS[o] for o in others)])
        first_sector = _cat(rng, _SECTOR_P, n)
        combo = first_sector * 9 + rng.choice(3, n, p=[0.35, 0.45, 0.2]) * 3 + rng.integers(0, 3, n)
        no_pref = rng.random(n) < 0.08
        self.first_sector = np.where(no_pref, -1, first_sector)
        preferred = np.where(no_pref, _NONE, _arr(combos)[combo])
        extra = rng.integers(0, len(_WISH_EXTRA), n)
        wish = np.char.add(np.array([_WISH_BY_SECTOR[s] for s in _SECTORS])[first_sector],
                           np.array(_WISH_EXTRA)[extra])
        wishes = np.where(no_pref, _WISH_NONE, wish).astype(object)
        wishes[rng.random(n) < 0.05] = None
        # wished hours a week; "liefst parttime" means at most 24; some were not asked yet
        hours = _HOURS_WISHED[rng.choice(len(_HOURS_WISHED), size=n, p=_HOURS_WISHED_P)]
        parttime = (extra == _WISH_EXTRA.index(" Liefst parttime vanwege de kinderen.")) \
            & ~no_pref
        hours = np.where(parttime, np.minimum(hours, 24), hours)
        hours_unknown = rng.random(n) < 0.08

        ids = np.arange(1, n + 1)
        self.frame("clients", {
            "id": ids,
            "pseudonym": np.char.add("K-", np.char.zfill(ids.astype(str), 6)).astype(object),
            "external_id": np.full(n, None, dtype=object),
            "given_name": given,
            "family_name": family.astype(object),
            "birth_date": _to_datetime(birth),
            "bsn": bsn,
            "postcode": postcode,
            "municipality": self.mun_name[self.mun],
            "region": np.array(self.region_names, dtype=object)[self.region],
            "target_group": self.tg_code,
            "education_level": self.edu,
            "education_field": self.field,
            "wishes": wishes,
            "preferred_sectors": preferred,
            "created_at": _minutes_to_datetime(self.reg_minutes - self.u(1, 30, n)),
            "preferred_hours": _ints(hours, hours_unknown),
            "birth_year": pd.array([None] * n, dtype="Int64"),  # only for anonymised clients
        })

    def staff(self) -> None:
        """Coaches (about one per 35 active trajectories), assignments, case managers."""
        rng, n = self.rng, self.n
        n_reg = len(self.region_names)
        active = np.bincount(self.region[self.open], minlength=n_reg)
        n_active = np.maximum(2, np.round(active / 35).astype(np.int64))
        n_all = n_active + np.round(n_active * 0.15).astype(np.int64)  # plus former coaches
        total = int(n_all.sum())
        offset = np.r_[0, np.cumsum(n_all)[:-1]]
        coach_region = np.repeat(np.arange(n_reg), n_all)
        rank = np.arange(total) - offset[coach_region]
        width = max(2, len(str(total)))
        names = np.char.add(
            np.char.add(_given_names(rng, rng.random(total) < 0.2, rng.random(total) < 0.6)
                        .astype(str), " "),
            _fictional_family_names(rng, total))
        self.frame("coaches", {
            "id": np.arange(1, total + 1),
            "code": np.char.add("JC", np.char.zfill(np.arange(1, total + 1).astype(str), width))
            .astype(object),
            "name": self._unlike_clients(names),
            "team_id": _ints(coach_region + 1),
            "active": rank < n_active[coach_region],
        })

        # assignments: the first mostly within 48 hours; some change once, a few twice or more
        first_min = self.reg_minutes + self.assign_delay
        has = (self.assign_delay < _LATER) & (first_min // 1440 <= self.end)
        changes = _cat(rng, [0.8, 0.17, 0.025, 0.005], n)
        changes[self.take(self.open & has & (self.reg_day <= self.today - 60),
                          exclusive=False)] = 2
        room = self.end * 1440 - first_min
        changes = np.where(has & (room > 14 * 1440), changes, 0)
        count = np.where(has, 1 + changes, 0)
        owner = np.repeat(np.arange(n), count)
        seq = _rank(owner)
        frac = np.sort(rng.random((n, 3)), axis=1)
        later = (frac[owner, np.maximum(seq - 1, 0)] * room[owner]).astype(np.int64)
        at = first_min[owner] + np.where(seq == 0, 0, later)
        at = np.where(seq == 0, at, np.minimum(_office_hours(at, rng), self.end[owner] * 1440
                                                + 17 * 60))
        at = np.maximum.accumulate(owner * (np.int64(1) << 36) + at) - owner * (np.int64(1) << 36)
        last = seq == count[owner] - 1
        reg = self.region[owner]
        pool = np.where(last & self.open[owner], n_active[reg], n_all[reg])
        pick = (rng.random(owner.size) * pool).astype(np.int64)
        for k in (1, 2, 3):  # never assign the coach a trajectory already has
            rows = np.flatnonzero(seq == k)
            same = pick[rows] == pick[rows - 1]
            pick[rows] = np.where(same, (pick[rows] + 1) % pool[rows], pick[rows])
        coach = offset[reg] + pick + 1
        self.ca_owner, self.ca_minute, self.ca_coach = owner, at, coach
        self.coach_id = np.full(n, -1)
        self.coach_id[owner[last]] = coach[last]
        reason = np.where(seq == 0, _NONE, _texts(
            _COACH_CHANGE_REASONS, rng.integers(0, len(_COACH_CHANGE_REASONS), owner.size)))
        self.frame("coach_assignments", {
            "id": np.arange(1, owner.size + 1),
            "trajectory_id": owner + 1,
            "coach_id": coach,
            "assigned_at": _minutes_to_datetime(at),
            "reason": reason,
        })

        # the benefit decides who refers: municipality, UWV (Dutch WW/disability) or OCMW
        kinds = np.array(["social_assistance", "unemployment", "disability", "leefloon"],
                         dtype=object)
        p_nl = np.array([[0.75, 0.15, 0.10, 0], [0.55, 0.40, 0.05, 0], [0.35, 0.05, 0.60, 0],
                         [0.95, 0.05, 0, 0], [0.95, 0.05, 0, 0], [0.90, 0.07, 0.03, 0]])
        p_be = np.array([[0, 0.10, 0.05, 0.85]] * len(_TARGET_GROUPS))
        k_nl, k_be = _cat(rng, p_nl, self.tg), _cat(rng, p_be, self.tg)
        self.benefit_kind = kinds[np.where(self.flemish, k_be, k_nl)]
        self.benefit_kind[(self.tg_code == "young_people") & (rng.random(n) < 0.4)] = None
        uwv = ~self.flemish & np.isin(self.benefit_kind, ["unemployment", "disability"])

        n_mun = len(self.mun_name)
        n_cm_mun = np.maximum(1, np.round(np.bincount(self.mun, minlength=n_mun) / 60))
        n_cm_reg = np.where(self.region_flemish, 0, np.maximum(
            1, np.round(np.bincount(self.region[uwv], minlength=n_reg) / 60)))
        n_cm_mun, n_cm_reg = n_cm_mun.astype(np.int64), n_cm_reg.astype(np.int64)
        org_mun = np.where(self.mun_flemish, "OCMW ", "Gemeente ").astype(object) + self.mun_name
        org_reg = _arr(f"UWV {r}" for r in self.region_names)
        cm_group = np.r_[np.repeat(np.arange(n_mun), n_cm_mun),
                         n_mun + np.repeat(np.arange(n_reg), n_cm_reg)]
        n_cm = cm_group.size
        cm_names = np.char.add(
            np.char.add(_given_names(rng, rng.random(n_cm) < 0.2, rng.random(n_cm) < 0.65)
                        .astype(str), " "),
            _fictional_family_names(rng, n_cm))
        self.frame("case_managers", {
            "id": np.arange(1, n_cm + 1),
            "name": self._unlike_clients(cm_names),
            "organisation": np.r_[np.repeat(org_mun, n_cm_mun), np.repeat(org_reg, n_cm_reg)],
        })
        cm = _pick_member(rng, cm_group, np.where(uwv, n_mun + self.region, self.mun),
                          n_mun + n_reg)
        cm[rng.random(n) < 0.02] = -1
        self.case_manager_id = np.where(cm >= 0, cm + 1, -1)

    def employers(self) -> None:
        """The SDW's units, art. 60 employers and fictional regular employers."""
        rng, n = self.rng, self.n
        n_reg = len(self.region_names)
        reg_names = np.array(self.region_names, dtype=object)
        nl_regions = np.flatnonzero(~self.region_flemish)
        be_regions = np.flatnonzero(self.region_flemish)
        units = len(_SDW_UNITS)
        # 1. the social work company (seed 004): one employer per unit per Dutch region
        sdw_region = np.repeat(nl_regions, units)
        sdw_unit = np.tile(np.arange(units), nl_regions.size)
        sdw_name = ("Sociaal Werkbedrijf " + reg_names[sdw_region] + " – "
                    + _arr(u for u, _ in _SDW_UNITS)[sdw_unit])
        sdw_sector = _arr(s for _, s in _SDW_UNITS)[sdw_unit]
        # 2. art. 60 employers: each Flemish OCMW, plus social economy employers per region
        be_mun = np.flatnonzero(self.mun_flemish)
        soc_name = np.r_[_arr(f"OCMW {m} – eigen diensten" for m in self.mun_name[be_mun]),
                         _arr(f"Kringwinkel {self.region_names[r]}" for r in be_regions),
                         _arr(f"Sociale werkplaats {self.region_names[r]}" for r in be_regions)]
        soc_region = np.r_[self.mun_region[be_mun], be_regions, be_regions]
        soc_sector = np.r_[np.full(be_mun.size, "facility", dtype=object),
                           np.full(be_regions.size, "retail", dtype=object),
                           np.full(be_regions.size, "green", dtype=object)]
        soc_mun = np.r_[self.mun_name[be_mun], self.region_first_mun[be_regions],
                        self.region_first_mun[be_regions]]
        # 3. regular employers (about one per 25 trajectories), spread like the trajectories
        n_regular = max(20, n // 25)
        reg_p = np.bincount(self.region, minlength=n_reg) + 1.0
        emp_region = rng.choice(n_reg, size=n_regular, p=reg_p / reg_p.sum())
        emp_sector = _cat(rng, _SECTOR_P, n_regular)
        emp_mun = _pick_member(rng, self.mun_region, emp_region, n_reg)
        flem = self.region_flemish[emp_region]
        stem = _fictional_family_names(rng, n_regular)
        word = np.array([_SECTOR_WORD[s] for s in _SECTORS])[emp_sector]
        suffix = np.where(flem, np.array(_COMPANY_SUFFIX_BE)[rng.integers(0, 4, n_regular)],
                          np.array(_COMPANY_SUFFIX_NL)[rng.integers(0, 5, n_regular)])
        base = np.where(rng.random(n_regular) < 0.5,
                        np.char.add(np.char.add(word, " "), stem),
                        np.char.add(np.char.add(stem, " "), word))
        emp_name = np.char.strip(np.char.add(np.char.add(base, " "), suffix))

        n_sdw, n_soc = sdw_region.size, soc_region.size
        total = n_sdw + n_soc + n_regular
        kind = np.repeat([0, 1, 2], [n_sdw, n_soc, n_regular])
        region = np.r_[sdw_region, soc_region, emp_region]
        sector = np.r_[sdw_sector, soc_sector, np.array(_SECTORS, dtype=object)[emp_sector]]
        municipality = np.r_[self.region_first_mun[sdw_region], soc_mun, self.mun_name[emp_mun]]
        inclusive = np.where(kind < 2, True, rng.random(total) < 0.4)
        c_given = _given_names(rng, rng.random(total) < 0.15, rng.random(total) < 0.5).astype(str)
        c_family = _fictional_family_names(rng, total)
        slug = np.char.lower(np.char.replace(c_family, " ", ""))
        domain = np.char.add(np.char.lower(np.char.replace(
            _fictional_family_names(rng, total), " ", "")), ".example")
        initial = np.char.lower(c_given.astype("U1"))
        email = np.char.add(np.char.add(np.char.add(np.char.add(initial, "."), slug), "@"), domain)
        has_contact = rng.random(total) < 0.85
        self.frame("employers", {
            "id": np.arange(1, total + 1),
            "external_id": np.full(total, None, dtype=object),
            "name": np.r_[sdw_name, soc_name, emp_name.astype(object)],
            "sector": sector,
            "municipality": municipality,
            "region": reg_names[region],
            "inclusive": inclusive,
            "social_work_company": kind == 0,
            "contact_name": np.where(has_contact, np.char.add(np.char.add(c_given, " "), c_family)
                                     .astype(object), _NONE),
            "contact_email": np.where(has_contact & (rng.random(total) < 0.9),
                                      email.astype(object), _NONE),
        })
        self.emp_kind, self.emp_region = kind, region
        self.emp_municipality = municipality
        self.emp_sector = pd.Series(sector).map({s: i for i, s in enumerate(_SECTORS)}).to_numpy()
        self.emp_inclusive = inclusive

    def vacancies(self) -> None:
        """Vacancies (about one per 8 trajectories) over the three years, mostly at inclusive
        regular employers; required and wished skills are names clients' skills also use."""
        rng, n, today = self.rng, self.n, self.today
        n_vac = max(10, n // 8)
        regular_ids = np.flatnonzero(self.emp_kind == 2)
        weight = np.where(self.emp_inclusive[regular_ids], 2.0, 1.0)
        emp = rng.choice(regular_ids, size=n_vac, p=weight / weight.sum())
        sector = self.emp_sector[emp]
        titles = _arr(t for s in _SECTORS for t in (_JOB_TITLES[s] * 3)[:3])
        edu = np.array(["none", "vmbo", "mbo1", "mbo2", "mbo3"], dtype=object)[
            _cat(rng, [0.25, 0.2, 0.2, 0.25, 0.1], n_vac)]
        outdoor = np.isin(sector, [_SECTORS.index(s) for s in ("logistics", "construction",
                                                                "green")])
        licence = rng.random(n_vac) < np.where(outdoor, 0.35, 0.08)
        required: list[list[str] | None] = []
        for s in _SECTORS:
            for variant in _REQUIRED.get(s, ((), (), ())):
                for lic in (False, True):
                    items = [*variant, *(["Rijbewijs B"] if lic else [])]
                    required.append(items or None)
        req_idx = sector * 6 + rng.integers(0, 3, n_vac) * 2 + licence.astype(np.int64)
        wished = _arr([list(w) or None for w in _WISHED])[rng.integers(0, len(_WISHED), n_vac)]
        opened = today - self.u(0, _YEARS_BACK + 60, n_vac)
        closes = opened + self.u(14, 120, n_vac)
        closed = (closes <= today) & (rng.random(n_vac) < 0.95)
        self.vac_emp, self.vac_opened = emp, opened
        self.vac_edu_rank = pd.Series(edu).map(dict(vocab.EDUCATION_RANK)).to_numpy()
        self.frame("vacancies", {
            "id": np.arange(1, n_vac + 1),
            "external_id": np.full(n_vac, None, dtype=object),
            "employer_id": emp + 1,
            "title": titles[sector * 3 + rng.integers(0, 3, n_vac)],
            "sector": np.array(_SECTORS, dtype=object)[sector],
            "education_level": edu,
            "hours_per_week": np.array([16.0, 20, 24, 28, 32, 36, 38])[
                _cat(rng, [0.05, 0.15, 0.2, 0.15, 0.2, 0.15, 0.1], n_vac)],
            "municipality": self.emp_municipality[emp],
            "region": np.array(self.region_names, dtype=object)[self.emp_region[emp]],
            "driving_licence_required": licence,
            "language_level": np.array(["A2", "B1", "B2", None], dtype=object)[
                _cat(rng, [0.3, 0.5, 0.15, 0.05], n_vac)],
            "required_skills": _arr(required)[req_idx],
            "wished_skills": wished,
            "positions": np.array([1, 1, 1, 2, 2, 3, 4, 5])[rng.integers(0, 8, n_vac)],
            "opened_on": _to_datetime(opened),
            "closed_on": _to_datetime(np.where(closed, closes, NEVER)),
            "status": np.where(closed, "closed", "open").astype(object),
        })

    def trajectories(self) -> None:
        """Trajectories, their plans and phase events."""
        n = self.n
        ids = np.arange(1, n + 1)
        self.frame("trajectories", {
            "id": ids,
            "client_id": ids,
            "external_id": np.full(n, None, dtype=object),
            "method": np.where(self.flemish, "art60", "opstapbaan").astype(object),
            "registered_at": _minutes_to_datetime(self.reg_minutes),
            "case_manager_id": _ints(self.case_manager_id),
            "coach_id": _ints(self.coach_id),
            "phase": self.phase,
            "phase_since": _to_datetime(self.phase_since),
            "closed_on": _to_datetime(self.close_day),
            "outcome": self.outcome,
            "outcome_reason": self.outcome_reason,
        })
        goals = np.where(self.flemish, _PLAN_GOALS["art60"], _PLAN_GOALS["opstapbaan"])
        self.frame("trajectory_plans", {
            "id": ids,
            "trajectory_id": ids,
            "goals": goals.astype(object),
            "rules": np.full(n, _PLAN_RULES, dtype=object),
            "signed_case_manager_on": _to_datetime(self.sig[:, 0]),
            "signed_coach_on": _to_datetime(self.sig[:, 1]),
            "signed_client_on": _to_datetime(self.sig[:, 2]),
        })
        self.frame("phase_events", {
            "id": np.arange(1, self.pe_owner.size + 1),
            "trajectory_id": self.pe_owner + 1,
            "phase": self.pe_phase,
            "started_on": _to_datetime(self.pe_day),
            "actor": np.full(self.pe_owner.size, "demo", dtype=object),
        })

    def placements(self) -> None:
        """Placements at the SDW, art. 60 employers and regular employers, with job flags."""
        rng, n = self.rng, self.n
        n_reg, n_sec = len(self.region_names), len(_SECTORS)
        # one regular employer per trajectory: via a vacancy of the region opened shortly
        # before, else in a preferred sector of the region, else anywhere in the region
        vac = _pick_in_window(rng, self.emp_region[self.vac_emp], self.vac_opened, self.region,
                              self.e1_off - 90, self.e1_off - 5)
        via_vac = (rng.random(n) < 0.5) & (vac >= 0)
        regular_emp = self.emp_kind == 2
        key = np.where(regular_emp, self.emp_region * n_sec + self.emp_sector, n_reg * n_sec)
        by_sector = _pick_member(rng, key, self.region * n_sec + np.maximum(self.first_sector, 0),
                                 n_reg * n_sec + 1)
        by_region = _pick_member(rng, np.where(regular_emp, self.emp_region, n_reg), self.region,
                                 n_reg + 1)
        prefer = (rng.random(n) < 0.55) & (self.first_sector >= 0) & (by_sector >= 0)
        emp = np.where(prefer, by_sector, by_region)
        emp = np.where(via_vac, self.vac_emp[np.maximum(vac, 0)], emp)
        self.vacancy = np.where(via_vac, vac, -1)
        sdw = _pick_member(rng, np.where(self.emp_kind == 0, self.emp_region, n_reg),
                           self.region, n_reg + 1)
        social = _pick_member(rng, np.where(self.emp_kind == 1, self.emp_region, n_reg),
                              self.region, n_reg + 1)
        job_rank = np.where(via_vac, self.vac_edu_rank[np.maximum(vac, 0)],
                            np.array([2, 2, 3, 3, 4])[rng.integers(0, 5, n)])
        below = (self.edu_rank > job_rank) | ((self.edu == "foreign") & (rng.random(n) < 0.5))
        temp_p = np.where(self.tg_code == "young_people", 0.65, 0.45)

        parts: dict[str, list[np.ndarray]] = {k: [] for k in (
            "owner", "kind", "start", "end", "employer")}
        for ix, kinds, start, end, who in self.placement_slots:
            s = self.absolute(start, ix)
            keep = s <= self.end[ix]
            own = ix[keep]
            # a regular job of a trajectory closed with work runs on after closing (aftercare
            # ends, the job does not); every other placement ends at the latest at closing
            runs_on = (kinds[keep] == "regular") & (self.outcome[own] == "work")
            e = np.where(runs_on, self.absolute(end, ix)[keep],
                         np.minimum(self.absolute(end, ix)[keep],
                                    self.absolute(self.close_off[own], own)))
            employer = {"sdw": sdw, "social": social, "regular": emp}[who][own]
            if who == "social":  # only social employment is at the OCMW / social economy
                employer = np.where(kinds[keep] == "social_employment", employer, emp[own])
            for k, v in (("owner", own), ("kind", kinds[keep]), ("start", s[keep]), ("end", e),
                         ("employer", employer)):
                parts[k].append(v)
        cols = {k: np.concatenate(v) for k, v in parts.items()}
        order = np.lexsort((cols["start"], cols["owner"]))
        owner, kind, start, end, employer = (cols[k][order] for k in (
            "owner", "kind", "start", "end", "employer"))
        stepping = kind == "stepping_stone"
        fixed_term = np.isin(kind, ["stepping_stone", "social_employment", "secondment", "trial"])
        temporary = fixed_term | (rng.random(owner.size) < np.where(
            kind == "wage_subsidy", 0.8, temp_p[owner]))
        # some temporary regular contracts are not renewed: they end 6 or 12 months in
        not_renewed = (kind == "regular") & temporary & (end >= _LATER) & (
            rng.random(owner.size) < 0.2)
        end = np.where(not_renewed, start + rng.choice([183, 365], owner.size) - 1, end)
        end = np.where(end <= self.today, end, NEVER)
        field = self.field_sector[owner]
        outside = field != np.array(_SECTORS)[self.emp_sector[employer]]
        vacancy = np.where(employer == emp[owner], self.vacancy[owner], -1)
        hours = np.where(stepping, np.array([16.0, 20, 24, 28, 32])[rng.integers(0, 5, owner.size)],
                         np.array([20.0, 24, 28, 32, 36, 38])[rng.integers(0, 6, owner.size)])
        self.pl_owner, self.pl_kind, self.pl_start, self.pl_end = owner, kind, start, end
        self.frame("placements", {
            "id": np.arange(1, owner.size + 1),
            "trajectory_id": owner + 1,
            "employer_id": _ints(employer + 1, employer < 0),
            "vacancy_id": _ints(vacancy + 1, vacancy < 0),
            "kind": kind,
            "start_on": _to_datetime(start),
            "end_on": _to_datetime(end),
            "hours_per_week": hours,
            "temporary": _bools(temporary, np.zeros(owner.size, dtype=bool)),
            "below_level": _bools(below[owner], stepping),
            "outside_field": _bools(outside, stepping | (field == "")),
        })

    def match_decisions(self) -> None:
        """Matchtafel decisions: proposals on vacancies, introductions, refusals, hires."""
        rng, n, today = self.rng, self.n, self.today
        # hires: the vacancy a regular placement came from
        hired = np.flatnonzero((self.vacancy >= 0) & (self.e1_off <= self.end))
        hire_day = np.maximum(self.vac_opened[self.vacancy[hired]],
                              self.e1_off[hired] - self.u(3, 14, hired.size))
        # other proposals while preparing for work; young people are discussed more often
        young = self.tg_code == "young_people"
        count = np.where(self.intake_day < _LATER, np.where(
            young, _cat(rng, [0.6, 0.28, 0.1, 0.02], n), _cat(rng, [0.8, 0.17, 0.03, 0], n)), 0)
        owner = np.repeat(np.arange(n), count)
        until = np.minimum(self.end, np.where(self.e1_off < _LATER, self.e1_off - 1,
                                              self.end))[owner]
        lo = self.intake_day[owner]
        day = lo + (rng.random(owner.size) * np.maximum(until - lo, 0)).astype(np.int64)
        vac = _pick_in_window(rng, self.emp_region[self.vac_emp], self.vac_opened,
                              self.region[owner], day - 60, day)
        ok = (vac >= 0) & (day >= lo)
        owner, day, vac = owner[ok], day[ok], vac[ok]
        recent = self.open[owner] & (day >= today - 14)
        status = np.where(recent, _cat(rng, [0.6, 0.4, 0, 0], owner.size),
                          _cat(rng, [0.1, 0.3, 0, 0.6], owner.size))
        m_owner = np.r_[hired, owner]
        m_day = np.r_[hire_day, day]
        m_vac = np.r_[self.vacancy[hired], vac]
        m_status = np.r_[np.full(hired.size, 2), status]
        order = np.lexsort((m_day, m_owner))
        m_owner, m_day, m_vac, m_status = (a[order] for a in (m_owner, m_day, m_vac, m_status))
        k = m_owner.size
        declined = m_status == 3
        by = _cat(rng, [0.5, 0.3, 0.2], k)  # employer, client, coach
        parties = ("employer", "client", "coach")
        reasons = [_MATCH_DECLINE_REASONS[p] for p in parties]
        reason = _arr(r for rs in reasons for r in (rs * 3)[:3])[by * 3 + rng.integers(0, 3, k)]
        table = np.where(young[m_owner] | (rng.random(k) < 0.3), "Matchtafel ", "Jobcoach, ")
        decided_by = table.astype(object) + np.where(
            table == "Matchtafel ", np.array(self.region_names, dtype=object)[self.region[m_owner]],
            "na overleg met de klant")
        # a date per step: decided_on is the latest; hires and some refusals were introduced
        # to the employer first, and every pairing was proposed at a meeting before that
        introduced = (m_status == 1) | (m_status == 2) | (declined & (rng.random(k) < 0.4))
        intro_day = np.where(m_status == 1, m_day, m_day - self.u(5, 21, k))
        floor = np.maximum(self.vac_opened[m_vac], self.reg_day[m_owner])
        prop_day = np.where(m_status == 0, m_day,
                            np.where(introduced, intro_day, m_day) - self.u(3, 14, k))
        prop_day = np.minimum(np.maximum(prop_day, floor), m_day)
        intro_day = np.where(introduced, np.clip(intro_day, prop_day, m_day), NEVER)
        self.frame("match_decisions", {
            "id": np.arange(1, k + 1),
            "proposed_on": _to_datetime(prop_day),
            "introduced_on": _to_datetime(intro_day),
            "trajectory_id": m_owner + 1,
            "vacancy_id": m_vac + 1,
            "status": np.array(tuple(vocab.MATCH_STATUSES), dtype=object)[m_status],
            "decided_on": _to_datetime(m_day),
            "decided_by": decided_by,
            "score": np.round(np.where(m_status == 2, rng.uniform(70, 95, k),
                                       rng.uniform(40, 90, k)), 1),
            "declined_by": np.where(declined, np.array(parties, dtype=object)[by], _NONE),
            "reason": np.where(declined, reason, _NONE),
        })

    def network(self) -> None:
        """Network members: parents for young people, partner, friend, mentor for others."""
        rng, n = self.rng, self.n
        young = self.tg_code == "young_people"
        relations = tuple(vocab.NETWORK_RELATIONS)
        parents = np.where(young, 1 + (rng.random(n) < 0.5), 0)
        others = np.where(young, (rng.random(n) < 0.25).astype(np.int64),
                          _cat(rng, [0.6, 0.32, 0.08], n))
        o_owner = np.repeat(np.arange(n), others)
        o_rel = np.where(young[o_owner], relations.index("mentor"),
                         _cat(rng, [0, 0.35, 0.15, 0.25, 0.15, 0.05, 0.05], o_owner.size))
        owner = np.r_[np.repeat(np.arange(n), parents), o_owner]
        rel = np.r_[np.full(int(parents.sum()), relations.index("parent")), o_rel]
        order = np.argsort(owner, kind="stable")
        owner, rel = owner[order], rel[order]
        code = np.array(relations, dtype=object)[rel]
        notes = np.array([[_NETWORK_NOTES[r][0], _NETWORK_NOTES[r][-1]] for r in relations],
                         dtype=object)
        note = notes[rel, rng.integers(0, 2, owner.size)]
        self.frame("network_members", {
            "id": np.arange(1, owner.size + 1),
            "client_id": owner + 1,
            "relation": code,
            "involved": rng.random(owner.size) < np.where(code == "parent", 0.85, 0.5),
            "note": np.where(rng.random(owner.size) < 0.35, note, _NONE),
        })

    def skills(self) -> None:
        """Diplomas, certificates, licence, languages, computer and basic work skills."""
        rng, n = self.rng, self.n
        parts: list[tuple[np.ndarray, str, np.ndarray, np.ndarray, np.ndarray]] = []

        def add(mask: np.ndarray, kind: str, name: Any, level: Any, day: np.ndarray) -> None:
            idx = np.flatnonzero(mask)
            names = np.broadcast_to(np.asarray(name, dtype=object), (n,))[idx]
            levels = np.broadcast_to(np.asarray(level, dtype=np.int64), (n,))[idx]
            parts.append((idx, kind, names, levels, day[idx]))

        registered, assessed = self.reg_day, self.intake_day  # judged at the intake
        at_intake = assessed < _LATER
        has_field = self.field_sector != ""
        names = {f: pd.Series(self.edu).map(d).fillna("").to_numpy(dtype=object)
                 for f, d in ((True, _DIPLOMA_BE), (False, _DIPLOMA_NL))}
        diploma = np.where(self.flemish, names[True], names[False])
        with_field = np.where(has_field & (self.edu != "foreign"),
                              " " + np.where(has_field, self.field, ""), "")
        add(has_field, "diploma", diploma + with_field, -1, registered)
        for cert, p in _CERTIFICATES:
            add(rng.random(n) < p, "certificate", cert, -1, registered)
        licence_p = np.array([0.3, 0.6, 0.35, 0.3, 0.3, 0.45])[self.tg]
        add(rng.random(n) < licence_p, "driving_licence", "Rijbewijs B", -1, registered)
        refugee = self.tg_code == "refugees"
        dutch = np.where(self.migrant, np.where(refugee, self.u(1, 3, n), self.u(2, 4, n)),
                         self.u(4, 5, n))
        add(np.ones(n, dtype=bool), "language", "Nederlands", dutch, registered)
        mother = np.where(
            refugee, np.array(_LANG_REFUGEE, dtype=object)[rng.integers(0, len(_LANG_REFUGEE), n)],
            np.array(_LANG_MIGRANT, dtype=object)[rng.integers(0, len(_LANG_MIGRANT), n)])
        add(self.migrant, "language", mother, 5, registered)
        add(self.flemish & ~self.migrant & (rng.random(n) < 0.35), "language", "Frans",
            self.u(2, 3, n), registered)
        add(~(self.migrant & (mother == "Engels")) & (rng.random(n) < 0.12), "language", "Engels",
            self.u(2, 4, n), registered)
        young = self.tg_code == "young_people"
        add(at_intake & (rng.random(n) < 0.9), "computer", "Basisvaardigheden computer",
            np.where(young, self.u(3, 5, n), self.u(1, 4, n)), assessed)
        for code in ("punctuality", "social", "communication"):
            add(at_intake, "basic_work_skill", vocab.BASIC_WORK_SKILLS[code],
                self.u(2, 4, n) + (rng.random(n) < 0.2), assessed)
        add(at_intake, "motivation", "Motivatie voor werk", self.u(2, 5, n), assessed)
        add(rng.random(n) < np.where(young, 0.05, 0.12), "work_experience",
            np.array(_WORK_EXPERIENCE, dtype=object)[rng.integers(0, len(_WORK_EXPERIENCE), n)],
            -1, registered)

        owner = np.concatenate([p[0] for p in parts])
        order = np.argsort(owner, kind="stable")
        self.frame("skills", {
            "id": np.arange(1, owner.size + 1),
            "client_id": owner[order] + 1,
            "kind": np.repeat(_arr(p[1] for p in parts), [p[0].size for p in parts])[order],
            "name": np.concatenate([p[2] for p in parts])[order],
            "level": _ints(np.concatenate([p[3] for p in parts])[order]),
            "recorded_on": _to_datetime(np.concatenate([p[4] for p in parts])[order]),
        })

    def barriers(self) -> None:
        """Barriers (0-4 per trajectory) and referrals for many of the severe ones."""
        rng, n, today = self.rng, self.n, self.today
        first_contact = np.where(self.t3 <= self.end, self.t3, NEVER)
        count = np.where(first_contact < _LATER, _cat(rng, _BARRIER_COUNT_P, n), 0)
        complex_case = np.zeros(n, dtype=bool)  # many hand-offs: four severe, referred barriers
        complex_case[self.take(self.open & (self.intake_day <= today - 30), exclusive=False)] = 1
        count[complex_case] = 4
        weights = np.array([_BARRIER_W[t] for t in _TARGET_GROUPS], dtype=float)
        gumbel = np.log(weights[self.tg]) - np.log(-np.log(rng.random((n, len(_BARRIER_DOMAINS)))))
        owner = np.repeat(np.arange(n), count)
        domain = np.argsort(-gumbel, axis=1)[owner, _rank(owner)]  # distinct domains, weighted
        severity = np.where(complex_case[owner], 3, 1 + _cat(rng, [0.35, 0.4, 0.25], owner.size))
        noted = np.where(self.intake_day < _LATER, self.intake_day, first_contact)[owner]
        span = np.maximum(self.end[owner] - noted, 0)
        later = (rng.random(owner.size) < 0.25) & ~complex_case[owner]
        noted += np.where(later, (rng.random(owner.size) * span).astype(np.int64), 0)
        room = self.end[owner] - noted
        status = np.where(self.closed[owner], _cat(rng, [0.30, 0.25, 0.45], owner.size),
                          _cat(rng, [0.25, 0.45, 0.30], owner.size))  # open, in progress, solved
        status = np.where((status == 2) & ((room < 20) | complex_case[owner]), 1, status)
        resolved_on = np.where(status == 2, noted + 20 + (rng.random(owner.size) * np.maximum(
            room - 20, 0)).astype(np.int64), NEVER)
        self.frame("barriers", {
            "id": np.arange(1, owner.size + 1),
            "trajectory_id": owner + 1,
            "domain": np.array(_BARRIER_DOMAINS, dtype=object)[domain],
            "severity": severity,
            "status": np.array(tuple(vocab.BARRIER_STATUSES), dtype=object)[status],
            "noted_on": _to_datetime(noted),
            "resolved_on": _to_datetime(resolved_on),
            "notes": np.where(rng.random(owner.size) < 0.3, _arr(
                _BARRIER_NOTES[d] for d in _BARRIER_DOMAINS)[domain], _NONE),
        })
        self.b_owner, self.b_domain, self.b_severity = owner, domain, severity

        # referrals: most severe barriers, some moderate ones; the coach keeps following up
        referred = (rng.random(owner.size) < np.array([0.0, 0.05, 0.30, 0.85])[severity])
        ref_on = noted + self.u(0, 21, owner.size)
        referred = (referred | complex_case[owner]) & (ref_on <= self.end[owner])
        b = np.flatnonzero(referred)
        r_owner, r_on = owner[b], ref_on[b]
        r_open = self.open[r_owner]
        r_status = np.where(status[b] == 2, 2, np.where(
            r_open, _cat(rng, [0.35, 0.55, 0.10], b.size),
            _cat(rng, [0, 0.3, 0.5, 0.2], b.size)))  # referred, in care, completed, stopped
        follow = np.where(rng.random(b.size) < 0.08, today - self.u(29, 120, b.size),
                          today - self.u(0, 27, b.size))
        follow = np.where(r_open, follow, r_on + (rng.random(b.size) * (
            self.end[r_owner] - r_on)).astype(np.int64))
        follow = np.where(rng.random(b.size) < 0.03, NEVER, np.maximum(follow, r_on))
        # planted: a referral nobody followed up for weeks
        active = r_open & (r_status < 2) & (r_on <= today - 35)
        stale = np.zeros(n, dtype=bool)
        stale[self.take(np.bincount(r_owner[active], minlength=n) > 0, exclusive=False)] = True
        hit = active & stale[r_owner]
        first_hit = hit & ~np.r_[False, hit[:-1] & (r_owner[1:] == r_owner[:-1])]
        follow = np.where(first_hit, np.maximum(r_on, today - self.u(35, 90, b.size)), follow)
        agencies = np.where(self.flemish[r_owner][:, None],
                            _arr(_AGENCY_BE[d] for d in _BARRIER_DOMAINS)[None, :],
                            _arr(_AGENCY_NL[d] for d in _BARRIER_DOMAINS)[None, :])
        self.frame("referrals", {
            "id": np.arange(1, b.size + 1),
            "barrier_id": b + 1,
            "agency": agencies[np.arange(b.size), domain[b]],
            "referred_on": _to_datetime(r_on),
            "last_followed_up_on": _to_datetime(follow),
            "status": np.array(tuple(vocab.REFERRAL_STATUSES), dtype=object)[r_status],
        })

    def assessments(self) -> None:
        """ZRM assessments and ladder steps at the intake and about every 3 months."""
        rng, n = self.rng, self.n
        start = self.intake_day
        owner, day = _series(rng, start, self.end, (88, 100), (0, 0))
        step = _rank(owner)
        zrm = tuple(vocab.ZRM_DOMAINS)
        base = np.clip(3 + np.round(rng.normal(0, 0.6, (n, len(zrm)))), 1, 5).astype(np.int64)
        base[:, zrm.index("work_education")] = self.u(1, 3, n)
        zcol = np.array([zrm.index(_BARRIER_ZRM[d]) for d in _BARRIER_DOMAINS])[self.b_domain]
        np.minimum.at(base, (self.b_owner, zcol), 4 - self.b_severity)
        rate = rng.uniform(0.2, 0.6, n)  # steps up per assessment: tending to improve
        noise = np.round(rng.normal(0, 0.35, (owner.size, len(zrm))))
        scores = np.clip(base[owner] + np.floor(step[:, None] * rate[owner, None]) + noise, 1, 5)
        data: dict[str, Any] = {
            "id": np.arange(1, owner.size + 1),
            "trajectory_id": owner + 1,
            "assessed_on": _to_datetime(day),
        }
        for j, d in enumerate(zrm):
            data[d] = _ints(scores[:, j].astype(np.int64))
        self.frame("zrm_assessments", data)

        # ladder: at the intake, every third ZRM moment, the start of paid work with support
        # and of the regular job; rising towards work
        paid = np.minimum(self.ss_start, self.work_off)
        at_paid = np.flatnonzero(paid <= self.end)
        with_job = np.flatnonzero(self.regular < _LATER)
        even = step % 3 == 0
        l_owner = np.r_[owner[even], at_paid, with_job]
        l_day = np.r_[day[even], paid[at_paid], self.regular[with_job]]
        order = np.lexsort((l_day, l_owner))
        l_owner, l_day = l_owner[order], l_day[order]
        early = np.where(self.tg_code == "young_people", 3, 2) - (rng.random(n) < 0.3)
        rung = np.select(
            [l_day >= self.regular[l_owner], l_day >= paid[l_owner]], [6, 5],
            np.minimum(early[l_owner] + (l_day - start[l_owner] > 60), 4))
        self.frame("ladder_steps", {
            "id": np.arange(1, l_owner.size + 1),
            "trajectory_id": l_owner + 1,
            "assessed_on": _to_datetime(l_day),
            "rung": rung.astype(np.int64),
        })

    def contacts(self) -> None:
        """Contacts (handover, intake, progress, weekly reviews) and agreements after them."""
        rng, n, today = self.rng, self.n, self.today
        end = self.end
        t3 = np.where(self.t3 <= end, self.t3, NEVER)
        # progress contacts every 2-3 weeks (within the contact_gap rule, with room for the
        # hand-over to the next kind), except where weekly reviews (stepping stone) or
        # aftercare contacts (aftercare stage) take over
        gap = self.limit("contact_gap", "weeks") * 7
        step = (gap // 2, gap - 4)
        review = self.limit("weekly_review", "days")
        review_step = (review, review + self.limit("weekly_review", "grace_days"))
        ac = self.aftercare_from
        stop_a = np.minimum(end, np.minimum(self.ss_start, ac) - 1)
        o1, d1 = _series(rng, t3, stop_a, step, (12, step[1]))
        after_ss = np.where(self.ss_end < end, self.ss_end, NEVER)
        o2, d2 = _series(rng, after_ss, np.minimum(end, ac - 1), step, (1, 8))
        resume = np.where(self.resume_off <= end, self.resume_off, NEVER)
        o3, d3 = _series(rng, resume, end, step, (0, 7))
        ss_from = np.where(self.ss_start <= end, self.ss_start, NEVER)
        ss_until = np.minimum(self.ss_end, end)
        ow, dw = _series(rng, ss_from, ss_until, review_step, (0, 3))
        go, gd = np.r_[o1, o2, o3], np.r_[d1, d2, d3]
        kinds = tuple(vocab.CONTACT_KINDS)  # kinds stay codes (positions) until the frame
        code = {k: i for i, k in enumerate(kinds)}
        kind = np.array([code[k] for k in _GENERIC_KINDS])[_cat(rng, _GENERIC_KIND_P, go.size)]
        kind = np.where((kind == code["employer"]) & (gd < self.work_off[go]), code["progress"],
                        kind)

        # gaps: a missed week now and then, a summer holiday for some, a few silent now
        skip_lo = np.where(rng.random(n) < 0.10, ss_from + (rng.random(n) * np.maximum(
            ss_until - ss_from, 0)).astype(np.int64), NEVER)
        keep = _drop_window(ow, dw, skip_lo, skip_lo + 14)
        lo = np.full(n, NEVER)
        late = self.take(self.open & (self.phase == "stepping_stone")
                         & (self.ss_start <= today - 21))
        lo[late] = today - self.u(12, 20, late.size)
        keep &= _drop_window(ow, dw, lo, np.full(n, today))
        ow, dw = ow[keep], dw[keep]
        mid = self.reg_day + (rng.random(n) * np.maximum(end - self.reg_day, 0)).astype(np.int64)
        jan1 = mid.astype("datetime64[D]").astype("datetime64[Y]").astype("datetime64[D]")
        hol_lo = np.where(rng.random(n) < 0.07, jan1.astype(np.int64) + 181 + self.u(0, 20, n),
                          NEVER)
        hol_hi = hol_lo + self.u(35, 49, n)
        silent = self.take(self.open & (self.intake_day <= today - 75) & (ac > today))
        hol_lo[silent] = today - self.u(30, 70, silent.size)
        hol_hi[silent] = today
        c_owner, c_day = np.r_[go, ow], np.r_[gd, dw]
        c_kind = np.r_[kind, np.full(ow.size, code["weekly_review"])]
        keep = _drop_window(c_owner, c_day, hol_lo, hol_hi)
        has_t3 = np.flatnonzero(t3 < _LATER)
        has_in = np.flatnonzero(self.intake_day < _LATER)
        c_owner = np.r_[has_t3, has_in, c_owner[keep]]
        c_day = np.r_[t3[has_t3], self.intake_day[has_in], c_day[keep]]
        c_kind = np.r_[np.full(has_t3.size, code["three_way"]), np.full(has_in.size,
                                                                        code["intake"]),
                       c_kind[keep]]
        order = np.lexsort((c_day, c_owner))
        c_owner, c_day, c_kind = c_owner[order], c_day[order], c_kind[order]
        m = c_owner.size

        # the coach on duty that day: the latest assignment not after the contact
        shift, base = np.int64(1) << 20, self.today - 5000
        key_a = self.ca_owner.astype(np.int64) * shift + (self.ca_minute // 1440 - base)
        pos = np.searchsorted(key_a, c_owner.astype(np.int64) * shift + (c_day - base), "right")
        pos = np.clip(pos - 1, 0, max(self.ca_owner.size - 1, 0))
        coach = np.full(m, -1)
        if self.ca_owner.size:
            coach = np.where(self.ca_owner[pos] == c_owner, self.ca_coach[pos], -1)

        locations = _arr(x for k in kinds for x in (_LOCATIONS[k] * 3)[:3])
        location = locations[c_kind * 3 + rng.integers(0, 3, m)]
        handover = c_kind == code["three_way"]
        location[handover & self.flemish[c_owner]] = "OCMW"
        participants = _arr(_PARTICIPANTS[k] for k in kinds)[c_kind]
        intake = c_kind == code["intake"]
        with_companion = np.flatnonzero(intake & (rng.random(m) < 0.45))
        companions = _arr(f"{_PARTICIPANTS['intake']}, {c}" for c in _INTAKE_COMPANIONS)
        participants[with_companion] = companions[
            rng.integers(0, len(_INTAKE_COMPANIONS), with_companion.size)]
        r = rng.random(m)
        notes = np.where(handover | intake | (r < 0.15),
                         _arr(_CONTACT_NOTES[k] for k in kinds)[c_kind],
                         np.where(r < 0.3, _texts(_CONTACT_NOTES_EXTRA, rng.integers(
                             0, len(_CONTACT_NOTES_EXTRA), m)), _NONE))
        self.frame("contacts", {
            "id": np.arange(1, m + 1),
            "trajectory_id": c_owner + 1,
            "kind": np.array(kinds, dtype=object)[c_kind],
            "held_on": _to_datetime(c_day),
            "coach_id": _ints(coach),
            "location": location,
            "participants": participants,
            "notes": notes,
        })
        talk = np.isin(c_kind, [code[k] for k in ("three_way", "intake", "progress",
                                                   "home_visit")])
        self.agreements(c_owner, c_day, talk)

    def agreements(self, c_owner: np.ndarray, c_day: np.ndarray, talk: np.ndarray) -> None:
        """Agreements after contacts (mostly after real talks, marked by ``talk``): most kept,
        some not kept (with a reason), some still open."""
        rng, n, today = self.rng, self.n, self.today
        m = c_owner.size
        per = np.where(talk, _cat(rng, [0.6, 0.32, 0.08], m),
                       (rng.random(m) < 0.05).astype(np.int64))
        contact = np.repeat(np.arange(m), per)
        owner, held = c_owner[contact], c_day[contact]
        k = contact.size
        what = rng.integers(0, len(_AGREEMENTS), k)
        due = held + self.u(7, 28, k)
        unreliable = rng.random(n) < 0.07
        not_kept = rng.random(k) < np.where(unreliable[owner], 0.35, 0.04)
        status = np.where(not_kept, 2, 1)  # 0 open, 1 kept, 2 not kept
        done = np.where(not_kept, np.minimum(due + self.u(0, 5, k), today),
                        np.maximum(held, due - self.u(0, 6, k)))
        forgotten = rng.random(k) < np.where(due >= today - 45, 0.025, 0.005)
        status = np.where((due > today) | forgotten, 0, status)
        # a closed trajectory leaves nothing open: settled on closing at the latest
        close = self.close_day[owner]
        settle = self.closed[owner] & ((status == 0) | (done > close))
        worked = self.outcome[owner] == "work"
        status = np.where(settle, np.where(worked, 1, 2), status)
        done = np.where(settle, close, done)
        reason_idx = rng.integers(0, len(_NOT_KEPT_REASONS), k)
        reason = np.where(settle & ~worked, _CLOSURE_REASON, _arr(_NOT_KEPT_REASONS)[reason_idx])

        # planted: agreements left open past their date; repeatedly not kept lately
        recent = self.open[owner] & (due < today) & (due >= today - 60)
        overdue = np.zeros(n, dtype=bool)
        overdue[self.take(np.bincount(owner[recent], minlength=n) > 0, exclusive=False)] = True
        status = np.where(recent & overdue[owner], 0, status)
        window = self.open[owner] & (due <= today - 2) & (due >= today - 85)
        repeat = np.zeros(n, dtype=bool)
        repeat[self.take((np.bincount(owner[window], minlength=n) >= 2) & ~overdue,
                         exclusive=False)] = True
        sel = np.flatnonzero(window & repeat[owner])
        mark = sel[_rank(owner[sel]) < 2]
        status[mark] = 2
        done[mark] = np.minimum(due[mark] + self.u(0, 2, mark.size), today)

        self.frame("agreements", {
            "id": np.arange(1, k + 1),
            "trajectory_id": owner + 1,
            "contact_id": _ints(contact + 1),
            "what": _arr(w for w, _ in _AGREEMENTS)[what],
            "who": _arr(p for _, p in _AGREEMENTS)[what],
            "due_on": _to_datetime(due),
            "status": np.array(tuple(vocab.AGREEMENT_STATUSES), dtype=object)[status],
            "closed_on": _to_datetime(np.where(status == 0, NEVER, done)),
            "reason_not_kept": np.where(status == 2, reason, _NONE),
        })

    def aftercare(self) -> None:
        """Aftercare contacts with employee and employer every 1-2 weeks; the end report."""
        rng, n, today = self.rng, self.n, self.today
        start = self.aftercare_from
        until = np.minimum(np.minimum(start + 95, self.end), self.ac_until - 1)
        every = self.limit("aftercare_contact", "days")
        owner, day = _series(rng, start, np.where(start < _LATER, until, NEVER),
                             (every - 3, every), (0, 4))
        gap_lo = np.where(rng.random(n) < 0.08, start + self.u(10, 60, n), NEVER)
        keep = _drop_window(owner, day, gap_lo, gap_lo + 12)
        lo = np.full(n, NEVER)
        now = self.open & (start <= today - 25) & (self.ac_until > today)
        late = self.take(now)
        lo[late] = today - self.u(16, 30, late.size)
        keep &= _drop_window(owner, day, lo, np.full(n, today))
        owner, day = owner[keep], day[keep]
        # each moment: one talk with both, or separate talks with employee and employer
        split = rng.random(owner.size) < 0.15
        owner = np.repeat(owner, 1 + split)
        day = np.repeat(day, 1 + split)
        party_ix = np.where(np.repeat(split, 1 + split), _rank(np.repeat(
            np.arange(split.size), 1 + split)), 2)
        m = owner.size
        # the placement running that day (the latest one started on or before it)
        shift, base = np.int64(1) << 20, self.today - 5000
        key_p = self.pl_owner.astype(np.int64) * shift + (self.pl_start - base)
        pos = np.searchsorted(key_p, owner.astype(np.int64) * shift + (day - base), "right") - 1
        pos = np.clip(pos, 0, max(self.pl_owner.size - 1, 0))
        has_pl = (self.pl_owner.size > 0) & (self.pl_owner[pos] == owner) if m else \
            np.zeros(0, dtype=bool)
        self.frame("aftercare_contacts", {
            "id": np.arange(1, m + 1),
            "trajectory_id": owner + 1,
            "placement_id": _ints(pos + 1, ~has_pl),
            "held_on": _to_datetime(day),
            "party": np.array(tuple(vocab.AFTERCARE_PARTIES), dtype=object)[party_ix],
            "notes": np.where(rng.random(m) < 0.35, _texts(
                _AFTERCARE_NOTES, rng.integers(0, len(_AFTERCARE_NOTES), m)), _NONE),
        })

        # the end report after aftercare: mostly within days, some late or missing
        written = self.ac_until + np.where(rng.random(n) < 0.05, self.u(20, 45, n),
                                           self.u(-3, 10, n))
        written = np.maximum(written, start)
        has = (start < _LATER) & (self.ac_until <= self.end) & (written <= today)
        has &= rng.random(n) < 0.95
        has[self.take((start <= today - 130) & (self.ac_until <= today - 20))] = False
        rows = np.flatnonzero(has)
        data: dict[str, Any] = {
            "id": np.arange(1, rows.size + 1),
            "trajectory_id": rows + 1,
            "written_on": _to_datetime(written[rows]),
        }
        for col, texts in _END_REPORT.items():
            data[col] = _texts(texts, rng.integers(0, len(texts), rows.size))
        self.frame("end_reports", data)

    def benefits(self) -> None:
        """Benefit periods until work; some placed clients back on benefit (revolving door)."""
        rng, n, today = self.rng, self.n, self.today
        has = pd.notna(self.benefit_kind)
        start = self.reg_day - self.u(30, 1500, n)
        stop = np.where(self.benefit_stop <= self.end, self.benefit_stop - 1, NEVER)
        gone = self.closed & np.isin(self.outcome, ["education", "moved"]) & (stop >= _LATER)
        stop = np.where(gone, self.close_day, stop)
        # second periods: unemployment after art. 60 without a next job; back on benefit
        # after losing the job in aftercare; the revolving door after closing with work
        after_art60 = (self.unemployed_from <= self.end) & self.closed
        lost = self.lost_job & self.closed & (rng.random(n) < 0.5)
        worked = self.closed & (self.outcome == "work") & (self.regular < _LATER)
        revolving = worked & (rng.random(n) < 0.09)
        revolving[self.take(worked & (self.close_day <= today - 30)
                            & (self.regular >= today - 300), exclusive=False)] = True
        last_day = np.minimum(self.regular + 360, today)
        rev_start = self.close_day + 5 + (rng.random(n) * np.maximum(
            last_day - self.close_day - 5, 0)).astype(np.int64)
        much_later = worked & ~revolving & (rng.random(n) < 0.04)
        second = np.select(
            [after_art60, lost, revolving, much_later],
            [self.unemployed_from, self.close_day + self.u(0, 30, n), rev_start,
             self.regular + self.u(400, 700, n)], NEVER)
        second = np.where(second <= today, second, NEVER)
        owner1, owner2 = np.flatnonzero(has), np.flatnonzero(second < _LATER)
        welfare = np.where(self.flemish, "leefloon", "social_assistance").astype(object)
        kind2 = np.where(after_art60 | (rng.random(n) < 0.5), "unemployment", welfare)
        ends2 = second + self.u(60, 200, n)
        ends2 = np.where((rng.random(n) < 0.3) & (ends2 <= today), ends2, NEVER)
        owner = np.r_[owner1, owner2]
        order = np.argsort(owner, kind="stable")
        self.frame("benefit_periods", {
            "id": np.arange(1, owner.size + 1),
            "client_id": owner[order] + 1,
            "kind": np.r_[self.benefit_kind[owner1], kind2[owner2]][order],
            "start_on": _to_datetime(np.r_[start[owner1], second[owner2]][order]),
            "end_on": _to_datetime(np.r_[stop[owner1], ends2[owner2]][order]),
        })
        # a regular job still running ends the day before the client is back on benefit
        back = np.full(n, NEVER)
        back[owner2] = second[owner2]
        rows = np.flatnonzero((self.pl_kind == "regular") & (self.pl_end >= back[self.pl_owner])
                              & (back[self.pl_owner] < _LATER)
                              & (back[self.pl_owner] > self.pl_start))
        frame = self.frames["placements"]
        end_on = frame["end_on"].to_numpy(copy=True)
        end_on[rows] = _to_datetime(np.maximum(back[self.pl_owner[rows]] - 1, self.pl_start[rows]))
        frame["end_on"] = end_on


def generate(size: int, seed: int = 1, as_of: dt.date | None = None) -> dict[str, pd.DataFrame]:
    """Return a reproducible synthetic register of ``size`` trajectories, one frame per table.

    Every frame has exactly its table's columns (ids included, ``version`` = 1); dates are
    ``datetime64`` with NaT for missing, nullable integers ``Int64``, JSON columns Python lists
    (shared between rows: treat them as read-only). The same ``size``, ``seed`` and ``as_of``
    (default: today) give identical frames.
    """
    return _Builder(size, seed, as_of or dt.date.today()).run()


def build(store: Any, size: int, seed: int = 1, as_of: dt.date | None = None) -> dict[str, int]:
    """Fill an empty store with a synthetic register; return the row count per table.

    ``as_of`` defaults to the store's today, so the register looks current to the store.
    """
    day = as_of or getattr(store, "today", None) or dt.date.today()
    counts: dict[str, int] = store.bulk_load(generate(size, seed=seed, as_of=day), actor="demo")
    # fictional people only: trainers may open it; the fictional BSNs are allowed to be stored
    store.set_info("synthetic", "true", actor="demo")
    store.set_info("bsn_enabled", "true", actor="demo")
    return counts


__all__ = ["FICTIONAL_MARKERS", "TABLES", "build", "generate"]
