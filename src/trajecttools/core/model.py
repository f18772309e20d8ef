"""The case register's tables, as SQLAlchemy 2 declarative classes.

Rows that people edit carry a ``version`` column: SQLAlchemy adds ``WHERE version = n`` to every
UPDATE, and the store refuses an edit made on an older version (no lost updates). History
(phases, coach assignments, audit) is append-only.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

from trajecttools.core.vocab import ZRM_DOMAINS

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base with a naming convention, so migrations are stable across databases."""

    metadata = MetaData(naming_convention=NAMING)


class Versioned:
    """Mixin: an optimistic-lock version counter, bumped by every UPDATE."""

    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        return {"version_id_col": cls.__table__.c.version}  # type: ignore[attr-defined]


def _fk(target: str, *, nullable: bool = False, index: bool = True) -> Mapped[Any]:
    return mapped_column(ForeignKey(target, ondelete="RESTRICT"), nullable=nullable, index=index)


class Team(Base):
    """A team of coaches, usually one per region."""

    __tablename__ = "teams"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    region: Mapped[str | None] = mapped_column(String(80))


class Coach(Versioned, Base):
    """A job coach (jobcoach / arbeidstrajectbegeleider)."""

    __tablename__ = "coaches"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    team_id: Mapped[int | None] = _fk("teams.id", nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class CaseManager(Versioned, Base):
    """A case manager or consultant at the municipality, UWV or OCMW who refers clients."""

    __tablename__ = "case_managers"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    organisation: Mapped[str] = mapped_column(String(120))


class Client(Versioned, Base):
    """A person guided to work. Identity lives here and nowhere else."""

    __tablename__ = "clients"
    id: Mapped[int] = mapped_column(primary_key=True)
    pseudonym: Mapped[str] = mapped_column(String(20), unique=True)
    external_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    given_name: Mapped[str] = mapped_column(String(80))
    family_name: Mapped[str] = mapped_column(String(120))
    birth_date: Mapped[dt.date | None] = mapped_column(Date)
    bsn: Mapped[str | None] = mapped_column(String(9))
    #: Belgian rijksregisternummer: only where the register switched it on (register.bsn).
    national_register_number: Mapped[str | None] = mapped_column(String(11))
    #: Only for anonymised clients (retention purge): birth_date is then removed.
    birth_year: Mapped[int | None] = mapped_column(SmallInteger)
    postcode: Mapped[str | None] = mapped_column(String(10))
    municipality: Mapped[str | None] = mapped_column(String(80))
    region: Mapped[str | None] = mapped_column(String(80), index=True)
    target_group: Mapped[str] = mapped_column(String(30), index=True)
    education_level: Mapped[str | None] = mapped_column(String(20))
    education_field: Mapped[str | None] = mapped_column(String(80))
    wishes: Mapped[str | None] = mapped_column(Text)
    preferred_sectors: Mapped[list[str] | None] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    #: Hours a week the client wishes to work (0-40); empty when not asked yet.
    preferred_hours: Mapped[int | None] = mapped_column(Integer)
    #: The day the client left school (young people), for the time from school to work.
    left_school_on: Mapped[dt.date | None] = mapped_column(Date)


class NetworkMember(Base):
    """Someone in the client's network (parents for young people, partner, mentor)."""

    __tablename__ = "network_members"
    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = _fk("clients.id")
    relation: Mapped[str] = mapped_column(String(20))
    involved: Mapped[bool] = mapped_column(Boolean, default=True)
    note: Mapped[str | None] = mapped_column(Text)


class Trajectory(Versioned, Base):
    """One guided route of a client to work. ``phase`` and ``coach_id`` are the current state;
    their history is in ``phase_events`` and ``coach_assignments``."""

    __tablename__ = "trajectories"
    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = _fk("clients.id")
    external_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    method: Mapped[str] = mapped_column(String(40), index=True)
    registered_at: Mapped[dt.datetime] = mapped_column(DateTime)
    case_manager_id: Mapped[int | None] = _fk("case_managers.id", nullable=True)
    coach_id: Mapped[int | None] = _fk("coaches.id", nullable=True)
    phase: Mapped[str] = mapped_column(String(40), index=True)
    phase_since: Mapped[dt.date] = mapped_column(Date)
    closed_on: Mapped[dt.date | None] = mapped_column(Date)
    outcome: Mapped[str | None] = mapped_column(String(20))
    outcome_reason: Mapped[str | None] = mapped_column(Text)


class TrajectoryPlan(Versioned, Base):
    """The trajectory plan: goals and rules of the game, signed by case manager, coach, client."""

    __tablename__ = "trajectory_plans"
    id: Mapped[int] = mapped_column(primary_key=True)
    trajectory_id: Mapped[int] = mapped_column(
        ForeignKey("trajectories.id", ondelete="RESTRICT"), unique=True
    )
    goals: Mapped[str | None] = mapped_column(Text)
    rules: Mapped[str | None] = mapped_column(Text)
    signed_case_manager_on: Mapped[dt.date | None] = mapped_column(Date)
    signed_coach_on: Mapped[dt.date | None] = mapped_column(Date)
    signed_client_on: Mapped[dt.date | None] = mapped_column(Date)


class PhaseEvent(Base):
    """Entry of a trajectory into a phase (append-only)."""

    __tablename__ = "phase_events"
    __table_args__ = (
        Index("ix_phase_events_trajectory_started", "trajectory_id", "started_on", "phase"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    trajectory_id: Mapped[int] = _fk("trajectories.id")
    phase: Mapped[str] = mapped_column(String(40))
    started_on: Mapped[dt.date] = mapped_column(Date)
    actor: Mapped[str | None] = mapped_column(String(80))
    #: A choice made on entering the phase (art. 60: "regular" or "art60") and its reason.
    decision: Mapped[str | None] = mapped_column(String(20))
    decision_reason: Mapped[str | None] = mapped_column(Text)


class CoachAssignment(Base):
    """A coach assigned to a trajectory from a moment on (append-only)."""

    __tablename__ = "coach_assignments"
    __table_args__ = (
        Index("ix_coach_assignments_trajectory_at", "trajectory_id", "assigned_at", "coach_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    trajectory_id: Mapped[int] = _fk("trajectories.id")
    coach_id: Mapped[int] = _fk("coaches.id")
    assigned_at: Mapped[dt.datetime] = mapped_column(DateTime)
    reason: Mapped[str | None] = mapped_column(String(200))


class Barrier(Versioned, Base):
    """An obstacle on the way to work, in one domain, with a severity and status."""

    __tablename__ = "barriers"
    __table_args__ = (CheckConstraint("severity BETWEEN 1 AND 3", name="severity"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    trajectory_id: Mapped[int] = _fk("trajectories.id")
    domain: Mapped[str] = mapped_column(String(20))
    severity: Mapped[int] = mapped_column(SmallInteger)
    status: Mapped[str] = mapped_column(String(20), default="open")
    noted_on: Mapped[dt.date] = mapped_column(Date)
    resolved_on: Mapped[dt.date | None] = mapped_column(Date)
    notes: Mapped[str | None] = mapped_column(Text)


class Referral(Versioned, Base):
    """Referral of a barrier to another agency; the coach keeps following it up (no hand-off)."""

    __tablename__ = "referrals"
    id: Mapped[int] = mapped_column(primary_key=True)
    barrier_id: Mapped[int] = _fk("barriers.id")
    agency: Mapped[str] = mapped_column(String(120))
    referred_on: Mapped[dt.date] = mapped_column(Date)
    last_followed_up_on: Mapped[dt.date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="referred")


class Skill(Base):
    """A qualification or skill: diploma, licence, language, computer or basic work skill."""

    __tablename__ = "skills"
    __table_args__ = (CheckConstraint("level IS NULL OR level BETWEEN 1 AND 5", name="level"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = _fk("clients.id")
    kind: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(120))
    level: Mapped[int | None] = mapped_column(SmallInteger)
    recorded_on: Mapped[dt.date] = mapped_column(Date)


class ZrmAssessment(Base):
    """A dated Zelfredzaamheidsmatrix (ZRM 2017) assessment: 13 domains scored 1-5."""

    __tablename__ = "zrm_assessments"
    __table_args__ = (
        *(
            CheckConstraint(f"{d} IS NULL OR {d} BETWEEN 1 AND 5", name=f"{d}")
            for d in ZRM_DOMAINS
        ),
        Index("ix_zrm_assessments_trajectory_assessed", "trajectory_id", "assessed_on"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    trajectory_id: Mapped[int] = _fk("trajectories.id")
    assessed_on: Mapped[dt.date] = mapped_column(Date)
    finances: Mapped[int | None] = mapped_column(SmallInteger)
    work_education: Mapped[int | None] = mapped_column(SmallInteger)
    time_use: Mapped[int | None] = mapped_column(SmallInteger)
    housing: Mapped[int | None] = mapped_column(SmallInteger)
    domestic_relations: Mapped[int | None] = mapped_column(SmallInteger)
    mental_health: Mapped[int | None] = mapped_column(SmallInteger)
    physical_health: Mapped[int | None] = mapped_column(SmallInteger)
    substance_use: Mapped[int | None] = mapped_column(SmallInteger)
    basic_adl: Mapped[int | None] = mapped_column(SmallInteger)
    instrumental_adl: Mapped[int | None] = mapped_column(SmallInteger)
    social_network: Mapped[int | None] = mapped_column(SmallInteger)
    social_participation: Mapped[int | None] = mapped_column(SmallInteger)
    justice: Mapped[int | None] = mapped_column(SmallInteger)


class LadderStep(Base):
    """A dated position on the participatieladder (rung 1-6)."""

    __tablename__ = "ladder_steps"
    __table_args__ = (
        CheckConstraint("rung BETWEEN 1 AND 6", name="rung"),
        Index("ix_ladder_steps_trajectory_assessed", "trajectory_id", "assessed_on", "rung"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    trajectory_id: Mapped[int] = _fk("trajectories.id")
    assessed_on: Mapped[dt.date] = mapped_column(Date)
    rung: Mapped[int] = mapped_column(SmallInteger)


class Contact(Base):
    """A meeting with the client: intake, three-way handover, progress review, weekly review."""

    __tablename__ = "contacts"
    __table_args__ = (
        Index("ix_contacts_trajectory_held_kind", "trajectory_id", "held_on", "kind"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    trajectory_id: Mapped[int] = _fk("trajectories.id")
    kind: Mapped[str] = mapped_column(String(20))
    held_on: Mapped[dt.date] = mapped_column(Date)
    coach_id: Mapped[int | None] = _fk("coaches.id", nullable=True, index=False)
    location: Mapped[str | None] = mapped_column(String(80))
    participants: Mapped[str | None] = mapped_column(String(200))
    notes: Mapped[str | None] = mapped_column(Text)


class Agreement(Versioned, Base):
    """An action agreed at the end of a contact: what, who, by when; kept or not, and why not."""

    __tablename__ = "agreements"
    id: Mapped[int] = mapped_column(primary_key=True)
    trajectory_id: Mapped[int] = _fk("trajectories.id")
    contact_id: Mapped[int | None] = _fk("contacts.id", nullable=True, index=False)
    what: Mapped[str] = mapped_column(String(300))
    who: Mapped[str] = mapped_column(String(20))
    due_on: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="open")
    closed_on: Mapped[dt.date | None] = mapped_column(Date)
    reason_not_kept: Mapped[str | None] = mapped_column(Text)


class Employer(Versioned, Base):
    """An employer; "inclusive" when open to this target group."""

    __tablename__ = "employers"
    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(160))
    sector: Mapped[str | None] = mapped_column(String(20))
    municipality: Mapped[str | None] = mapped_column(String(80))
    region: Mapped[str | None] = mapped_column(String(80))
    inclusive: Mapped[bool] = mapped_column(Boolean, default=False)
    social_work_company: Mapped[bool] = mapped_column(Boolean, default=False)
    contact_name: Mapped[str | None] = mapped_column(String(120))
    contact_email: Mapped[str | None] = mapped_column(String(160))


class Vacancy(Versioned, Base):
    """A real open position at an employer."""

    __tablename__ = "vacancies"
    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    employer_id: Mapped[int] = _fk("employers.id")
    title: Mapped[str] = mapped_column(String(160))
    sector: Mapped[str | None] = mapped_column(String(20))
    education_level: Mapped[str | None] = mapped_column(String(20))
    hours_per_week: Mapped[float | None] = mapped_column(Float)
    municipality: Mapped[str | None] = mapped_column(String(80))
    region: Mapped[str | None] = mapped_column(String(80))
    driving_licence_required: Mapped[bool] = mapped_column(Boolean, default=False)
    language_level: Mapped[str | None] = mapped_column(String(2))
    required_skills: Mapped[list[str] | None] = mapped_column(JSON)
    wished_skills: Mapped[list[str] | None] = mapped_column(JSON)
    positions: Mapped[int] = mapped_column(Integer, default=1)
    opened_on: Mapped[dt.date] = mapped_column(Date)
    closed_on: Mapped[dt.date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), default="open")


class Placement(Versioned, Base):
    """A placement: opstapbaan, secondment, wage subsidy (op proef), regular contract, art. 60§7."""

    __tablename__ = "placements"
    __table_args__ = (Index("ix_placements_trajectory_start", "trajectory_id", "start_on"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    trajectory_id: Mapped[int] = _fk("trajectories.id")
    employer_id: Mapped[int | None] = _fk("employers.id", nullable=True)
    vacancy_id: Mapped[int | None] = _fk("vacancies.id", nullable=True, index=False)
    kind: Mapped[str] = mapped_column(String(20))
    start_on: Mapped[dt.date] = mapped_column(Date)
    end_on: Mapped[dt.date | None] = mapped_column(Date)
    hours_per_week: Mapped[float | None] = mapped_column(Float)
    temporary: Mapped[bool | None] = mapped_column(Boolean)
    below_level: Mapped[bool | None] = mapped_column(Boolean)
    outside_field: Mapped[bool | None] = mapped_column(Boolean)
    #: months of the contract without trial period the employer promised afterwards (wage
    #: subsidy 'op proef' in “Traject Work-2-Gether”)
    promised_contract_months: Mapped[int | None] = mapped_column(Integer)
    #: Art. 60§7: the organisation the client is put at the disposal of (the employer is the
    #: OCMW).
    user_organisation: Mapped[str | None] = mapped_column(String(160))


class AftercareContact(Base):
    """A contact during aftercare, with the employee, the employer or both."""

    __tablename__ = "aftercare_contacts"
    id: Mapped[int] = mapped_column(primary_key=True)
    trajectory_id: Mapped[int] = _fk("trajectories.id")
    placement_id: Mapped[int | None] = _fk("placements.id", nullable=True, index=False)
    held_on: Mapped[dt.date] = mapped_column(Date)
    party: Mapped[str] = mapped_column(String(10))
    notes: Mapped[str | None] = mapped_column(Text)


class EndReport(Versioned, Base):
    """The end report (beëindigingsrapportage) closing aftercare."""

    __tablename__ = "end_reports"
    id: Mapped[int] = mapped_column(primary_key=True)
    trajectory_id: Mapped[int] = mapped_column(
        ForeignKey("trajectories.id", ondelete="RESTRICT"), unique=True
    )
    written_on: Mapped[dt.date] = mapped_column(Date)
    aftercare_summary: Mapped[str | None] = mapped_column(Text)
    results: Mapped[str | None] = mapped_column(Text)
    remaining_points: Mapped[str | None] = mapped_column(Text)
    actions_taken: Mapped[str | None] = mapped_column(Text)
    continuation: Mapped[str | None] = mapped_column(Text)


class MatchDecision(Versioned, Base):
    """A pairing of a client's trajectory with a vacancy discussed at the Matchtafel, and what
    became of it: proposed -> introduced -> hired / declined (by whom, why)."""

    __tablename__ = "match_decisions"
    id: Mapped[int] = mapped_column(primary_key=True)
    trajectory_id: Mapped[int] = _fk("trajectories.id")
    vacancy_id: Mapped[int] = _fk("vacancies.id")
    status: Mapped[str] = mapped_column(String(12), default="proposed")
    #: Date of the latest step (for hired / declined: the final decision).
    decided_on: Mapped[dt.date] = mapped_column(Date)
    decided_by: Mapped[str | None] = mapped_column(String(80))
    score: Mapped[float | None] = mapped_column(Float)
    declined_by: Mapped[str | None] = mapped_column(String(10))
    reason: Mapped[str | None] = mapped_column(Text)
    #: Date of each step; empty for a step not taken (or not known in rows from before 0005).
    proposed_on: Mapped[dt.date | None] = mapped_column(Date)
    introduced_on: Mapped[dt.date | None] = mapped_column(Date)


class BenefitPeriod(Base):
    """A period in which the client received a benefit; needed for benefit-independence and
    revolving-door outcomes."""

    __tablename__ = "benefit_periods"
    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = _fk("clients.id")
    kind: Mapped[str] = mapped_column(String(20))
    start_on: Mapped[dt.date] = mapped_column(Date)
    end_on: Mapped[dt.date | None] = mapped_column(Date)


class AuditEntry(Base):
    """One change or one opened case: who, when, what, old -> new (append-only, hash-chained)."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_entity", "entity", "entity_id"),)
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime)
    actor: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(20))
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[int | None] = mapped_column(Integer)
    field: Mapped[str | None] = mapped_column(String(60))
    old: Mapped[str | None] = mapped_column(Text)
    new: Mapped[str | None] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: 1: the hash covers old/new themselves; 2: their digests (so a purge can redact them).
    hash_version: Mapped[int] = mapped_column(SmallInteger, default=2, server_default="1")
    old_digest: Mapped[str | None] = mapped_column(String(64))
    new_digest: Mapped[str | None] = mapped_column(String(64))
    #: When the retention purge removed old/new (their digests stay, the chain still verifies).
    redacted_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class SchemaInfo(Base):
    """Key/value facts about the register (e.g. whether it holds synthetic data only)."""

    __tablename__ = "register_info"
    __table_args__ = (UniqueConstraint("key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(60))
    value: Mapped[str] = mapped_column(Text)


#: Trajectories changed since the read models were built, appended by database triggers
#: (trajecttools.reads.readmodel); a NULL trajectory means "rebuild everything". Not register data.
read_model_changes = Table(
    "read_model_changes",
    Base.metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("trajectory_id", Integer, nullable=True),
    # PostgreSQL: the writing transaction's id (concurrent writers commit in any seq order)
    Column("tx", BigInteger, nullable=True),
    sqlite_autoincrement=True,
)

#: Derived frames (cases, signal inputs) kept current from ``read_model_changes``.
read_models = Table(
    "read_models",
    Base.metadata,
    Column("name", String(40), primary_key=True),
    Column("key", String(200), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("latest_on", Date, nullable=True),
    Column("built_at", DateTime, nullable=False),
    Column("payload", LargeBinary, nullable=False),
    # PostgreSQL: the snapshot (pg_snapshot as text) the model was built from
    Column("snapshot", Text, nullable=True),
)

#: Table name -> class, for the generic write path and the frames.
ENTITIES: dict[str, type[Base]] = {m.class_.__tablename__: m.class_ for m in Base.registry.mappers}
