"""The matching rules: one score, state and detail per criterion, on broadcastable arrays.

Eight criteria are scored per pair, each 0-1:

=============  ===========================================================================
skills         required and wished skills of the vacancy the client has (wished count half)
sector_wish    the vacancy's sector is among the client's preferred sectors
level          education level against the level asked (far above: "onder niveau")
hours          the client's wished hours against the vacancy's hours
region         same municipality, same region, or further away
licence        driving licence when the vacancy requires one (hard: absent excludes)
language       Dutch level against the level asked (hard: too low excludes)
barriers       open barriers that clash with the job (transport, childcare, language, and
               special-category barriers, which are never named)
=============  ===========================================================================

Missing data never counts as agreement: an unknown value scores :attr:`MatchConfig.unknown`
(below a match) and is named "onbekend: ...". A criterion the vacancy does not ask for (no
licence required, no skills listed) is "n.v.t." and left out of that pair's weighted mean.

Every rule takes client attributes and vacancy attributes as numpy arrays that broadcast
(a table of client profiles x vacancies, or a list of pairs) and returns (score, state,
detail).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Final

import numpy as np

from trajecttools.core import vocab
from trajecttools.reads.matching.config import MatchConfig

#: State codes of a criterion for a pair (indexes into :data:`STATES`).
MATCH, PARTIAL, MISMATCH, UNKNOWN, NOT_APPLICABLE, EXCLUDED = range(6)
#: State of a criterion for a pair (the categories of the ``<criterion>_status`` columns).
STATES: Final = ("match", "partial", "mismatch", "unknown", "n/a", "excluded")
#: Dutch words for the states, shown beside the colour on the dashboard.
STATE_LABELS: Final = MappingProxyType({
    "match": "past",
    "partial": "deels",
    "mismatch": "past niet",
    "unknown": "onbekend",
    "n/a": "n.v.t.",
    "excluded": "uitgesloten",
})

#: Barrier conflicts (bits of the barrier detail).
B_TRANSPORT_HARD, B_TRANSPORT, B_CHILDCARE, B_LANGUAGE, B_SPECIAL, B_UNKNOWN = (
    1, 2, 4, 8, 16, 32,
)
#: Codes in vocabulary order: an array holds the index of the code (-1 when unknown).
LANG_CODES: Final = tuple(vocab.LANGUAGE_LEVELS)
EDU_CODES: Final = tuple(vocab.EDUCATION_LEVELS)
SECTOR_CODES: Final = tuple(vocab.SECTORS)

Rule = tuple[np.ndarray, np.ndarray, np.ndarray]  # score, state, detail


def _state_score(state: np.ndarray, score: np.ndarray) -> Rule:
    return score.astype(np.float32), state.astype(np.int8), np.zeros_like(state, dtype=np.int8)


def _rule_sector(cl: Mapping[str, np.ndarray], va: Mapping[str, np.ndarray],
                 cfg: MatchConfig) -> Rule:
    pref, sector = cl["pref"], va["sector"]
    unknown = (pref < 0) | (sector < 0)
    hit = ((pref >> np.maximum(sector, 0).astype(np.int32)) & 1) == 1
    state = np.where(unknown, UNKNOWN, np.where(hit, MATCH, MISMATCH))
    score = np.where(unknown, cfg.unknown, np.where(hit, 1.0, 0.0))
    return _state_score(state, score)


def _rule_level(cl: Mapping[str, np.ndarray], va: Mapping[str, np.ndarray],
                cfg: MatchConfig) -> Rule:
    c, v = cl["rank"].astype(np.int16), va["rank"].astype(np.int16)
    gap = c - v
    unknown = (c < 0) | (v < 0)
    state = np.select(
        [unknown, gap >= cfg.overqualified_gap, gap >= 0, gap == -1],
        [UNKNOWN, PARTIAL, MATCH, PARTIAL], MISMATCH)
    score = np.select(
        [unknown, gap >= cfg.overqualified_gap, gap >= 0, gap == -1],
        [cfg.unknown, cfg.level_overqualified, 1.0, cfg.level_one_below], 0.0)
    return _state_score(state, score)


def _rule_hours(cl: Mapping[str, np.ndarray], va: Mapping[str, np.ndarray],
                cfg: MatchConfig) -> Rule:
    diff = np.abs(cl["hours"] - va["hours"])
    unknown = np.isnan(diff)
    span = cfg.hours_limit - cfg.hours_tolerance
    fit = np.clip(1.0 - (np.nan_to_num(diff) - cfg.hours_tolerance) / span, 0.0, 1.0)
    state = np.where(unknown, UNKNOWN,
                     np.where(fit >= 1.0, MATCH, np.where(fit > 0, PARTIAL, MISMATCH)))
    return _state_score(state, np.where(unknown, cfg.unknown, fit))


def _rule_region(cl: Mapping[str, np.ndarray], va: Mapping[str, np.ndarray],
                 cfg: MatchConfig) -> Rule:
    cm, vm, cr, vr = cl["muni"], va["muni"], cl["reg"], va["reg"]
    same_muni = (cm >= 0) & (cm == vm)
    regions_known = (cr >= 0) & (vr >= 0)
    same_reg = regions_known & (cr == vr)
    state = np.select([same_muni, same_reg, regions_known], [MATCH, PARTIAL, MISMATCH], UNKNOWN)
    score = np.select([same_muni, same_reg, regions_known],
                      [1.0, cfg.same_region, cfg.other_region], cfg.unknown)
    return _state_score(state, score)


def _rule_licence(cl: Mapping[str, np.ndarray], va: Mapping[str, np.ndarray],
                  cfg: MatchConfig) -> Rule:
    lic, req = cl["licence"], va["licence_req"]
    absent = EXCLUDED if cfg.licence_hard else MISMATCH
    state = np.where(~req, NOT_APPLICABLE,
                     np.where(lic == 1, MATCH, np.where(lic == 0, absent, UNKNOWN)))
    score = np.where(lic == 1, 1.0, np.where(lic == 0, 0.0, cfg.unknown))
    return _state_score(state, np.where(req, score, 0.0))


def _rule_language(cl: Mapping[str, np.ndarray], va: Mapping[str, np.ndarray],
                   cfg: MatchConfig) -> Rule:
    c, v = cl["dutch"].astype(np.int16), va["lang"].astype(np.int16)
    unknown = (c < 0) | (v < 0)
    low = EXCLUDED if cfg.language_hard else MISMATCH
    state = np.where(unknown, UNKNOWN, np.where(c >= v, MATCH, low))
    score = np.where(unknown, cfg.unknown, np.where(c >= v, 1.0, 0.0))
    return _state_score(state, score)


def _rule_barriers(cl: Mapping[str, np.ndarray], va: Mapping[str, np.ndarray],
                   cfg: MatchConfig) -> Rule:
    transport = cl["transport"]
    other_reg = (cl["reg"] >= 0) & (va["reg"] >= 0) & (cl["reg"] != va["reg"])
    other_muni = (cl["muni"] >= 0) & (va["muni"] >= 0) & (cl["muni"] != va["muni"])
    hours = va["hours"]
    child = cl["childcare"] >= 2
    special = cl["special"] >= cfg.special_severity
    t_hard = (transport >= cfg.transport_hard_severity) & other_reg
    t_soft = (transport >= cfg.transport_severity) & (other_muni | va["licence_req"])
    c_conf = child & (hours > cfg.childcare_max_hours)  # NaN hours compare False
    l_conf = (cl["language_barrier"] >= 2) & (
        va["lang"] >= LANG_CODES.index(cfg.language_barrier_level))
    s_conf = special & (hours > cfg.special_max_hours)
    unknown = (child | special) & np.isnan(hours)
    detail = t_hard.astype(np.int8)
    for bit, flag in ((B_TRANSPORT, t_soft), (B_CHILDCARE, c_conf), (B_LANGUAGE, l_conf),
                      (B_SPECIAL, s_conf), (B_UNKNOWN, unknown)):
        detail = detail | (flag.astype(np.int8) * np.int8(bit))
    conflict = t_soft | c_conf | l_conf | s_conf
    state = np.where(t_hard, EXCLUDED,
                     np.where(conflict, MISMATCH, np.where(unknown, UNKNOWN, MATCH)))
    score = np.where(t_hard | conflict, np.float32(cfg.barrier_conflict),
                     np.where(unknown, np.float32(cfg.unknown), np.float32(1.0)))
    return score.astype(np.float32), state.astype(np.int8), detail.astype(np.int8)


def _skills_from_counts(known: np.ndarray, cov_req: np.ndarray, cov_wish: np.ndarray,
                        n_req: np.ndarray, n_wish: np.ndarray, cfg: MatchConfig) -> Rule:
    ww = cfg.wished_skill_weight
    total = n_req + ww * n_wish
    listed = total > 0
    fit = (cov_req + ww * cov_wish) / np.where(listed, total, 1.0)
    state = np.where(~listed, NOT_APPLICABLE,
                     np.where(~known, UNKNOWN,
                              np.where(fit >= 1.0, MATCH, np.where(fit > 0, PARTIAL, MISMATCH))))
    score = np.where(~listed, 0.0, np.where(~known, cfg.unknown, fit))
    return _state_score(state, score)


def _popcount(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.bitwise_count(a & b).sum(axis=-1).astype(np.float32)


def _rule_skills(cl: Mapping[str, np.ndarray], va: Mapping[str, np.ndarray],
                 cfg: MatchConfig) -> Rule:
    bits = cl["bits"]
    cov_req = _popcount(bits, va["req_bits"])
    cov_wish = _popcount(bits, va["wish_bits"])
    return _skills_from_counts(cl["known"], cov_req, cov_wish, va["n_req"], va["n_wish"], cfg)


#: criterion -> (rule, client attributes it reads)
RULES: Final[dict[str, tuple[Callable[..., Rule], tuple[str, ...]]]] = {
    "skills": (_rule_skills, ("known", "bits")),
    "sector_wish": (_rule_sector, ("pref",)),
    "level": (_rule_level, ("rank",)),
    "hours": (_rule_hours, ("hours",)),
    "region": (_rule_region, ("muni", "reg")),
    "licence": (_rule_licence, ("licence",)),
    "language": (_rule_language, ("dutch",)),
    "barriers": (_rule_barriers, ("transport", "childcare", "language_barrier", "special",
                                  "muni", "reg")),
}


def applicable(va: Mapping[str, np.ndarray], criterion: str) -> np.ndarray:
    """Return whether a criterion applies to each vacancy (it only depends on the vacancy)."""
    if criterion == "licence":
        return np.asarray(va["licence_req"], dtype=bool)
    if criterion == "skills":
        return np.asarray((va["n_req"] + va["n_wish"]) > 0)
    return np.ones(len(va["rank"]), dtype=bool)


__all__ = [
    "B_CHILDCARE",
    "B_LANGUAGE",
    "B_SPECIAL",
    "B_TRANSPORT",
    "B_TRANSPORT_HARD",
    "B_UNKNOWN",
    "EDU_CODES",
    "EXCLUDED",
    "LANG_CODES",
    "MATCH",
    "MISMATCH",
    "NOT_APPLICABLE",
    "PARTIAL",
    "RULES",
    "SECTOR_CODES",
    "STATES",
    "STATE_LABELS",
    "UNKNOWN",
    "Rule",
    "applicable",
]
