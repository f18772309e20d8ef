"""The import kinds: the fields each kind fills, the records it refers to, its Dutch headers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from trajecttools.core import validation

#: Import kind -> its Dutch name.
KINDS: Mapping[str, str] = {
    "clients": "klanten",
    "trajectories": "trajecten",
    "contacts": "contactmomenten",
    "employers": "werkgevers",
    "vacancies": "vacatures",
    "coaches": "jobcoaches",
    "users": "gebruikers",
    "register": "register",
    "caseload": "caseload (klant en traject per rij)",
}


@dataclass(frozen=True)
class Ref:
    """A source field naming another record by its code, external number or name."""

    column: str  # the entity column it fills (e.g. client_id)
    target: str  # the referenced entity
    keys: tuple[str, ...]  # target columns tried in order (external_id, code, name)
    label: str  # Dutch label


@dataclass(frozen=True)
class KindSpec:
    """One import kind: its entity, the fields it fills, its references and header aliases."""

    entity: str
    fields: tuple[str, ...]
    refs: Mapping[str, Ref]
    aliases: Mapping[str, tuple[str, ...]]
    labels: Mapping[str, str] = field(default_factory=dict)  # fields outside the record

    def label(self, name: str) -> str:
        """Return the Dutch label of a field (or of the column a reference fills)."""
        if name in self.labels:
            return self.labels[name]
        for fld, ref in self.refs.items():
            if name in (fld, ref.column):
                return ref.label
        return validation.field_label(self.entity, name)


#: The kinds read from one CSV or sheet (not "register"), by kind.
KIND_SPECS: Mapping[str, KindSpec] = {
    "clients": KindSpec(
        "clients",
        (
            "external_id",
            "given_name",
            "family_name",
            "birth_date",
            "bsn",
            "national_register_number",
            "postcode",
            "municipality",
            "region",
            "target_group",
            "education_level",
            "education_field",
            "wishes",
            "preferred_sectors",
            "left_school_on",
        ),
        {},
        {
            "left_school_on": ("Van school gegaan op", "Schoolverlaatdatum", "Van school op",
                               "Einde opleiding"),
            "external_id": ("Klantnummer", "Clientnummer", "Cliëntnummer", "Nummer", "Id"),
            "given_name": ("Roepnaam",),
            "family_name": ("Naam", "Familienaam"),
            "birth_date": ("Geboren", "Geboren op"),
            "target_group": ("Doelgroep",),
            "education_level": ("Opleiding", "Niveau"),
            "municipality": ("Woonplaats",),
            "national_register_number": ("Rijksregisternummer", "INSZ", "Rijksregister"),
        },
    ),
    "trajectories": KindSpec(
        "trajectories",
        (
            "external_id",
            "client",
            "method",
            "registered_at",
            "case_manager",
            "coach",
            "phase",
            "phase_since",
            "closed_on",
            "outcome",
            "outcome_reason",
        ),
        {
            "client": Ref("client_id", "clients", ("external_id",), "Klant"),
            "coach": Ref("coach_id", "coaches", ("code", "name"), "Jobcoach"),
            "case_manager": Ref("case_manager_id", "case_managers", ("name",), "Casemanager"),
        },
        {
            "external_id": ("Trajectnummer", "Nummer", "Id"),
            "client": ("Klant", "Klantnummer", "Extern nummer klant", "Cliëntnummer"),
            "registered_at": ("Aanmelddatum", "Aangemeld op", "Startdatum"),
            "coach": ("Jobcoach", "Coach", "Code jobcoach"),
            "case_manager": ("Casemanager", "Consulent"),
        },
    ),
    "contacts": KindSpec(
        "contacts",
        ("trajectory", "kind", "held_on", "coach", "location", "participants", "notes"),
        {
            "trajectory": Ref("trajectory_id", "trajectories", ("external_id",), "Traject"),
            "coach": Ref("coach_id", "coaches", ("code", "name"), "Jobcoach"),
        },
        {
            "trajectory": ("Traject", "Trajectnummer", "Extern nummer traject"),
            "kind": ("Soort", "Type contact"),
            "held_on": ("Datum contact", "Gehouden op", "Contactdatum"),
            "coach": ("Jobcoach", "Coach"),
        },
    ),
    "employers": KindSpec(
        "employers",
        (
            "external_id",
            "name",
            "sector",
            "municipality",
            "region",
            "inclusive",
            "social_work_company",
            "contact_name",
            "contact_email",
        ),
        {},
        {
            "external_id": ("Werkgeversnummer", "Nummer", "Id", "KvK-nummer"),
            "name": ("Werkgever", "Naam", "Bedrijf"),
            "contact_email": ("E-mail",),
        },
    ),
    "vacancies": KindSpec(
        "vacancies",
        (
            "external_id",
            "employer",
            "title",
            "sector",
            "education_level",
            "hours_per_week",
            "municipality",
            "region",
            "driving_licence_required",
            "language_level",
            "required_skills",
            "wished_skills",
            "positions",
            "opened_on",
            "closed_on",
            "status",
        ),
        {"employer": Ref("employer_id", "employers", ("external_id", "name"), "Werkgever")},
        {
            "external_id": ("Vacaturenummer", "Nummer", "Id"),
            "employer": ("Werkgever", "Extern nummer werkgever", "Bedrijf"),
            "title": ("Titel", "Vacature", "Functietitel"),
            "hours_per_week": ("Uren",),
            "positions": ("Plaatsen",),
            "opened_on": ("Geopend op", "Startdatum"),
        },
    ),
    # organisation set-up (trajecttools.outputs.importer.organisation): coach by code, user by login
    "coaches": KindSpec(
        "coaches",
        ("code", "name", "team", "active"),
        {"team": Ref("team_id", "teams", ("name",), "Team")},
        {
            "code": ("Code jobcoach", "Coachcode", "Medewerkercode", "Medewerker"),
            "name": ("Naam jobcoach", "Jobcoach", "Coach", "Volledige naam"),
            "team": ("Teamnaam",),
            "active": ("In dienst",),
        },
    ),
    "users": KindSpec(
        "users",
        ("login", "role", "coach", "team"),
        {},
        {
            "login": ("Gebruiker", "Gebruikersnaam", "Inlognaam", "Login", "Account"),
            "role": ("Rol",),
            "coach": ("Jobcoach", "Code jobcoach", "Coach"),
            "team": ("Team", "Teamnaam"),
        },
        {"login": "Gebruikersnaam", "role": "Rol", "coach": "Code jobcoach", "team": "Team"},
    ),
}

#: Import kinds that set up the organisation (functional administrator only).
ORGANISATION_KINDS = frozenset({"coaches", "users"})

#: Identity of a contact: one of a kind per trajectory a day.
CONTACT_KEY = ("trajectory_id", "kind", "held_on")


# -- caseload: client and trajectory in one row -------------------------------------------------
#: Caseload field -> Dutch label (the header accepted without a mapping, and used in messages).
CASELOAD_LABELS: Mapping[str, str] = {
    "trajectory_number": "Trajectnummer",
    "client_number": "Klantnummer",
    "given_name": "Voornaam",
    "family_name": "Achternaam",
    "birth_date": "Geboortedatum",
    "bsn": "BSN",
    "postcode": "Postcode",
    "municipality": "Gemeente",
    "region": "Regio",
    "target_group": "Doelgroep",
    "education_level": "Opleidingsniveau",
    "education_field": "Opleidingsrichting",
    "method": "Methode",
    "registered_at": "Datum aanmelding",
    "case_manager": "Casemanager",
    "coach": "Jobcoach",
    "plan_signed_on": "Datum plan getekend",
    "intake_on": "Datum intake",
    "phase": "Fase",
    "phase_since": "Datum fase",
    "outcome": "Uitkomst",
}

#: Caseload fields that fill the client, by the client field they fill.
CASELOAD_CLIENT = {
    "client_number": "external_id",
    "given_name": "given_name",
    "family_name": "family_name",
    "birth_date": "birth_date",
    "bsn": "bsn",
    "postcode": "postcode",
    "municipality": "municipality",
    "region": "region",
    "target_group": "target_group",
    "education_level": "education_level",
    "education_field": "education_field",
}

#: Caseload fields that fill the trajectory, by the trajectory field they fill.
CASELOAD_TRAJECTORY = {
    "trajectory_number": "external_id",
    "method": "method",
    "registered_at": "registered_at",
    "phase": "phase",
    "phase_since": "phase_since",
    "outcome": "outcome",
}

#: Fields a caseload key (``[options] key`` of the mapping) may combine.
CASELOAD_KEY_FIELDS = ("client_number", "registered_at", "method")
#: Default identity of a trajectory in a file without trajectory numbers.
CASELOAD_DEFAULT_KEY = ("client_number", "registered_at")

KIND_SPECS = {
    **KIND_SPECS,
    "caseload": KindSpec(
        "caseload",
        tuple(CASELOAD_LABELS),
        {
            "coach": Ref("coach_id", "coaches", ("code", "name"), "Jobcoach"),
            "case_manager": Ref("case_manager_id", "case_managers", ("name",), "Casemanager"),
        },
        {
            "trajectory_number": ("Trajectnr", "Extern nummer traject"),
            "client_number": ("Clientnummer", "Cliëntnummer", "Klantnr", "Extern nummer klant",
                              "Extern nummer"),
            "given_name": ("Roepnaam",),
            "family_name": ("Naam", "Familienaam"),
            "birth_date": ("Geboren", "Geboren op"),
            "education_level": ("Opleiding", "Niveau"),
            "municipality": ("Woonplaats",),
            "registered_at": ("Aanmelddatum", "Aangemeld op", "Aanmelding", "Startdatum"),
            "coach": ("Coach", "Code jobcoach", "Trajectbegeleider"),
            "plan_signed_on": ("Plan getekend op", "Datum plan ondertekend", "Plan getekend"),
            "intake_on": ("Intakedatum", "Intake op", "Intake"),
            "phase_since": ("In fase sinds", "Fase sinds", "Datum fase", "Fasedatum"),
        },
        CASELOAD_LABELS,
    ),
}
