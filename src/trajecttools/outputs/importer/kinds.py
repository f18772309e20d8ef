"""The import kinds: the fields each kind fills, the records it refers to, its Dutch headers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from trajecttools.core import validation

#: Import kind -> its Dutch name.
KINDS: Mapping[str, str] = {
    "clients": "klanten",
    "trajectories": "trajecten",
    "contacts": "contactmomenten",
    "employers": "werkgevers",
    "vacancies": "vacatures",
    "register": "register",
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

    def label(self, name: str) -> str:
        """Return the Dutch label of a field (or of the column a reference fills)."""
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
        ),
        {},
        {
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
}

#: Identity of a contact: one of a kind per trajectory a day.
CONTACT_KEY = ("trajectory_id", "kind", "held_on")
