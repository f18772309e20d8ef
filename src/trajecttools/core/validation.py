"""Validation of records at the edges (forms, imports, API writes), with Dutch messages.

Each writable table has a pydantic model whose field titles are the Dutch labels users see.
:func:`validate` turns any problem into
:class:`~trajecttools.core.errors.InvalidRecord` naming every
bad field in Dutch; nothing reaches the database before the whole record is valid.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import re
from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    create_model,
    field_validator,
    model_validator,
)

from trajecttools.core import vocab
from trajecttools.core.dates import parse_date, parse_datetime
from trajecttools.core.errors import FieldProblem, InvalidRecord
from trajecttools.core.identifiers import (
    bsn_problem,
    normalise_bsn,
    normalise_rrn,
    rrn_problem,
)

ENTITY_LABELS: Mapping[str, str] = {
    "teams": "Team",
    "coaches": "Jobcoach",
    "case_managers": "Casemanager",
    "clients": "Klant",
    "network_members": "Netwerklid",
    "trajectories": "Traject",
    "trajectory_plans": "Trajectplan",
    "phase_events": "Fasewissel",
    "coach_assignments": "Toewijzing jobcoach",
    "barriers": "Belemmering",
    "referrals": "Doorverwijzing",
    "skills": "Vaardigheid",
    "zrm_assessments": "ZRM-meting",
    "ladder_steps": "Participatieladder",
    "contacts": "Contactmoment",
    "agreements": "Afspraak",
    "employers": "Werkgever",
    "vacancies": "Vacature",
    "placements": "Plaatsing",
    "aftercare_contacts": "Nazorgcontact",
    "end_reports": "Beëindigingsrapportage",
    "benefit_periods": "Uitkeringsperiode",
    "match_decisions": "Matchbesluit",
    "audit_log": "Auditlog",
    "register_info": "Registerinformatie",
}

def _blank_to_none(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


#: Invisible control characters (tab, newline and carriage return excepted): PostgreSQL cannot
#: store NUL, and the others hide text from whoever reads it (same rule as the import).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _clean_text(value: Any) -> Any:
    """Trim text (blank becomes None) and refuse invisible control characters."""
    if isinstance(value, bytes | bytearray | memoryview):
        raise ValueError("moet tekst zijn")
    value = _blank_to_none(value)
    if isinstance(value, str):
        bad = _CONTROL.search(value)
        if bad is not None:
            raise ValueError(f"bevat een onzichtbaar stuurteken (U+{ord(bad.group()):04X}); "
                             "verwijder het")
    return value


DateField = Annotated[dt.date, BeforeValidator(parse_date)]
DateTimeField = Annotated[dt.datetime, BeforeValidator(parse_datetime)]
Text = Annotated[str, BeforeValidator(_clean_text)]


def _code(codes: Mapping[Any, str]) -> Any:
    """Annotated validator accepting a code or its Dutch label, returning the code."""
    by_label = {str(lbl).casefold(): code for code, lbl in codes.items()}

    def check(value: Any) -> Any:
        value = _blank_to_none(value)
        if value is None or (isinstance(value, str | int) and value in codes):
            return value
        if isinstance(value, int | float) and not isinstance(value, bool):
            return value  # numeric range checks (ge/le) give the message
        if isinstance(value, str) and value.casefold() in by_label:
            return by_label[value.casefold()]
        if isinstance(value, str) and value.isdigit() and int(value) in codes:
            return int(value)
        options = ", ".join(str(v) for v in codes.values())
        raise ValueError(f"onbekende waarde '{value}'; kies uit: {options}")

    return BeforeValidator(check)


def _today(info: ValidationInfo) -> dt.date:
    ctx = info.context or {}
    today = ctx.get("today")
    return today if isinstance(today, dt.date) else dt.date.today()


def _not_future(value: dt.date | dt.datetime | None, info: ValidationInfo) -> Any:
    if value is None:
        return value
    day = value.date() if isinstance(value, dt.datetime) else value
    if day > _today(info):
        raise ValueError("mag niet in de toekomst liggen")
    return value


class Record(BaseModel):
    """Base of all edge records: unknown keys refused, text trimmed."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


def _not_before(later: dt.date | None, earlier: dt.date | None, field: str, label: str) -> None:
    if later is not None and earlier is not None and later < earlier:
        raise ValueError(f"{field}|mag niet vóór {label} liggen")


class TeamRecord(Record):
    name: Text = Field(title="Teamnaam", max_length=80)
    region: Text | None = Field(None, title="Regio", max_length=80)


class CoachRecord(Record):
    code: Text = Field(title="Code", max_length=20)
    name: Text = Field(title="Naam", max_length=120)
    team_id: int | None = Field(None, title="Team")
    active: bool = Field(True, title="Actief")


class CaseManagerRecord(Record):
    name: Text = Field(title="Naam", max_length=120)
    organisation: Text = Field(title="Organisatie", max_length=120)


class ClientRecord(Record):
    pseudonym: Text | None = Field(None, title="Pseudoniem", max_length=20)
    external_id: Text | None = Field(None, title="Extern nummer", max_length=64)
    given_name: Text = Field(title="Voornaam", max_length=80)
    family_name: Text = Field(title="Achternaam", max_length=120)
    birth_date: DateField | None = Field(None, title="Geboortedatum")
    bsn: Text | None = Field(None, title="BSN")
    national_register_number: Text | None = Field(None, title="Rijksregisternummer")
    postcode: Text | None = Field(None, title="Postcode", max_length=10)
    municipality: Text | None = Field(None, title="Gemeente", max_length=80)
    region: Text | None = Field(None, title="Regio", max_length=80)
    target_group: Annotated[str, _code(vocab.TARGET_GROUPS)] = Field(title="Doelgroep")
    education_level: Annotated[str | None, _code(vocab.EDUCATION_LEVELS)] = Field(
        None, title="Opleidingsniveau"
    )
    education_field: Text | None = Field(None, title="Opleidingsrichting", max_length=80)
    wishes: Text | None = Field(None, title="Wensen", max_length=2000)
    preferred_sectors: list[Annotated[str, _code(vocab.SECTORS)]] | None = Field(
        None, title="Voorkeurssectoren"
    )
    preferred_hours: int | None = Field(None, title="Gewenste uren per week", ge=0, le=40)
    left_school_on: DateField | None = Field(None, title="Van school gegaan op")

    @field_validator("left_school_on")
    @classmethod
    def _left_school(cls, value: dt.date | None, info: ValidationInfo) -> dt.date | None:
        if value is not None and value > _today(info):
            raise ValueError("mag niet in de toekomst liggen")
        return value

    @field_validator("birth_date")
    @classmethod
    def _birth(cls, value: dt.date | None, info: ValidationInfo) -> dt.date | None:
        if value is None:
            return value
        today = _today(info)
        if value > today:
            raise ValueError("mag niet in de toekomst liggen")
        age = (today - value).days / 365.25
        if age < 14 or age > 80:
            raise ValueError(f"geeft een leeftijd van {int(age)} jaar; controleer de datum")
        return value

    @field_validator("national_register_number")
    @classmethod
    def _rrn(cls, value: str | None) -> str | None:
        if value is None:
            return value
        problem = rrn_problem(value)
        if problem is not None:
            raise ValueError(problem)
        return normalise_rrn(value)

    @field_validator("bsn")
    @classmethod
    def _bsn(cls, value: str | None) -> str | None:
        if value is None:
            return value
        problem = bsn_problem(value)
        if problem is not None:
            raise ValueError(problem)
        return normalise_bsn(value)

    @field_validator("postcode")
    @classmethod
    def _postcode(cls, value: str | None) -> str | None:
        if value is None:
            return value
        compact = value.replace(" ", "").upper()
        if re.fullmatch(r"[1-9]\d{3}[A-Z]{2}", compact):
            return f"{compact[:4]} {compact[4:]}"
        if re.fullmatch(r"[1-9]\d{3}", compact):
            return compact
        raise ValueError("is geen geldige postcode (1234 AB of, in België, 1234)")


class NetworkMemberRecord(Record):
    client_id: int = Field(title="Klant")
    relation: Annotated[str, _code(vocab.NETWORK_RELATIONS)] = Field(title="Relatie")
    involved: bool = Field(True, title="Betrokken bij traject")
    note: Text | None = Field(None, title="Notitie", max_length=2000)


#: Why a closing with outcome "other route" needs a reason (“Traject Work-2-Gether”: a motivated
#: proposal).
OTHER_ROUTE_REASON_MESSAGE = "is verplicht bij een ander traject (motiveer het voorstel)"


class TrajectoryRecord(Record):
    client_id: int = Field(title="Klant")
    external_id: Text | None = Field(None, title="Extern nummer", max_length=64)
    method: Text = Field(title="Methode", max_length=40)
    registered_at: DateTimeField = Field(title="Aanmelding")
    case_manager_id: int | None = Field(None, title="Casemanager")
    coach_id: int | None = Field(None, title="Jobcoach")
    phase: Text = Field(title="Fase", max_length=40)
    phase_since: DateField = Field(title="In fase sinds")
    closed_on: DateField | None = Field(None, title="Afgesloten op")
    outcome: Annotated[str | None, _code(vocab.OUTCOMES)] = Field(None, title="Uitkomst")
    outcome_reason: Text | None = Field(None, title="Toelichting uitkomst", max_length=2000)

    _future = field_validator("registered_at", "phase_since", "closed_on")(_not_future)

    @model_validator(mode="after")
    def _closing(self) -> TrajectoryRecord:
        if (self.closed_on is None) != (self.outcome is None):
            raise ValueError(
                "outcome|een afgesloten traject heeft een uitkomst en een afsluitdatum"
            )
        if self.outcome == "other_route" and not self.outcome_reason:
            raise ValueError(f"outcome_reason|{OTHER_ROUTE_REASON_MESSAGE}")
        return self


class TrajectoryPlanRecord(Record):
    trajectory_id: int = Field(title="Traject")
    goals: Text | None = Field(None, title="Doelen", max_length=4000)
    rules: Text | None = Field(None, title="Spelregels", max_length=4000)
    signed_case_manager_on: DateField | None = Field(None, title="Getekend door casemanager")
    signed_coach_on: DateField | None = Field(None, title="Getekend door jobcoach")
    signed_client_on: DateField | None = Field(None, title="Getekend door klant")

    _future = field_validator("signed_case_manager_on", "signed_coach_on", "signed_client_on")(
        _not_future
    )


class BarrierRecord(Record):
    trajectory_id: int = Field(title="Traject")
    domain: Annotated[str, _code(vocab.BARRIER_DOMAINS)] = Field(title="Leefgebied")
    severity: Annotated[int, _code(vocab.BARRIER_SEVERITIES)] = Field(title="Ernst", ge=1, le=3)
    status: Annotated[str, _code(vocab.BARRIER_STATUSES)] = Field("open", title="Status")
    noted_on: DateField = Field(title="Gesignaleerd op")
    resolved_on: DateField | None = Field(None, title="Opgelost op")
    notes: Text | None = Field(None, title="Toelichting", max_length=4000)

    _future = field_validator("noted_on", "resolved_on")(_not_future)

    @model_validator(mode="after")
    def _resolved(self) -> BarrierRecord:
        _not_before(self.resolved_on, self.noted_on, "resolved_on", "de signaleringsdatum")
        if self.status == "resolved" and self.resolved_on is None:
            raise ValueError("resolved_on|is verplicht als de belemmering is opgelost")
        return self


class ReferralRecord(Record):
    barrier_id: int = Field(title="Belemmering")
    agency: Text = Field(title="Doorverwezen naar", max_length=120)
    referred_on: DateField = Field(title="Doorverwezen op")
    last_followed_up_on: DateField | None = Field(None, title="Laatst opgevolgd op")
    status: Annotated[str, _code(vocab.REFERRAL_STATUSES)] = Field("referred", title="Status")

    _future = field_validator("referred_on", "last_followed_up_on")(_not_future)

    @model_validator(mode="after")
    def _order(self) -> ReferralRecord:
        _not_before(
            self.last_followed_up_on, self.referred_on, "last_followed_up_on", "de doorverwijzing"
        )
        return self


class SkillRecord(Record):
    client_id: int = Field(title="Klant")
    kind: Annotated[str, _code(vocab.SKILL_KINDS)] = Field(title="Soort")
    name: Text = Field(title="Omschrijving", max_length=120)
    level: Annotated[int | None, _code(vocab.SKILL_LEVELS)] = Field(
        None, title="Niveau", ge=1, le=5
    )
    recorded_on: DateField = Field(title="Vastgelegd op")

    _future = field_validator("recorded_on")(_not_future)


_ZRM_FIELDS: dict[str, Any] = {
    code: (
        Annotated[int | None, _code(vocab.ZRM_LEVELS)],
        Field(None, title=f"ZRM {label}", ge=1, le=5),
    )
    for code, label in vocab.ZRM_DOMAINS.items()
}


class _ZrmBase(Record):
    trajectory_id: int = Field(title="Traject")
    assessed_on: DateField = Field(title="Meetdatum")

    _future = field_validator("assessed_on")(_not_future)

    @model_validator(mode="after")
    def _some_score(self) -> _ZrmBase:
        if all(getattr(self, d) is None for d in vocab.ZRM_DOMAINS):
            raise ValueError("finances|vul minstens één domein van de ZRM in")
        return self


def _zrm_model() -> type[Record]:
    return create_model("ZrmAssessmentRecord", __base__=_ZrmBase, **_ZRM_FIELDS)


ZrmAssessmentRecord = _zrm_model()


class LadderStepRecord(Record):
    trajectory_id: int = Field(title="Traject")
    assessed_on: DateField = Field(title="Meetdatum")
    rung: Annotated[int, _code(vocab.LADDER_RUNGS)] = Field(title="Trede", ge=1, le=6)

    _future = field_validator("assessed_on")(_not_future)


class ContactRecord(Record):
    trajectory_id: int = Field(title="Traject")
    kind: Annotated[str, _code(vocab.CONTACT_KINDS)] = Field(title="Soort contact")
    held_on: DateField = Field(title="Datum")
    coach_id: int | None = Field(None, title="Jobcoach")
    location: Text | None = Field(None, title="Locatie", max_length=80)
    participants: Text | None = Field(None, title="Deelnemers", max_length=200)
    notes: Text | None = Field(None, title="Verslag", max_length=8000)

    _future = field_validator("held_on")(_not_future)


class AgreementRecord(Record):
    trajectory_id: int = Field(title="Traject")
    contact_id: int | None = Field(None, title="Contactmoment")
    what: Text = Field(title="Wat", max_length=300)
    who: Annotated[str, _code(vocab.AGREEMENT_PARTIES)] = Field(title="Wie")
    due_on: DateField = Field(title="Uiterlijk op")
    status: Annotated[str, _code(vocab.AGREEMENT_STATUSES)] = Field("open", title="Status")
    closed_on: DateField | None = Field(None, title="Afgehandeld op")
    reason_not_kept: Text | None = Field(None, title="Reden niet nagekomen", max_length=2000)

    _future = field_validator("closed_on")(_not_future)

    @model_validator(mode="after")
    def _status(self) -> AgreementRecord:
        if self.status == "not_kept" and not self.reason_not_kept:
            raise ValueError("reason_not_kept|is verplicht als de afspraak niet is nagekomen")
        if self.status != "open" and self.closed_on is None:
            raise ValueError("closed_on|is verplicht als de afspraak is afgehandeld")
        if self.status == "open" and self.closed_on is not None:
            raise ValueError("closed_on|mag alleen bij een afgehandelde afspraak")
        return self


class EmployerRecord(Record):
    external_id: Text | None = Field(None, title="Extern nummer", max_length=64)
    name: Text = Field(title="Naam werkgever", max_length=160)
    sector: Annotated[str | None, _code(vocab.SECTORS)] = Field(None, title="Sector")
    municipality: Text | None = Field(None, title="Gemeente", max_length=80)
    region: Text | None = Field(None, title="Regio", max_length=80)
    inclusive: bool = Field(False, title="Inclusieve werkgever")
    social_work_company: bool = Field(False, title="Sociaal werkbedrijf")
    contact_name: Text | None = Field(None, title="Contactpersoon", max_length=120)
    contact_email: Text | None = Field(None, title="E-mail contactpersoon", max_length=160)

    @field_validator("contact_email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", value):
            raise ValueError("is geen geldig e-mailadres")
        return value


class VacancyRecord(Record):
    external_id: Text | None = Field(None, title="Extern nummer", max_length=64)
    employer_id: int = Field(title="Werkgever")
    title: Text = Field(title="Functie", max_length=160)
    sector: Annotated[str | None, _code(vocab.SECTORS)] = Field(None, title="Sector")
    education_level: Annotated[str | None, _code(vocab.EDUCATION_LEVELS)] = Field(
        None, title="Opleidingsniveau"
    )
    hours_per_week: float | None = Field(None, title="Uren per week", gt=0, le=60)
    municipality: Text | None = Field(None, title="Gemeente", max_length=80)
    region: Text | None = Field(None, title="Regio", max_length=80)
    driving_licence_required: bool = Field(False, title="Rijbewijs vereist")
    language_level: Annotated[str | None, _code(vocab.LANGUAGE_LEVELS)] = Field(
        None, title="Taalniveau"
    )
    required_skills: list[Annotated[str, BeforeValidator(_blank_to_none)]] | None = Field(
        None, title="Vereiste vaardigheden"
    )
    wished_skills: list[Annotated[str, BeforeValidator(_blank_to_none)]] | None = Field(
        None, title="Gewenste vaardigheden"
    )
    positions: int = Field(1, title="Aantal plaatsen", ge=1, le=1000)
    opened_on: DateField = Field(title="Open sinds")
    closed_on: DateField | None = Field(None, title="Gesloten op")
    status: Annotated[str, _code(vocab.VACANCY_STATUSES)] = Field("open", title="Status")

    @model_validator(mode="after")
    def _order(self) -> VacancyRecord:
        _not_before(self.closed_on, self.opened_on, "closed_on", "de openingsdatum")
        return self


class PlacementRecord(Record):
    trajectory_id: int = Field(title="Traject")
    employer_id: int | None = Field(None, title="Werkgever")
    vacancy_id: int | None = Field(None, title="Vacature")
    kind: Annotated[str, _code(vocab.PLACEMENT_TYPES)] = Field(title="Soort plaatsing")
    start_on: DateField = Field(title="Startdatum")
    end_on: DateField | None = Field(None, title="Einddatum")
    hours_per_week: float | None = Field(None, title="Uren per week", gt=0, le=60)
    temporary: bool | None = Field(None, title="Tijdelijk contract")
    below_level: bool | None = Field(None, title="Onder opleidingsniveau")
    outside_field: bool | None = Field(None, title="Buiten vakgebied")
    promised_contract_months: int | None = Field(
        None, title="Beloofd contract zonder proeftijd (maanden)", ge=1, le=120)
    user_organisation: Text | None = Field(
        None, title="Gebruiker (terbeschikkingstelling)", max_length=160
    )

    @model_validator(mode="after")
    def _order(self) -> PlacementRecord:
        _not_before(self.end_on, self.start_on, "end_on", "de startdatum")
        return self

    @model_validator(mode="after")
    def _art60_user(self) -> PlacementRecord:
        # “Trajectbegeleiding in vijf fasen (OCMW, art. 60§7)”: the OCMW is the employer and
        # may put the client at the disposal of a social workplace, a vzw, a thrift shop ...
        if self.kind == "social_employment" and not (self.user_organisation or "").strip():
            raise ValueError(
                "user_organisation|is verplicht bij een tewerkstelling art. 60§7: noem de"
                " organisatie waar de cliënt werkt (het OCMW zelf of de gebruiker bij"
                " terbeschikkingstelling); de werkgever is het OCMW"
            )
        return self


class AftercareContactRecord(Record):
    trajectory_id: int = Field(title="Traject")
    placement_id: int | None = Field(None, title="Plaatsing")
    held_on: DateField = Field(title="Datum")
    party: Annotated[str, _code(vocab.AFTERCARE_PARTIES)] = Field(title="Met wie")
    notes: Text | None = Field(None, title="Verslag", max_length=8000)

    _future = field_validator("held_on")(_not_future)


class EndReportRecord(Record):
    trajectory_id: int = Field(title="Traject")
    written_on: DateField = Field(title="Datum rapportage")
    aftercare_summary: Text | None = Field(None, title="Verloop nazorg", max_length=8000)
    results: Text | None = Field(None, title="Behaalde resultaten", max_length=8000)
    remaining_points: Text | None = Field(None, title="Resterende aandachtspunten", max_length=8000)
    actions_taken: Text | None = Field(None, title="Wat is ingezet", max_length=8000)
    continuation: Text | None = Field(None, title="Hoe verder", max_length=8000)

    _future = field_validator("written_on")(_not_future)


class MatchDecisionRecord(Record):
    trajectory_id: int = Field(title="Traject")
    vacancy_id: int = Field(title="Vacature")
    status: Annotated[str, _code(vocab.MATCH_STATUSES)] = Field("proposed", title="Status")
    decided_on: DateField = Field(title="Datum besluit")
    decided_by: Text | None = Field(None, title="Besloten door", max_length=80)
    score: float | None = Field(None, title="Score", ge=0, le=100)
    declined_by: Annotated[str | None, _code(vocab.MATCH_DECLINED_BY)] = Field(
        None, title="Afgewezen door"
    )
    reason: Text | None = Field(None, title="Reden", max_length=2000)
    proposed_on: DateField | None = Field(None, title="Voorgesteld op")
    introduced_on: DateField | None = Field(None, title="Voorgesteld aan werkgever op")

    _future = field_validator("decided_on", "proposed_on", "introduced_on")(_not_future)

    @model_validator(mode="after")
    def _step_dates(self) -> MatchDecisionRecord:
        steps = [("proposed_on", self.proposed_on), ("introduced_on", self.introduced_on),
                 ("decided_on", self.decided_on)]
        known = [(name, day) for name, day in steps if day is not None]
        for (before, earlier), (name, later) in itertools.pairwise(known):
            if later < earlier:
                label = type(self).model_fields[before].title
                raise ValueError(f"{name}|ligt vóór '{label}' ({earlier:%d-%m-%Y})")
        if self.status == "proposed" and self.introduced_on is not None:
            raise ValueError("introduced_on|alleen na een voorstel aan de werkgever")
        return self

    @model_validator(mode="after")
    def _declined(self) -> MatchDecisionRecord:
        if self.status == "declined" and (self.declined_by is None or not self.reason):
            raise ValueError(
                "reason|bij een afwijzing zijn 'afgewezen door' en een reden verplicht"
            )
        if self.status != "declined" and self.declined_by is not None:
            raise ValueError("declined_by|alleen bij een afwijzing")
        return self


class BenefitPeriodRecord(Record):
    client_id: int = Field(title="Klant")
    kind: Annotated[str, _code(vocab.BENEFIT_KINDS)] = Field(title="Soort uitkering")
    start_on: DateField = Field(title="Ingang")
    end_on: DateField | None = Field(None, title="Einde")

    @model_validator(mode="after")
    def _order(self) -> BenefitPeriodRecord:
        _not_before(self.end_on, self.start_on, "end_on", "de ingangsdatum")
        return self


RECORDS: Mapping[str, type[Record]] = {
    "teams": TeamRecord,
    "coaches": CoachRecord,
    "case_managers": CaseManagerRecord,
    "clients": ClientRecord,
    "network_members": NetworkMemberRecord,
    "trajectories": TrajectoryRecord,
    "trajectory_plans": TrajectoryPlanRecord,
    "barriers": BarrierRecord,
    "referrals": ReferralRecord,
    "skills": SkillRecord,
    "zrm_assessments": ZrmAssessmentRecord,
    "ladder_steps": LadderStepRecord,
    "contacts": ContactRecord,
    "agreements": AgreementRecord,
    "employers": EmployerRecord,
    "vacancies": VacancyRecord,
    "placements": PlacementRecord,
    "aftercare_contacts": AftercareContactRecord,
    "end_reports": EndReportRecord,
    "benefit_periods": BenefitPeriodRecord,
    "match_decisions": MatchDecisionRecord,
}

_MESSAGES = {
    "missing": "is verplicht",
    "string_type": "moet tekst zijn",
    "string_too_long": "is te lang (maximaal {max_length} tekens)",
    "too_long": "is te lang (maximaal {max_length} tekens)",
    "string_too_short": "mag niet leeg zijn",
    "int_parsing": "moet een geheel getal zijn",
    "int_type": "moet een geheel getal zijn",
    "int_from_float": "moet een geheel getal zijn",
    "float_parsing": "moet een getal zijn",
    "float_type": "moet een getal zijn",
    "bool_parsing": "moet ja of nee zijn",
    "bool_type": "moet ja of nee zijn",
    "greater_than_equal": "moet minstens {ge} zijn",
    "greater_than": "moet groter zijn dan {gt}",
    "less_than_equal": "mag hoogstens {le} zijn",
    "less_than": "moet kleiner zijn dan {lt}",
    "list_type": "moet een lijst zijn",
    "date_type": "is geen geldige datum (gebruik dd-mm-jjjj)",
    "datetime_type": "is geen geldig tijdstip (gebruik dd-mm-jjjj uu:mm)",
    "extra_forbidden": "is geen bekend veld",
    "none_required": "moet leeg zijn",
    "string_unicode": "moet tekst zijn",
    "string_sub_type": "moet tekst zijn",
    "finite_number": "moet een eindig getal zijn",
    "int_parsing_size": "is te groot",
    "dict_type": "heeft een ongeldige waarde",
    "model_type": "heeft een ongeldige waarde",
    "date_from_datetime_inexact": "is geen geldige datum (gebruik dd-mm-jjjj)",
    "date_parsing": "is geen geldige datum (gebruik dd-mm-jjjj)",
    "datetime_parsing": "is geen geldig tijdstip (gebruik dd-mm-jjjj uu:mm)",
}
#: Said of a field when pydantic reports a problem that has no Dutch text above.
_FALLBACK = "heeft een ongeldige waarde"


def _problem(model: type[Record], err: Mapping[str, Any]) -> FieldProblem:
    loc = tuple(err.get("loc") or ())
    field = str(loc[0]) if loc else ""
    message = _MESSAGES.get(str(err["type"]))
    if err.get("input", ...) is None and str(err["type"]).endswith("_type"):
        message = "is verplicht"
    if message is None and str(err["type"]) != "value_error":
        message = _FALLBACK  # never pydantic's English on a screen
    if message is None:
        message = str(err.get("msg", "")).removeprefix("Value error, ")
    else:
        with contextlib.suppress(KeyError, IndexError):
            message = message.format(**(err.get("ctx") or {}))
    if not field and "|" in message:  # model-level check naming its field: "field|message"
        field, message = message.split("|", 1)
    info = model.model_fields.get(field)
    label = info.title if info is not None and info.title else field or "Record"
    if len(loc) > 1 and isinstance(loc[1], int):
        label = f"{label} ({loc[1] + 1}e waarde)"
    return FieldProblem(field=field, label=label, message=message)


def validate(
    entity: str,
    values: Mapping[str, Any],
    *,
    row: int | None = None,
    today: dt.date | None = None,
) -> dict[str, Any]:
    """Validate a record of ``entity`` and return its clean values, or raise InvalidRecord."""
    model = RECORDS[entity]
    try:
        clean = model.model_validate(dict(values), context={"today": today or dt.date.today()})
    except ValidationError as exc:
        problems: list[FieldProblem] = []
        seen: set[tuple[str, str]] = set()
        for err in exc.errors():
            p = _problem(model, err)
            if (p.field, p.message) not in seen:
                seen.add((p.field, p.message))
                problems.append(p)
        raise InvalidRecord(ENTITY_LABELS.get(entity, entity), problems, row=row) from None
    return clean.model_dump()


def field_label(entity: str, field: str) -> str:
    """Return the Dutch label of a field of an entity."""
    model = RECORDS.get(entity)
    info = model.model_fields.get(field) if model else None
    return info.title if info is not None and info.title else field


__all__ = [
    "ENTITY_LABELS",
    "OTHER_ROUTE_REASON_MESSAGE",
    "RECORDS",
    "field_label",
    "parse_date",
    "parse_datetime",
    "validate",
]
