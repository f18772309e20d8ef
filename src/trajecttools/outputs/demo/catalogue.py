"""The demo catalogue: names, places, employers and texts the synthetic register draws from.

The values live in package data files under ``trajecttools/demo/data/`` (``places.csv``,
``people.toml``, ``work.toml``, ``texts.toml``) and are read once, on import. The order of every
list matters: the builder draws indices into it, so the same seed gives the same register only
while the lists keep their order.
"""

from __future__ import annotations

import csv
import io
import tomllib
from importlib import resources
from typing import Any

import numpy as np

from trajecttools.core import vocab

# the data folder of this package, wherever the package lives (no hard-coded dotted path)
_DATA = resources.files(__name__.rpartition(".")[0]).joinpath("data")


def read_toml(name: str) -> dict[str, Any]:
    """Return one TOML file of the demo data folder as nested tuples (lists made immutable)."""
    data: dict[str, Any] = tomllib.loads(_DATA.joinpath(name).read_text("utf-8"))
    return {k: frozen(v) for k, v in data.items()}


def frozen(value: Any) -> Any:
    """Return the value with every list turned into a tuple, recursively."""
    if isinstance(value, list):
        return tuple(frozen(v) for v in value)
    if isinstance(value, dict):
        return {k: frozen(v) for k, v in value.items()}
    return value


def read_places() -> tuple[tuple[str, str, bool, int, int, float], ...]:
    """Return the municipalities: (name, region, flemish, postcode low, postcode high, weight)."""
    text = _DATA.joinpath("places.csv").read_text("utf-8")
    return tuple(
        (row["municipality"], row["region"], row["flemish"] == "1", int(row["postcode_low"]),
         int(row["postcode_high"]), float(row["weight"]))
        for row in csv.DictReader(io.StringIO(text))
    )


_PEOPLE = read_toml("people.toml")
_WORK = read_toml("work.toml")
_TEXTS = read_toml("texts.toml")

# -- codes of the vocabulary, in the order the probability tables below use -----------------
TARGET_GROUPS: tuple[str, ...] = tuple(vocab.TARGET_GROUPS)
EDU: tuple[str, ...] = tuple(vocab.EDUCATION_LEVELS)
SECTORS: tuple[str, ...] = tuple(vocab.SECTORS)
BARRIER_DOMAINS: tuple[str, ...] = tuple(vocab.BARRIER_DOMAINS)
#: work, other_route, education, dropped_out, moved
OUTCOMES: tuple[str, ...] = tuple(vocab.OUTCOMES)

# -- places ---------------------------------------------------------------------------------
MUNICIPALITIES = read_places()
FLEMISH_SHARE: float = _PEOPLE["flemish_share"]
POSTCODE_LETTERS = np.array(list(_PEOPLE["postcode_letters"]))

# -- people ---------------------------------------------------------------------------------
#: Family names are built from these parts, so every demo person is recognisably invented.
FICTIONAL_MARKERS: tuple[str, ...] = _PEOPLE["fictional_markers"]
NAME_SUFFIXES: tuple[str, ...] = _PEOPLE["name_suffixes"]
NL_INFIXES: tuple[str, ...] = _PEOPLE["nl_infixes"]
BE_INFIXES: tuple[str, ...] = _PEOPLE["be_infixes"]
GIVEN: dict[tuple[str, str], tuple[str, ...]] = {
    (key.split("_")[0], key.split("_")[1]): names
    for key, names in _PEOPLE["given_names"].items()
}
TG_P_NL: tuple[float, ...] = _PEOPLE["target_group_p_nl"]
TG_P_BE: tuple[float, ...] = _PEOPLE["target_group_p_be"]
AGE: dict[str, tuple[int, int]] = _PEOPLE["age"]
AGE_DEFAULT: tuple[int, int] = _PEOPLE["age_default"]
MIGRANT_P: dict[str, float] = _PEOPLE["migrant_p"]
MIGRANT_DEFAULT: float = _PEOPLE["migrant_default"]
EDU_P: dict[str, tuple[float, ...]] = _PEOPLE["education_p"]
FIELDS: tuple[tuple[str, str], ...] = tuple(_PEOPLE["education_fields"].items())
DIPLOMA_NL: dict[str, str] = _PEOPLE["diploma_nl"]
DIPLOMA_BE: dict[str, str] = _PEOPLE["diploma_be"]
WISH_BY_SECTOR: dict[str, str] = _PEOPLE["wish_by_sector"]
WISH_EXTRA: tuple[str, ...] = _PEOPLE["wish_extra"]
HOURS_WISHED = np.array(_PEOPLE["hours_wished"])
HOURS_WISHED_P = np.array(_PEOPLE["hours_wished_p"])
WISH_NONE: str = _PEOPLE["wish_none"]
NETWORK_NOTES: dict[str, tuple[str, ...]] = _PEOPLE["network_notes"]
LANG_MIGRANT: tuple[str, ...] = _PEOPLE["languages_migrant"]
LANG_REFUGEE: tuple[str, ...] = _PEOPLE["languages_refugee"]
CERTIFICATES: tuple[tuple[str, float], ...] = tuple(
    zip(_PEOPLE["certificates"], _PEOPLE["certificates_p"], strict=True))
WORK_EXPERIENCE: tuple[str, ...] = _PEOPLE["work_experience"]

# -- work -----------------------------------------------------------------------------------
SECTOR_P = np.array(_WORK["sector_p"], dtype=float)
SDW_UNITS: tuple[tuple[str, str], ...] = tuple(_WORK["social_work_company_units"].items())
SECTOR_WORD: dict[str, str] = _WORK["sector_word"]
COMPANY_SUFFIX_NL: tuple[str, ...] = _WORK["company_suffix_nl"]
COMPANY_SUFFIX_BE: tuple[str, ...] = _WORK["company_suffix_be"]
JOB_TITLES: dict[str, tuple[str, ...]] = _WORK["job_titles"]
REQUIRED: dict[str, tuple[tuple[str, ...], ...]] = _WORK["required_skills"]
WISHED: tuple[tuple[str, ...], ...] = _WORK["wished_skills"]

# -- texts ----------------------------------------------------------------------------------
BARRIER_W: dict[str, tuple[float, ...]] = _TEXTS["barrier_weights"]
BARRIER_COUNT_P: tuple[float, ...] = _TEXTS["barrier_count_p"]
BARRIER_NOTES: dict[str, str] = _TEXTS["barrier_notes"]
AGENCY_NL: dict[str, str] = _TEXTS["agency_nl"]
AGENCY_BE: dict[str, str] = _TEXTS["agency_be"]
BARRIER_ZRM: dict[str, str] = _TEXTS["barrier_zrm"]
CONTACT_NOTES: dict[str, str] = _TEXTS["contact_notes"]
CONTACT_NOTES_EXTRA: tuple[str, ...] = _TEXTS["contact_notes_extra"]
LOCATIONS: dict[str, tuple[str | None, ...]] = {
    kind: tuple(p or None for p in places) for kind, places in _TEXTS["locations"].items()
}
PARTICIPANTS: dict[str, str] = _TEXTS["participants"]
INTAKE_COMPANIONS: tuple[str, ...] = _TEXTS["intake_companions"]
GENERIC_KINDS: tuple[str, ...] = _TEXTS["generic_contact_kinds"]
GENERIC_KIND_P: tuple[float, ...] = _TEXTS["generic_contact_kinds_p"]
AGREEMENTS: tuple[tuple[str, str], ...] = tuple(_TEXTS["agreements"].items())
NOT_KEPT_REASONS: tuple[str, ...] = _TEXTS["not_kept_reasons"]
CLOSURE_REASON: str = _TEXTS["closure_reason"]
AFTERCARE_NOTES: tuple[str, ...] = _TEXTS["aftercare_notes"]
COACH_CHANGE_REASONS: tuple[str, ...] = _TEXTS["coach_change_reasons"]
OUTCOME_REASONS: dict[str, tuple[str, ...]] = _TEXTS["outcome_reasons"]
PLAN_GOALS: dict[str, str] = _TEXTS["plan_goals"]
PLAN_RULES: str = _TEXTS["plan_rules"]
END_REPORT: dict[str, tuple[str, ...]] = _TEXTS["end_report"]
MATCH_DECLINE_REASONS: dict[str, tuple[str, ...]] = _TEXTS["match_decline_reasons"]

# -- routes ---------------------------------------------------------------------------------
#: Route parameters per method code (data/routes.toml), in the order the routes are built.
ROUTES: dict[str, dict[str, Any]] = read_toml("routes.toml")
