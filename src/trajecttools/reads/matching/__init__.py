"""Matching clients to real vacancies: a score per criterion, a Dutch explanation per pair, a
proposed one-to-one assignment and the congestion on popular vacancies, and what the
Matchtafel decided about a pairing.

A good match is the client's wishes **and** the employer's possibilities ("Wat werkt om aan
het werk te komen? (KIS)", see docs/sources.md): the client's own wish (preferred sectors,
hours) counts beside what the vacancy asks (skills, level, licence, language) and what is
really there (open vacancies with free positions). The eight criteria and their rules are in
:mod:`trajecttools.reads.matching.rules`.

Modules, each layer only importing the ones above it:

- :mod:`~trajecttools.reads.matching.config`: :class:`MatchConfig` (weights, thresholds, TOML).
- :mod:`~trajecttools.reads.matching.inputs`: :class:`MatchInputs`, read from the register.
- :mod:`~trajecttools.reads.matching.rules`: the rule per criterion and the states of a criterion.
- :mod:`~trajecttools.reads.matching.encoding`: clients and vacancies as numpy arrays.
- :mod:`~trajecttools.reads.matching.scoring`: dense and exact scores of pairs.
- :mod:`~trajecttools.reads.matching.explanations`: the Dutch reasons of a pair.
- :mod:`~trajecttools.reads.matching.ranking`: :func:`match`, the best pairs per client or vacancy.
- :mod:`~trajecttools.reads.matching.assignment`: :func:`assign` and :func:`congestion`.
- :mod:`~trajecttools.reads.matching.decisions`: the Matchtafel's decisions in the register.
"""

from __future__ import annotations

from trajecttools.reads.matching import decisions
from trajecttools.reads.matching.assignment import MAX_ASSIGN_CELLS, assign, congestion
from trajecttools.reads.matching.config import (
    CRITERIA,
    CRITERION_LABELS,
    DEFAULT_WEIGHTS,
    MatchConfig,
    with_config,
)
from trajecttools.reads.matching.explanations import criteria_frame
from trajecttools.reads.matching.inputs import MatchInputs, client_hours, load_inputs, wished_hours
from trajecttools.reads.matching.ranking import match
from trajecttools.reads.matching.rules import (
    EXCLUDED,
    MATCH,
    MISMATCH,
    NOT_APPLICABLE,
    PARTIAL,
    STATE_LABELS,
    STATES,
    UNKNOWN,
    Rule,
)

__all__ = [
    "CRITERIA",
    "CRITERION_LABELS",
    "DEFAULT_WEIGHTS",
    "EXCLUDED",
    "MATCH",
    "MAX_ASSIGN_CELLS",
    "MISMATCH",
    "NOT_APPLICABLE",
    "PARTIAL",
    "STATES",
    "STATE_LABELS",
    "UNKNOWN",
    "MatchConfig",
    "MatchInputs",
    "Rule",
    "assign",
    "client_hours",
    "congestion",
    "criteria_frame",
    "decisions",
    "load_inputs",
    "match",
    "wished_hours",
    "with_config",
]
