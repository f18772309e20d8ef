"""Weights and thresholds of the matching rules: :class:`MatchConfig`, its loading and checks."""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any, Final

from trajecttools.core import vocab
from trajecttools.core.errors import TrajecttoolsError

#: The criteria, in the order of the output columns.
CRITERIA: Final = (
    "skills", "sector_wish", "level", "hours", "region", "licence", "language", "barriers",
)
#: Dutch column headers of the criteria.
CRITERION_LABELS: Final = MappingProxyType({
    "skills": "Vaardigheden",
    "sector_wish": "Sectorwens",
    "level": "Niveau",
    "hours": "Uren",
    "region": "Regio",
    "licence": "Rijbewijs",
    "language": "Taal",
    "barriers": "Belemmeringen",
})
#: Default weights: the client's wish (sector, hours) and the employer's demands both count.
DEFAULT_WEIGHTS: Final = MappingProxyType({
    "skills": 3.0,
    "sector_wish": 2.0,
    "level": 1.5,
    "hours": 1.0,
    "region": 2.0,
    "licence": 1.0,
    "language": 1.5,
    "barriers": 1.5,
})


@dataclass(frozen=True)
class MatchConfig:
    """Weights and thresholds of the matching rules (defaults from the method's practice).

    Load an organisation's own values with :meth:`from_toml` (a ``[weights]`` table plus any
    of the other fields at top level).
    """

    #: Weight per criterion; a weight of 0 switches a criterion off.
    weights: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    #: Score of a criterion whose data is missing (a match scores 1: unknown is never a match).
    unknown: float = 0.3
    #: Weight of a wished skill relative to a required one.
    wished_skill_weight: float = 0.5
    #: Region scores: same municipality 1, same region this, elsewhere that.
    same_region: float = 0.6
    other_region: float = 0.1
    #: Level: one step below what is asked scores this; two or more steps above the job
    #: ("onder niveau", a risk for lasting work) scores that.
    level_one_below: float = 0.4
    level_overqualified: float = 0.7
    overqualified_gap: int = 2
    #: Hours: a difference up to ``hours_tolerance`` matches; at ``hours_limit`` it scores 0.
    hours_tolerance: float = 4.0
    hours_limit: float = 16.0
    #: Wished hours read from the free-text wish when it only says "parttime" / "fulltime".
    parttime_hours: float = 24.0
    fulltime_hours: float = 36.0
    #: Hard constraints: a required licence that is absent, a Dutch level below the level asked.
    licence_hard: bool = True
    language_hard: bool = True
    #: An open transport barrier of at least this severity clashes with work outside the own
    #: municipality or needing a licence; from ``transport_hard_severity`` work outside the own
    #: region is excluded.
    transport_severity: int = 2
    transport_hard_severity: int = 3
    #: An open childcare barrier (severity >= 2) clashes with more hours than this.
    childcare_max_hours: float = 24.0
    #: An open special-category barrier of at least this severity clashes with more hours than
    #: ``special_max_hours`` (named only as "belemmering (bijzondere categorie)").
    special_severity: int = 3
    special_max_hours: float = 24.0
    #: An open language barrier (severity >= 2) clashes with a vacancy asking this level or more.
    language_barrier_level: str = "B1"
    #: Score of the barrier criterion when a barrier clashes with the job.
    barrier_conflict: float = 0.2
    #: Leave out pairs declined before, and trajectories already hired through a match.
    skip_declined: bool = True
    skip_hired: bool = True
    #: Performance: clients per chunk, worker threads, largest table of client profiles.
    chunk_rows: int = 256
    threads: int = 2
    max_table_rows: int = 2048

    def __post_init__(self) -> None:
        unknown = set(self.weights) - set(CRITERIA)
        if unknown:
            raise TrajecttoolsError(
                f"Onbekende criteria in de gewichten: {', '.join(sorted(unknown))}; "
                f"bekend zijn: {', '.join(CRITERIA)}."
            )
        if any(not math.isfinite(w) or w < 0 for w in self.weights.values()):
            raise TrajecttoolsError("Gewichten moeten getallen van 0 of meer zijn.")
        if sum(self.weight(c) for c in CRITERIA) <= 0:
            raise TrajecttoolsError("Minstens één criterium moet een gewicht boven 0 hebben.")
        if not 0 <= self.unknown < 1:
            raise TrajecttoolsError("De score voor 'onbekend' moet tussen 0 en 1 liggen "
                                    "(lager dan een match).")
        if self.language_barrier_level not in vocab.LANGUAGE_LEVELS:
            raise TrajecttoolsError(
                f"Onbekend taalniveau '{self.language_barrier_level}'; kies uit "
                f"{', '.join(vocab.LANGUAGE_LEVELS)}."
            )
        if self.hours_limit <= self.hours_tolerance:
            raise TrajecttoolsError("hours_limit moet groter zijn dan hours_tolerance.")

    def weight(self, criterion: str) -> float:
        """Return the weight of a criterion (the default when not configured)."""
        return float(self.weights.get(criterion, DEFAULT_WEIGHTS[criterion]))

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> MatchConfig:
        """Return a configuration from a mapping (e.g. parsed TOML); unknown keys are refused."""
        names = {f.name for f in fields(cls)}
        unknown = set(data) - names
        if unknown:
            raise TrajecttoolsError(
                f"Onbekende instellingen voor matching: {', '.join(sorted(unknown))}."
            )
        values = dict(data)
        if "weights" in values:
            values["weights"] = {**DEFAULT_WEIGHTS, **dict(values["weights"])}
        return cls(**values)

    @classmethod
    def from_toml(cls, path: str | Path) -> MatchConfig:
        """Load a configuration from a TOML file."""
        try:
            data = tomllib.loads(Path(path).read_text("utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise TrajecttoolsError(f"Matchinstellingen {path} niet te lezen: {exc}") from None
        return cls.from_mapping(data)


def with_config(config: MatchConfig | None = None, **changes: Any) -> MatchConfig:
    """Return a configuration with some fields changed (weights are merged)."""
    base = config or MatchConfig()
    if "weights" in changes:
        changes["weights"] = {**dict(base.weights), **dict(changes["weights"])}
    return replace(base, **changes)


__all__ = ["CRITERIA", "CRITERION_LABELS", "DEFAULT_WEIGHTS", "MatchConfig", "with_config"]
