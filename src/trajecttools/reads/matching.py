"""Matching clients to real vacancies: a score per criterion, a Dutch explanation per pair, a
proposed one-to-one assignment and the congestion on popular vacancies.

A good match is the client's wishes **and** the employer's possibilities (seed 003): the
client's own wish (preferred sectors, hours) counts beside what the vacancy asks (skills, level,
licence, language) and what is really there (open vacancies with free positions). Eight
criteria are scored per pair, each 0-1:

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
The total is the weighted mean of the applicable criteria, 0-100; a pair that fails a hard
constraint has ``hard_ok`` False and is left out unless asked for.

The work is vectorised: every criterion depends on a few client attributes, so it is
evaluated once per distinct client profile against all vacancies (a small table), and a
chunk of clients is scored by adding rows of those tables; the top ``k`` per row is taken with
``np.partition`` and explanations are built only for the pairs kept, once per distinct
explanation.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
import tomllib
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Final, Literal

import numpy as np
import pandas as pd

from trajecttools.core import vocab
from trajecttools.core.errors import TrajecttoolsError

if TYPE_CHECKING:
    from trajecttools.register.store import Store

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

#: Offset that pushes a pair failing a hard constraint below every allowed pair.
_HARD_PENALTY = 8.0
#: Barrier conflicts (bits of the barrier detail).
_B_TRANSPORT_HARD, _B_TRANSPORT, _B_CHILDCARE, _B_LANGUAGE, _B_SPECIAL, _B_UNKNOWN = (
    1, 2, 4, 8, 16, 32,
)
_LANG_CODES: Final = tuple(vocab.LANGUAGE_LEVELS)
_EDU_CODES: Final = tuple(vocab.EDUCATION_LEVELS)
_EDU_SHORT: Final = MappingProxyType({
    "none": "geen diploma", "primary": "basisonderwijs", "vmbo": "vmbo", "mbo1": "mbo-1",
    "mbo2": "mbo-2", "mbo3": "mbo-3", "mbo4": "mbo-4", "hbo": "hbo", "wo": "wo",
    "foreign": "buitenlands diploma",
})
_SECTOR_CODES: Final = tuple(vocab.SECTORS)
_DUTCH_NAMES: Final = frozenset({"nederlands", "nederlandse taal", "nt2", "dutch"})
_HOURS_RE = re.compile(r"(\d{1,2}(?:[.,]\d)?)\s*(?:uur|u\b)", re.IGNORECASE)
_PARTTIME_RE = re.compile(r"part[- ]?time|deeltijd", re.IGNORECASE)
_FULLTIME_RE = re.compile(r"full[- ]?time|voltijd", re.IGNORECASE)
_CEFR_RE = re.compile(r"\b([ABC][12])\b")


# --------------------------------------------------------------------------------------------
# configuration
# --------------------------------------------------------------------------------------------
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
        if self.language_barrier_level not in _LANG_CODES:
            raise TrajecttoolsError(
                f"Onbekend taalniveau '{self.language_barrier_level}'; kies uit "
                f"{', '.join(_LANG_CODES)}."
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


# --------------------------------------------------------------------------------------------
# inputs
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class MatchInputs:
    """The register's facts matching needs, as frames (from :func:`load_inputs` or built).

    ``clients``: one row per active trajectory: trajectory_id, client_id, pseudonym, initials,
    municipality, region, education_level, preferred_sectors (list or None), and wished_hours
    (or ``preferred_hours``, with the ``wishes`` text as fallback: :func:`client_hours`).
    ``skills``: client_id, kind, name, level.
    ``barriers``: trajectory_id, domain, severity (open ones only). ``vacancies``: one row per
    open vacancy: vacancy_id, employer_id, employer, title, sector, education_level,
    hours_per_week, municipality, region, driving_licence_required, language_level,
    required_skills, wished_skills, positions (still free). ``decisions``: trajectory_id,
    vacancy_id, status (latest per pair last).
    """

    clients: pd.DataFrame
    vacancies: pd.DataFrame
    skills: pd.DataFrame = field(default_factory=pd.DataFrame)
    barriers: pd.DataFrame = field(default_factory=pd.DataFrame)
    decisions: pd.DataFrame = field(default_factory=pd.DataFrame)
    as_of: dt.date | None = None


def load_inputs(store: Store, as_of: dt.date | None = None) -> MatchInputs:
    """Read active trajectories, their skills and open barriers, and open vacancies."""
    from trajecttools.core.names import initials
    from trajecttools.register.sql import read_sql

    day = as_of or store.today
    iso = day.isoformat()
    clients = read_sql(
        store,
        "SELECT t.id AS trajectory_id, c.id AS client_id, c.pseudonym, c.given_name,"
        " c.family_name, c.municipality, c.region, c.education_level, c.preferred_sectors,"
        " c.preferred_hours, c.wishes FROM trajectories t JOIN clients c ON c.id = t.client_id"
        " WHERE t.registered_at < :next_day AND (t.closed_on IS NULL OR t.closed_on > :day)"
        " ORDER BY t.id",
        next_day=(day + dt.timedelta(days=1)).isoformat(), day=iso,
    )
    clients.insert(3, "initials", initials(clients.pop("given_name"),
                                           clients.pop("family_name")))
    clients["preferred_sectors"] = clients["preferred_sectors"].map(_json_list)
    clients["wished_hours"] = client_hours(clients)
    clients = clients.drop(columns=["preferred_hours", "wishes"])
    skills = read_sql(
        store,
        "SELECT s.client_id, s.kind, s.name, s.level FROM skills s"
        " WHERE s.recorded_on <= :day",
        day=iso,
    )
    barriers = read_sql(
        store,
        "SELECT trajectory_id, domain, severity FROM barriers WHERE noted_on <= :day"
        " AND (status <> 'resolved' OR (resolved_on IS NOT NULL AND resolved_on > :day))",
        day=iso,
    )
    decisions = read_sql(
        store,
        "SELECT id, trajectory_id, vacancy_id, status FROM match_decisions ORDER BY id",
    )
    vacancies = read_sql(
        store,
        "SELECT v.id AS vacancy_id, v.employer_id, e.name AS employer, v.title, v.sector,"
        " v.education_level, v.hours_per_week, COALESCE(v.municipality, e.municipality)"
        " AS municipality, COALESCE(v.region, e.region) AS region,"
        " v.driving_licence_required, v.language_level, v.required_skills, v.wished_skills,"
        " v.positions FROM vacancies v JOIN employers e ON e.id = v.employer_id"
        " WHERE v.status = 'open' AND v.opened_on <= :day"
        " AND (v.closed_on IS NULL OR v.closed_on > :day) ORDER BY v.id",
        day=iso,
    )
    for col in ("required_skills", "wished_skills"):
        vacancies[col] = vacancies[col].map(_json_list)
    vacancies["driving_licence_required"] = vacancies["driving_licence_required"].astype(bool)
    hired = decisions[decisions["status"] == "hired"].groupby("vacancy_id").size()
    taken = vacancies["vacancy_id"].map(hired).fillna(0).astype("int64")
    vacancies["positions"] = (vacancies["positions"].astype("int64") - taken).clip(lower=0)
    return MatchInputs(clients=clients, vacancies=vacancies, skills=skills, barriers=barriers,
                       decisions=decisions, as_of=day)


def _json_list(value: Any) -> list[str] | None:
    import json

    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, str):
        value = json.loads(value)
    return None if value is None else [str(v) for v in value]


def client_hours(clients: pd.DataFrame) -> pd.Series:
    """Return each client's wished hours a week (NaN when unknown).

    The recorded number (``preferred_hours``) counts; only where it is missing — rows from
    before that column existed — are the hours read from the ``wishes`` text.
    """
    hours = pd.Series(np.nan, index=clients.index, dtype="float64")
    if "preferred_hours" in clients.columns:
        hours = pd.to_numeric(clients["preferred_hours"], errors="coerce").astype("float64")
    if "wishes" in clients.columns and hours.isna().any():
        hours = hours.fillna(wished_hours(clients["wishes"]))
    return hours


def wished_hours(wishes: pd.Series) -> pd.Series:
    """Return the hours a week a client wishes, read from the wish text (NaN when not said).

    "24 uur" gives 24; "parttime"/"deeltijd" and "fulltime"/"voltijd" give the configured
    defaults. The text itself is never shown.
    """
    cfg = MatchConfig()
    text = wishes.astype("string")
    number = text.str.extract(_HOURS_RE, expand=False).str.replace(",", ".", regex=False)
    hours = pd.to_numeric(number, errors="coerce").astype("float64")
    hours = hours.where(hours.between(1, 60))
    part = text.str.contains(_PARTTIME_RE, na=False)
    full = text.str.contains(_FULLTIME_RE, na=False)
    hours = hours.where(hours.notna() | ~part, cfg.parttime_hours)
    hours = hours.where(hours.notna() | ~full, cfg.fulltime_hours)
    return hours.astype("float64")


# --------------------------------------------------------------------------------------------
# encoding
# --------------------------------------------------------------------------------------------
def _norm(name: object) -> str:
    return " ".join(str(name).casefold().split())


def _display(name: str) -> str:
    """Return a skill name for a sentence: "Rijbewijs B" -> "rijbewijs B", "VCA" stays."""
    if len(name) > 1 and name[1].islower():
        return name[0].lower() + name[1:]
    return name


def _codes(values: pd.Series, categories: Sequence[str]) -> np.ndarray:
    index = {c: i for i, c in enumerate(categories)}
    mapped = pd.Series(values.to_numpy(dtype=object), dtype=object).map(index)
    return mapped.fillna(-1).to_numpy(dtype=np.int16)


@dataclass
class _Encoded:
    """Clients and vacancies as aligned numpy arrays (vacancies in tie-break order)."""

    cl: dict[str, np.ndarray]
    va: dict[str, np.ndarray]
    clients: pd.DataFrame
    vacancies: pd.DataFrame
    skill_names: list[str]
    declined: np.ndarray  # int64 keys row * n_vacancies + col
    decision_status: dict[tuple[int, int], str]

    @property
    def n_clients(self) -> int:
        return len(self.clients)

    @property
    def n_vacancies(self) -> int:
        return len(self.vacancies)


def _encode(inputs: MatchInputs, cfg: MatchConfig) -> _Encoded:
    clients = inputs.clients.reset_index(drop=True)
    vacancies = inputs.vacancies
    if "vacancy_id" not in vacancies.columns and "id" in vacancies.columns:
        vacancies = vacancies.rename(columns={"id": "vacancy_id"})
    decisions = inputs.decisions
    if decisions is None or decisions.empty:
        decisions = pd.DataFrame({"trajectory_id": pd.Series(dtype="int64"),
                                  "vacancy_id": pd.Series(dtype="int64"),
                                  "status": pd.Series(dtype="object")})
    status = decisions["status"].astype(str)
    if cfg.skip_hired:
        hired = set(decisions.loc[status == "hired", "trajectory_id"].astype("int64"))
        if hired:
            clients = clients[~clients["trajectory_id"].astype("int64").isin(hired)]
            clients = clients.reset_index(drop=True)
    if "positions" in vacancies.columns:
        vacancies = vacancies[vacancies["positions"].fillna(1).astype("int64") > 0]
    # tie-break order: more free positions first, then the oldest vacancy number
    positions = vacancies["positions"] if "positions" in vacancies.columns else 1
    vacancies = (vacancies.assign(positions=positions)
                 .sort_values(["positions", "vacancy_id"], ascending=[False, True],
                              kind="stable")
                 .reset_index(drop=True))
    n_c, n_v = len(clients), len(vacancies)

    # places: one code space for municipalities and one for regions
    muni = pd.factorize(pd.concat([clients["municipality"], vacancies["municipality"]],
                                  ignore_index=True).astype("string").str.casefold())[0]
    reg = pd.factorize(pd.concat([clients["region"], vacancies["region"]],
                                 ignore_index=True).astype("string").str.casefold())[0]

    # skills vocabulary: what the vacancies ask (a required licence is the licence criterion)
    licence_req = vacancies["driving_licence_required"].fillna(False).astype(bool).to_numpy().copy()
    vocab_index: dict[str, int] = {}
    names: list[str] = []
    req_lists: list[list[int]] = []
    wish_lists: list[list[int]] = []
    for pos, (req, wish) in enumerate(zip(vacancies["required_skills"],
                                          vacancies["wished_skills"], strict=True)):
        req_codes: list[int] = []
        for item in req if isinstance(req, list | tuple | np.ndarray) else ():
            key = _norm(item)
            if not key:
                continue
            if key.startswith("rijbewijs"):
                licence_req[pos] = True
                continue
            req_codes.append(vocab_index.setdefault(key, len(vocab_index)))
            if len(names) < len(vocab_index):
                names.append(str(item).strip())
        wish_codes: list[int] = []
        for item in wish if isinstance(wish, list | tuple | np.ndarray) else ():
            key = _norm(item)
            if not key:
                continue
            wish_codes.append(vocab_index.setdefault(key, len(vocab_index)))
            if len(names) < len(vocab_index):
                names.append(str(item).strip())
        req_lists.append(sorted(set(req_codes)))
        wish_lists.append(sorted(set(wish_codes) - set(req_codes)))
    n_words = max(1, -(-len(names) // 64))
    req_bits = np.zeros((n_v, n_words), dtype=np.uint64)
    wish_bits = np.zeros((n_v, n_words), dtype=np.uint64)
    for bits, lists in ((req_bits, req_lists), (wish_bits, wish_lists)):
        rows = np.repeat(np.arange(n_v), [len(x) for x in lists])
        codes = np.fromiter((c for x in lists for c in x), dtype=np.int64, count=rows.size)
        np.bitwise_or.at(bits, (rows, codes // 64),
                         np.left_shift(np.uint64(1), (codes % 64).astype(np.uint64)))

    # client skills: bitsets over that vocabulary, licence, Dutch level
    sk = inputs.skills
    cl_bits = np.zeros((n_c, n_words), dtype=np.uint64)
    known = np.zeros(n_c, dtype=bool)
    licence = np.full(n_c, -1, dtype=np.int8)
    dutch = np.full(n_c, -1, dtype=np.int8)
    if sk is not None and not sk.empty:
        # one client may have several trajectories: expand skills to every row of the client
        owner = clients["client_id"].astype("int64").to_numpy()
        order = np.argsort(owner, kind="stable")
        sk_client = sk["client_id"].astype("int64").to_numpy()
        left = np.searchsorted(owner[order], sk_client, side="left")
        right = np.searchsorted(owner[order], sk_client, side="right")
        counts = right - left
        sk_rows = np.repeat(np.arange(len(sk)), counts)
        starts = np.repeat(left, counts)
        offset = np.arange(sk_rows.size) - np.repeat(np.cumsum(counts) - counts, counts)
        rows = order[starts + offset]
        # work on the distinct names only (a register has a few hundred)
        name_codes, uniq_names = pd.factorize(sk["name"].astype(object).where(
            sk["name"].notna(), ""))
        uniq_norm = [_norm(n) for n in uniq_names]
        name_codes = name_codes[sk_rows]
        kind = sk["kind"].astype(object).where(sk["kind"].notna(), "").to_numpy()[sk_rows]
        known[rows] = True
        code = np.array([vocab_index.get(n, -1) for n in uniq_norm] + [-1],
                        dtype=np.int64)[name_codes]
        hit = code >= 0
        np.bitwise_or.at(cl_bits, (rows[hit], code[hit] // 64),
                         np.left_shift(np.uint64(1), (code[hit] % 64).astype(np.uint64)))
        lic_name = np.array([n.startswith("rijbewijs") for n in uniq_norm] + [False])
        is_lic = (kind == "driving_licence") | lic_name[name_codes]
        licence[:] = np.where(known, 0, -1)
        licence[rows[is_lic]] = 1
        dutch_name = np.array([n in _DUTCH_NAMES or n.startswith("nederlands")
                               for n in uniq_norm] + [False])
        is_dutch = (kind == "language") & dutch_name[name_codes]
        if is_dutch.any():
            lvl = pd.to_numeric(sk["level"], errors="coerce").to_numpy(dtype=float)[sk_rows]
            cefr_of = np.array([_cefr(str(n)) for n in uniq_names] + [-1], dtype=np.int8)
            cefr = cefr_of[name_codes[is_dutch]]
            from_level = np.where(np.isnan(lvl[is_dutch]), -1,
                                  np.clip(np.nan_to_num(lvl[is_dutch]) - 1, 0, 4)).astype(np.int8)
            level = np.where(cefr >= 0, cefr, from_level).astype(np.int8)
            np.maximum.at(dutch, rows[is_dutch], level)

    # client wishes and barriers
    sector_bit = {s: 1 << i for i, s in enumerate(_SECTOR_CODES)}
    exploded = pd.Series(clients["preferred_sectors"].to_numpy(), dtype=object).explode()
    bits_per_row = exploded.map(sector_bit).fillna(0).astype(np.int64)
    pref = bits_per_row.groupby(level=0).sum().reindex(range(n_c), fill_value=0).to_numpy()
    pref = np.where(pref > 0, pref, -1).astype(np.int32)
    if "wished_hours" in clients.columns:
        hours = pd.to_numeric(clients["wished_hours"], errors="coerce").to_numpy(np.float32)
    else:
        hours = client_hours(clients).to_numpy(np.float32)
    sev = {d: np.zeros(n_c, dtype=np.int8) for d in ("transport", "childcare", "language")}
    special = np.zeros(n_c, dtype=np.int8)
    bar = inputs.barriers
    if bar is not None and not bar.empty:
        if "status" in bar.columns:
            bar = bar[bar["status"].astype(str) != "resolved"]
        tpos = pd.Series(np.arange(n_c), index=clients["trajectory_id"].astype("int64"))
        rows_b = bar["trajectory_id"].astype("int64").map(tpos)
        ok = rows_b.notna().to_numpy()
        rows_i = rows_b.to_numpy()[ok].astype(np.int64)
        domain = bar["domain"].astype(str).to_numpy()[ok]
        severity = pd.to_numeric(bar["severity"], errors="coerce").fillna(0).to_numpy()[ok]
        severity = severity.astype(np.int8)
        for name, arr in sev.items():
            sel = domain == name
            np.maximum.at(arr, rows_i[sel], severity[sel])
        sel = np.isin(domain, list(vocab.SPECIAL_CATEGORY_DOMAINS))
        np.maximum.at(special, rows_i[sel], severity[sel])

    cl = {
        "pref": pref,
        "rank": _ranks(clients["education_level"]),
        "hours": hours,
        "muni": muni[:n_c].astype(np.int32),
        "reg": reg[:n_c].astype(np.int32),
        "licence": licence,
        "dutch": dutch,
        "known": known,
        "bits": cl_bits,
        "transport": sev["transport"],
        "childcare": sev["childcare"],
        "language_barrier": sev["language"],
        "special": special,
    }
    va = {
        "sector": _codes(vacancies["sector"], _SECTOR_CODES),
        "rank": _ranks(vacancies["education_level"]),
        "edu": _codes(vacancies["education_level"], _EDU_CODES),
        "hours": pd.to_numeric(vacancies["hours_per_week"], errors="coerce")
        .to_numpy(np.float32),
        "muni": muni[n_c:].astype(np.int32),
        "reg": reg[n_c:].astype(np.int32),
        "licence_req": licence_req,
        "lang": _codes(vacancies["language_level"], _LANG_CODES),
        "req_bits": req_bits,
        "wish_bits": wish_bits,
        "n_req": np.array([len(x) for x in req_lists], dtype=np.float32),
        "n_wish": np.array([len(x) for x in wish_lists], dtype=np.float32),
    }

    # earlier decisions: declined pairs are left out, open ones are shown
    declined = np.zeros(0, dtype=np.int64)
    decision_status: dict[tuple[int, int], str] = {}
    if not decisions.empty and n_c and n_v:
        tpos = pd.Series(np.arange(n_c), index=clients["trajectory_id"].astype("int64"))
        vpos = pd.Series(np.arange(n_v), index=vacancies["vacancy_id"].astype("int64"))
        r = decisions["trajectory_id"].astype("int64").map(tpos)
        c = decisions["vacancy_id"].astype("int64").map(vpos)
        ok = (r.notna() & c.notna()).to_numpy()
        r_i = r.to_numpy()[ok].astype(np.int64)
        c_i = c.to_numpy()[ok].astype(np.int64)
        st = status.to_numpy()[ok]
        for ri, ci, s in zip(r_i, c_i, st, strict=True):
            decision_status[(int(ri), int(ci))] = str(s)  # the latest decision wins
        if cfg.skip_declined:
            keys = [ri * n_v + ci for (ri, ci), s in decision_status.items() if s == "declined"]
            declined = np.unique(np.array(keys, dtype=np.int64))
    return _Encoded(cl, va, clients, vacancies, names, declined, decision_status)


def _cefr(name: str) -> int:
    found = _CEFR_RE.search(str(name).upper())
    if not found:
        return -1
    code = found.group(1)
    return _LANG_CODES.index(code) if code in _LANG_CODES else len(_LANG_CODES) - 1


def _ranks(levels: pd.Series) -> np.ndarray:
    mapped = pd.Series(levels.to_numpy(dtype=object), dtype=object).map(
        dict(vocab.EDUCATION_RANK))
    return mapped.fillna(-1).to_numpy(dtype=np.int8)


# --------------------------------------------------------------------------------------------
# the rules, on broadcastable arrays (a table of profiles x vacancies, or a list of pairs)
# --------------------------------------------------------------------------------------------
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
        va["lang"] >= _LANG_CODES.index(cfg.language_barrier_level))
    s_conf = special & (hours > cfg.special_max_hours)
    unknown = (child | special) & np.isnan(hours)
    detail = t_hard.astype(np.int8)
    for bit, flag in ((_B_TRANSPORT, t_soft), (_B_CHILDCARE, c_conf), (_B_LANGUAGE, l_conf),
                      (_B_SPECIAL, s_conf), (_B_UNKNOWN, unknown)):
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
_RULES: Final[dict[str, tuple[Callable[..., Rule], tuple[str, ...]]]] = {
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


def _applicable(va: Mapping[str, np.ndarray], criterion: str) -> np.ndarray:
    """Whether a criterion applies to each vacancy (it only depends on the vacancy)."""
    if criterion == "licence":
        return np.asarray(va["licence_req"], dtype=bool)
    if criterion == "skills":
        return np.asarray((va["n_req"] + va["n_wish"]) > 0)
    return np.ones(len(va["rank"]), dtype=bool)


# --------------------------------------------------------------------------------------------
# scoring
# --------------------------------------------------------------------------------------------
def _key_columns(cl: Mapping[str, np.ndarray], attrs: Sequence[str], criterion: str,
                 cfg: MatchConfig) -> np.ndarray:
    cols: list[np.ndarray] = []
    for a in attrs:
        arr = cl[a]
        if arr.dtype == np.float32:
            arr = np.where(np.isnan(arr), np.float32(-1e9), arr).view(np.int32)
        cols.append(arr.reshape(len(arr), -1).astype(np.int64))
    out = np.concatenate(cols, axis=1)
    if criterion == "barriers":  # place only matters with a transport barrier
        transport = cl["transport"] >= min(cfg.transport_severity, cfg.transport_hard_severity)
        relevant = (transport | (cl["childcare"] >= 2) | (cl["language_barrier"] >= 2)
                    | (cl["special"] >= cfg.special_severity))
        out[~transport, 4:] = -2
        out[~relevant] = -2
    return out


def _factorize_rows(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return (index of the first row of each distinct key, code of every row)."""
    codes: np.ndarray
    if keys.shape[1] == 1:
        codes = pd.factorize(keys[:, 0])[0]
    else:
        frame = pd.DataFrame(keys)
        codes = frame.groupby(list(frame.columns), sort=False).ngroup().to_numpy()
    _, first = np.unique(codes, return_index=True)
    return first, codes.astype(np.int64)


def _take(arrays: Mapping[str, np.ndarray], index: np.ndarray | slice,
          shape: Literal["col", "row", "flat"]) -> dict[str, np.ndarray]:
    out = {}
    for k, v in arrays.items():
        sub = v[index]
        if shape == "col":
            sub = sub[:, None] if sub.ndim == 1 else sub[:, None, :]
        elif shape == "row":
            sub = sub[None, :] if sub.ndim == 1 else sub[None, :, :]
        out[k] = sub
    return out


@dataclass
class _Term:
    codes: np.ndarray  # client row -> table row
    table: np.ndarray  # (profiles, vacancies) float32, already weighted


class _Scorer:
    """Dense scores of client chunks against all vacancies, and exact scores of pairs."""

    def __init__(self, enc: _Encoded, cfg: MatchConfig, cols: np.ndarray | None = None):
        self.enc, self.cfg = enc, cfg
        self.cols = np.arange(enc.n_vacancies) if cols is None else np.asarray(cols)
        self.va = _take(enc.va, self.cols, "flat")
        weights = {c: cfg.weight(c) for c in CRITERIA}
        den = np.zeros(len(self.cols), dtype=np.float64)
        for c in CRITERIA:
            den += weights[c] * _applicable(self.va, c)
        self.den = np.where(den > 0, den, 1.0)
        self.weights = weights
        self.terms: list[_Term] = []
        self.dense_rules: list[str] = []
        if enc.n_clients and len(self.cols):
            self._build_terms()

    def _factor(self, criterion: str) -> np.ndarray:
        """Per vacancy: weight / denominator where the criterion applies, else 0."""
        w = self.weights[criterion] * _applicable(self.va, criterion) / self.den
        return w.astype(np.float32)

    def _build_terms(self) -> None:
        cl, cfg = self.enc.cl, self.cfg
        va_row = {k: v[None, ...] if v.ndim == 1 else v[None, :, :] for k, v in self.va.items()}
        terms: list[_Term] = []
        for criterion in CRITERIA:
            if self.weights[criterion] == 0:
                continue
            if criterion == "skills":
                terms.extend(self._skill_terms())
                continue
            rule, attrs = _RULES[criterion]
            first, codes = _factorize_rows(_key_columns(cl, attrs, criterion, cfg))
            if len(first) > cfg.max_table_rows:
                self.dense_rules.append(criterion)
                continue
            prof = _take({a: cl[a] for a in attrs}, first, "col")
            score, state, _ = rule(prof, va_row, cfg)
            table = score * self._factor(criterion)[None, :]
            table = np.where(state == EXCLUDED, table - _HARD_PENALTY, table)
            terms.append(_Term(codes, table.astype(np.float32)))
        self.terms = self._merge(terms)

    def _skill_terms(self) -> list[_Term]:
        """Skills as sums: unknown skills, plus blocks of skills whose combinations are few.

        The skills score is linear in which skills a client has, so a block of skills becomes
        one table with a row per combination of those skills that occurs among the clients.
        """
        enc, cfg = self.enc, self.cfg
        factor = self._factor("skills").astype(np.float64)
        known = enc.cl["known"].astype(np.int64)
        unknown_row = factor * cfg.unknown
        terms = [_Term(known, np.stack([unknown_row, np.zeros_like(factor)]).astype(np.float32))]
        k = len(enc.skill_names)
        if k == 0:
            return terms
        ww = cfg.wished_skill_weight
        listed = self.va["n_req"] + ww * self.va["n_wish"]
        scale = np.where(listed > 0, factor / np.where(listed > 0, listed, 1.0), 0.0)
        per_skill = (_unpack(self.va["req_bits"], k) + ww * _unpack(self.va["wish_bits"], k))
        per_skill = (per_skill * scale[:, None]).astype(np.float32)  # (vacancies, skills)
        words = enc.cl["bits"]
        limit = cfg.max_table_rows
        base = max(1, min(52, int(math.log2(limit))))

        def block_codes(start: int, end: int) -> np.ndarray:
            mask = np.uint64((1 << (end - start)) - 1)
            return ((words[:, start // 64] >> np.uint64(start % 64)) & mask).astype(np.int64)

        start = 0
        while start < k:
            word_end = min(k, (start // 64 + 1) * 64)  # a block stays within one word
            end = min(word_end, start + base)
            codes = block_codes(start, end)
            while end < word_end and end - start < 52:  # widen while combinations stay few
                wider = min(word_end, end + 4, start + 52)
                trial = block_codes(start, wider)
                if np.unique(trial).size > limit:
                    break
                end, codes = wider, trial
            uniq, inverse = np.unique(codes, return_inverse=True)
            bits = ((uniq[:, None] >> np.arange(end - start)) & 1).astype(np.float32)
            table = bits @ per_skill[:, start:end].T
            terms.append(_Term(inverse.astype(np.int64).ravel(), table.astype(np.float32)))
            start = end
        return terms

    def _merge(self, terms: list[_Term]) -> list[_Term]:
        """Join terms whose combined client profiles stay few: fewer passes per chunk."""
        limit = self.cfg.max_table_rows
        terms = sorted(terms, key=lambda t: t.table.shape[0])
        merged: list[_Term] = []
        for term in terms:
            for i, group in enumerate(merged):
                joint = group.codes * term.table.shape[0] + term.codes
                uniq, inverse = np.unique(joint, return_inverse=True)
                if len(uniq) <= limit:
                    g_rows, t_rows = np.divmod(uniq, term.table.shape[0])
                    table = group.table[g_rows] + term.table[t_rows]
                    merged[i] = _Term(inverse.astype(np.int64), table)
                    break
            else:
                merged.append(term)
        return merged

    def dense(self, rows: np.ndarray) -> np.ndarray:
        """Return the approximate total (0-1; below 0 when a hard constraint fails)."""
        enc, cfg = self.enc, self.cfg
        acc = np.zeros((len(rows), len(self.cols)), dtype=np.float32)
        if self.terms:
            np.take(self.terms[0].table, self.terms[0].codes[rows], axis=0, out=acc)
            tmp = np.empty_like(acc)
            for term in self.terms[1:]:
                np.take(term.table, term.codes[rows], axis=0, out=tmp)
                acc += tmp
        if self.dense_rules:
            va_row = {k: v[None, ...] if v.ndim == 1 else v[None, :, :]
                      for k, v in self.va.items()}
            prof = _take(enc.cl, rows, "col")
            for criterion in self.dense_rules:
                rule, _ = _RULES[criterion]
                score, state, _ = rule(prof, va_row, cfg)
                part = score * self._factor(criterion)[None, :]
                acc += np.where(state == EXCLUDED, part - _HARD_PENALTY, part)
        return acc

    def pairs(self, rows: np.ndarray, cols: np.ndarray) -> dict[str, np.ndarray]:
        """Return exact scores, states and details of pairs (cols index ``self.cols``)."""
        cl = _take(self.enc.cl, rows, "flat")
        va = _take(self.va, cols, "flat")
        out: dict[str, np.ndarray] = {}
        total = np.zeros(len(rows), dtype=np.float64)
        hard_ok = np.ones(len(rows), dtype=bool)
        for criterion in CRITERIA:
            rule, _ = _RULES[criterion]
            score, state, detail = rule(cl, va, self.cfg)
            applies = _applicable(va, criterion)
            state = np.where(applies, state, NOT_APPLICABLE).astype(np.int8)
            total += self.weights[criterion] * np.where(applies, score, 0.0)
            hard_ok &= state != EXCLUDED
            out[criterion] = np.where(applies, score, np.nan)
            out[f"{criterion}_state"] = state
            out[f"{criterion}_detail"] = detail
        out["total"] = total / self.den[cols]
        out["hard_ok"] = hard_ok
        return out


def _unpack(bits: np.ndarray, k: int) -> np.ndarray:
    """Return a (rows, k) float32 0/1 matrix from little-endian uint64 bitsets."""
    as_bytes = np.ascontiguousarray(bits).view(np.uint8).reshape(len(bits), -1)
    return np.unpackbits(as_bytes, axis=1, bitorder="little")[:, :k].astype(np.float32)


# --------------------------------------------------------------------------------------------
# top k
# --------------------------------------------------------------------------------------------
def _top_k_rows(acc: np.ndarray, k: int, floor: float) -> tuple[np.ndarray, np.ndarray]:
    """Return (row, col) of the ``k`` best values >= ``floor`` per row, ties to lower cols."""
    n, width = acc.shape
    if width == 0 or n == 0 or k <= 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    if k < width:
        kth = np.partition(acc, width - k, axis=1)[:, width - k]
        kth = np.maximum(kth, np.float32(floor))
    else:
        kth = np.full(n, floor, dtype=np.float32)
    r, c = np.nonzero(acc >= kth[:, None])
    vals = acc[r, c]
    tie = vals == kth[r]
    n_above = np.bincount(r[~tie], minlength=n)
    tie_r = r[tie]
    starts = np.searchsorted(tie_r, np.arange(n))
    tie_rank = np.arange(tie_r.size) - starts[tie_r]
    keep = ~tie
    keep[tie] = tie_rank < (k - n_above)[tie_r]
    return r[keep].astype(np.int64), c[keep].astype(np.int64)


def _rank_within(group: np.ndarray, order_keys: Sequence[np.ndarray]) -> np.ndarray:
    """Return the 1-based rank of each row within its group, ordered by the keys."""
    return _ranks_in_order(group, np.lexsort(tuple(reversed([group, *order_keys]))))


def _ranks_in_order(group: np.ndarray, order: np.ndarray) -> np.ndarray:
    """Return 1-based ranks within groups, given an order that sorts by group first."""
    g = group[order]
    starts = np.r_[0, np.flatnonzero(g[1:] != g[:-1]) + 1]
    rank = np.arange(g.size) - np.repeat(starts, np.diff(np.r_[starts, g.size]))
    out = np.empty(g.size, dtype=np.int64)
    out[order] = rank + 1
    return out


# --------------------------------------------------------------------------------------------
# explanations
# --------------------------------------------------------------------------------------------
def _names(bits: np.ndarray, names: Sequence[str]) -> list[str]:
    found = []
    for word, value in enumerate(bits):
        v = int(value) & 0xFFFF_FFFF_FFFF_FFFF
        while v:
            low = v & -v
            idx = word * 64 + low.bit_length() - 1
            if idx < len(names):
                found.append(_display(names[idx]))
            v ^= low
    return found


#: Bit layout of the packed explanation key: (field, bits), low bits first.
_KEY_FIELDS: Final = (
    *((f"state_{c}", 3) for c in CRITERIA),
    ("c_hours", 7), ("v_hours", 7), ("c_lang", 3), ("v_lang", 3), ("v_edu", 4),
    ("barrier", 6), ("sector_side", 2), ("hours_side", 2), ("lang_side", 2), ("skills_side", 1),
)
#: Offsets stored in the key so that every field is >= 0.
_KEY_OFFSETS: Final = MappingProxyType({"c_hours": 1, "v_hours": 1, "c_lang": 1, "v_lang": 1,
                                        "v_edu": 2})


def _pack(values: Mapping[str, np.ndarray]) -> np.ndarray:
    key = np.zeros(len(next(iter(values.values()))), dtype=np.int64)
    shift = 0
    for name, bits in _KEY_FIELDS:
        v = values[name].astype(np.int64) + _KEY_OFFSETS.get(name, 0)
        key |= np.clip(v, 0, (1 << bits) - 1) << shift
        shift += bits
    return key


def _unpack_keys(keys: np.ndarray) -> dict[str, np.ndarray]:
    """Return the fields of packed explanation keys, one array per field."""
    out: dict[str, np.ndarray] = {}
    shift = 0
    for name, bits in _KEY_FIELDS:
        out[name] = ((keys >> shift) & ((1 << bits) - 1)) - _KEY_OFFSETS.get(name, 0)
        shift += bits
    return out

_SECTIONS: Final = ("uitgesloten", "past", "mist", "wijkt af", "onbekend", "let op")
_EXCL, _FITS, _LACKS, _DIFFERS, _UNKNOWN, _NOTES = range(6)


@functools.lru_cache(maxsize=4096)
def _items(criterion: str, state: int, a: int = 0, b: int = 0) -> tuple[tuple[int, str], ...]:
    """Return the (section, text) items one criterion adds to an explanation."""
    if criterion == "skills":
        if state == UNKNOWN:
            return ((_UNKNOWN, "vaardigheden klant" if a else "vaardigheden"),)
        return ()
    if criterion == "licence":
        return {MATCH: ((_FITS, "rijbewijs"),), EXCLUDED: ((_EXCL, "rijbewijs vereist"),),
                MISMATCH: ((_LACKS, "rijbewijs"),), UNKNOWN: ((_UNKNOWN, "rijbewijs"),),
                }.get(state, ())
    if criterion == "language":
        lang = _LANG_CODES[b] if 0 <= b < len(_LANG_CODES) else ""
        if state == MATCH:
            return ((_FITS, f"taal {lang}"),)
        if state in (EXCLUDED, MISMATCH):
            klant = _LANG_CODES[a] if 0 <= a < len(_LANG_CODES) else "?"
            return ((_EXCL if state == EXCLUDED else _LACKS,
                     f"taalniveau {lang} vereist (klant {klant})"),)
        if state == UNKNOWN:
            return ((_UNKNOWN, "taalniveau klant" if a == 1 else "taaleis vacature"),)
        return ()
    if criterion == "sector_wish":
        return {MATCH: ((_FITS, "sectorwens"),),
                MISMATCH: ((_DIFFERS, "andere sector dan gewenst"),),
                UNKNOWN: ((_UNKNOWN, "sectorwens" if a == 1 else "sector vacature"),),
                }.get(state, ())
    if criterion == "level":
        edu = _EDU_SHORT.get(_EDU_CODES[a], "") if 0 <= a < len(_EDU_CODES) else ""
        if state == MATCH:
            return ((_FITS, "niveau"),)
        if state == PARTIAL and a == -2:
            return ((_DIFFERS, "onder opleidingsniveau"),)
        if state in (PARTIAL, MISMATCH):
            return ((_LACKS, f"opleidingsniveau (vraagt {edu})" if edu else "opleidingsniveau"),)
        if state == UNKNOWN:
            return ((_UNKNOWN, "opleidingsniveau"),)
        return ()
    if criterion == "hours":
        if state == MATCH:
            return ((_FITS, "uren"),)
        if state in (PARTIAL, MISMATCH):
            return ((_DIFFERS, f"{b} uur (wens {a})"),)
        if state == UNKNOWN:
            return ((_UNKNOWN, "urenwens" if a == 1 else "uren vacature"),)
        return ()
    if criterion == "region":
        return {MATCH: ((_FITS, "woonplaats"),), PARTIAL: ((_FITS, "regio"),),
                MISMATCH: ((_DIFFERS, "buiten de regio"),),
                UNKNOWN: ((_UNKNOWN, "woonplaats"),)}.get(state, ())
    # barriers: a is the detail bits; special-category domains are never named
    out: list[tuple[int, str]] = []
    if a & _B_TRANSPORT_HARD:
        out.append((_EXCL, "vervoer (werk buiten de regio)"))
    elif a & _B_TRANSPORT:
        out.append((_NOTES, "vervoer"))
    if a & _B_CHILDCARE:
        out.append((_NOTES, "kinderopvang (uren)"))
    if a & _B_LANGUAGE:
        out.append((_NOTES, "taal"))
    if a & _B_SPECIAL:
        out.append((_NOTES, "belemmering (bijzondere categorie)"))
    if a & _B_UNKNOWN and not out:
        out.append((_UNKNOWN, "uren vacature (belemmering)"))
    return tuple(out)


def _sections(keys: np.ndarray) -> list[tuple[list[str], ...]]:
    """Return the explanation items of packed keys, per section (skill names apart).

    Each criterion's items are made once per distinct (state, detail) of that criterion.
    """
    f = _unpack_keys(keys)
    args = {
        "skills": (f["skills_side"], 0 * f["skills_side"]),
        "licence": (0 * keys, 0 * keys),
        "language": (np.where(f["state_language"] != UNKNOWN, f["c_lang"], f["lang_side"]),
                     f["v_lang"]),
        "sector_wish": (f["sector_side"], 0 * keys),
        "level": (f["v_edu"], 0 * keys),
        "hours": (np.where(f["state_hours"] != UNKNOWN, f["c_hours"], f["hours_side"]),
                  np.where(f["state_hours"] != UNKNOWN, f["v_hours"], 0)),
        "region": (0 * keys, 0 * keys),
        "barriers": (f["barrier"], 0 * keys),
    }
    per_criterion = []
    for criterion in _EXPLAIN_ORDER:
        a, b = args[criterion]
        packed = (f[f"state_{criterion}"].astype(np.int64) | ((a + 8) << 3)
                  | ((np.asarray(b, dtype=np.int64) + 8) << 13))
        uniq, inverse = np.unique(packed, return_inverse=True)
        items = [_items(criterion, k & 7, ((k >> 3) & 1023) - 8, (k >> 13) - 8)
                 for k in uniq.tolist()]
        per_criterion.append([items[i] for i in inverse.ravel().tolist()])
    out = []
    for row in zip(*per_criterion, strict=True):
        sections: tuple[list[str], ...] = ([], [], [], [], [], [])
        for items in row:
            for section, text in items:
                sections[section].append(text)
        out.append(sections)
    return out


#: The order in which criteria are named within a section.
_EXPLAIN_ORDER: Final = ("skills", "licence", "language", "sector_wish", "level", "hours",
                         "region", "barriers")


def _fmt_hours(values: np.ndarray) -> np.ndarray:
    return np.where(np.isnan(values), -1, np.rint(values)).astype(np.int64)


def _explain(scorer: _Scorer, rows: np.ndarray, cols: np.ndarray,
             res: Mapping[str, np.ndarray]) -> np.ndarray:
    """Return the explanation of each pair, built once per distinct explanation.

    Two keys per pair: which skills it has and misses (names), and everything else packed in
    one integer; sentences are put together once per distinct pair of keys.
    """
    enc = scorer.enc
    if len(rows) == 0:
        return np.zeros(0, dtype=object)
    bits = enc.cl["bits"][rows]
    req = scorer.va["req_bits"][cols]
    wish = scorer.va["wish_bits"][cols]
    skills_state = res["skills_state"]
    show_skills = ((skills_state != NOT_APPLICABLE) & (skills_state != UNKNOWN))[:, None]
    have = np.where(show_skills, bits & (req | wish), np.uint64(0))
    missing = np.where(show_skills, req & ~bits, np.uint64(0))
    skill_first, skill_codes = _factorize_rows(
        np.concatenate([have.view(np.int64), missing.view(np.int64)], axis=1))

    hours_state, lang_state = res["hours_state"], res["language_state"]
    level_state = res["level_state"]
    hours_diff = (hours_state == PARTIAL) | (hours_state == MISMATCH)
    lang_shown = (lang_state == MATCH) | (lang_state == EXCLUDED) | (lang_state == MISMATCH)
    over = (level_state == PARTIAL) & (enc.cl["rank"][rows].astype(np.int16)
                                       > scorer.va["rank"][cols])
    values = {f"state_{c}": res[f"{c}_state"] for c in CRITERIA}
    values.update({
        "c_hours": np.where(hours_diff, _fmt_hours(enc.cl["hours"][rows]), 0),
        "v_hours": np.where(hours_diff, _fmt_hours(scorer.va["hours"][cols]), 0),
        "c_lang": np.where((lang_state == EXCLUDED) | (lang_state == MISMATCH),
                           enc.cl["dutch"][rows], -1),
        "v_lang": np.where(lang_shown, scorer.va["lang"][cols], -1),
        "v_edu": np.where(over, -2, np.where((level_state == PARTIAL)
                                             | (level_state == MISMATCH),
                                             scorer.va["edu"][cols], -1)),
        "barrier": res["barriers_detail"],
        "sector_side": np.where(res["sector_wish_state"] == UNKNOWN,
                                np.where(enc.cl["pref"][rows] < 0, 1, 2), 0),
        "hours_side": np.where(hours_state == UNKNOWN,
                               np.where(np.isnan(enc.cl["hours"][rows]), 1, 2), 0),
        "lang_side": np.where(lang_state == UNKNOWN,
                              np.where(enc.cl["dutch"][rows] < 0, 1, 2), 0),
        "skills_side": np.where(skills_state == UNKNOWN, ~enc.cl["known"][rows], False),
    })
    rest = _pack(values)
    rest_uniq, rest_codes = np.unique(rest, return_inverse=True)
    pair_uniq, pair_codes = np.unique(skill_codes * len(rest_uniq) + rest_codes.ravel(),
                                      return_inverse=True)
    names = enc.skill_names
    skill_texts = [(", ".join(_names(have[i], names)), ", ".join(_names(missing[i], names)))
                   for i in skill_first]
    # per distinct rest key: the text before the skill names of "past" and "mist", the part
    # between them and the tail, so that a pair's sentence is a few concatenations
    rest_parts = []
    for excl, fits, lacks, differs, unknown, notes in _sections(rest_uniq):
        tail = "; ".join(f"{label}: {', '.join(items)}" for label, items in
                         (("wijkt af", differs), ("onbekend", unknown), ("let op", notes))
                         if items)
        rest_parts.append(("uitgesloten: " + ", ".join(excl) if excl else "",
                           ", ".join(fits), ", ".join(lacks), tail))
    n_rest = len(rest_uniq)
    texts = []
    for combined in pair_uniq.tolist():
        s_code, r_code = divmod(combined, n_rest)
        have_text, lack_text = skill_texts[s_code]
        head, fits, lacks, tail = rest_parts[r_code]
        fit = f"{have_text}, {fits}" if have_text and fits else have_text or fits
        lack = f"{lack_text}, {lacks}" if lack_text and lacks else lack_text or lacks
        parts = [head] if head else []
        if fit:
            parts.append("past: " + fit)
        if lack:
            parts.append("mist: " + lack)
        if tail:
            parts.append(tail)
        texts.append("; ".join(parts))
    return np.array(texts, dtype=object)[pair_codes.ravel()]


# --------------------------------------------------------------------------------------------
# public API
# --------------------------------------------------------------------------------------------
def _inputs(store_or_frames: Any, as_of: dt.date | None) -> MatchInputs:
    if isinstance(store_or_frames, MatchInputs):
        return store_or_frames
    if isinstance(store_or_frames, Mapping):
        frames = dict(store_or_frames)
        missing = {"clients", "vacancies"} - set(frames)
        if missing:
            raise TrajecttoolsError(
                f"Voor matching ontbreken de tabellen: {', '.join(sorted(missing))}."
            )
        return MatchInputs(**{k: v for k, v in frames.items()
                              if k in {"clients", "vacancies", "skills", "barriers",
                                       "decisions", "as_of"}})
    from trajecttools.register.store import Store

    if isinstance(store_or_frames, Store):
        return load_inputs(store_or_frames, as_of)
    raise TrajecttoolsError("Geef een register (Store), MatchInputs of tabellen (dict) op.")


def _row_filter(enc: _Encoded, clients: Iterable[int | str] | None) -> np.ndarray:
    if clients is None:
        return np.arange(enc.n_clients)
    wanted = list(clients)
    ids = {int(c) for c in wanted if not isinstance(c, str)}
    names = {c for c in wanted if isinstance(c, str)}
    frame = enc.clients
    mask = frame["trajectory_id"].astype("int64").isin(ids)
    if names:
        mask |= frame["pseudonym"].astype(str).isin(names)
    return np.flatnonzero(mask.to_numpy())


def _col_filter(enc: _Encoded, vacancies: Iterable[int] | None) -> np.ndarray:
    if vacancies is None:
        return np.arange(enc.n_vacancies)
    ids = {int(v) for v in vacancies}
    return np.flatnonzero(enc.vacancies["vacancy_id"].astype("int64").isin(ids).to_numpy())


def _mask_declined(acc: np.ndarray, enc: _Encoded, rows: np.ndarray,
                   cols: np.ndarray) -> None:
    if enc.declined.size == 0 or acc.size == 0:
        return
    d_rows, d_cols = np.divmod(enc.declined, enc.n_vacancies)
    r_pos = np.searchsorted(rows, d_rows)
    r_ok = (r_pos < len(rows)) & (rows[np.minimum(r_pos, len(rows) - 1)] == d_rows)
    col_pos = pd.Series(np.arange(len(cols)), index=cols)
    c_pos = col_pos.reindex(d_cols).to_numpy()
    ok = r_ok & ~np.isnan(c_pos)
    acc[r_pos[ok], c_pos[ok].astype(np.int64)] = -np.inf


def _select(scorer: _Scorer, rows: np.ndarray, top: int, floor: float, by_vacancy: bool
            ) -> tuple[np.ndarray, np.ndarray]:
    """Return kept (row, col-position) pairs: top per client, or per vacancy."""
    cfg, enc = scorer.cfg, scorer.enc
    step = max(1, cfg.chunk_rows if not by_vacancy else max(cfg.chunk_rows, 2048))
    chunks = [rows[i:i + step] for i in range(0, len(rows), step)]

    def work(chunk: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        acc = scorer.dense(chunk)
        _mask_declined(acc, enc, chunk, scorer.cols)
        if by_vacancy:
            c, r = _top_k_rows(np.ascontiguousarray(acc.T), top, floor)
        else:
            r, c = _top_k_rows(acc, top, floor)
        return chunk[r], c, acc[r, c]

    if cfg.threads > 1 and len(chunks) > 1:
        with ThreadPoolExecutor(max_workers=cfg.threads) as pool:
            parts = list(pool.map(work, chunks))
    else:
        parts = [work(ch) for ch in chunks]
    if not parts:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    r = np.concatenate([p[0] for p in parts])
    c = np.concatenate([p[1] for p in parts])
    if by_vacancy and len(parts) > 1:  # best clients per vacancy over all chunks
        v = np.concatenate([p[2] for p in parts])
        rank = _rank_within(c, [-v.astype(np.float64), r])
        keep = rank <= top
        r, c = r[keep], c[keep]
    return r, c


def match(
    store_or_frames: Store | MatchInputs | Mapping[str, Any],
    top: int = 10,
    direction: Literal["client", "vacancy"] = "client",
    clients: Iterable[int | str] | None = None,
    config: MatchConfig | None = None,
    *,
    vacancies: Iterable[int] | None = None,
    as_of: dt.date | None = None,
    include_excluded: bool = False,
    reciprocal: bool = False,
) -> pd.DataFrame:
    """Return the best pairs of active clients and open vacancies, with scores and reasons.

    ``direction="client"``: the ``top`` vacancies per client (``clients``: trajectory ids or
    pseudonyms; None: all active). ``direction="vacancy"``: the ``top`` clients per vacancy
    (``vacancies``: vacancy ids; None: all open ones with free positions). Pairs failing a hard
    constraint are left out unless ``include_excluded`` (then they follow the allowed ones).
    ``reciprocal`` adds, for client rows, the client's rank among all active clients for that
    vacancy (``vacancy_rank``) and the number of allowed candidates (``candidates``).

    One row per pair: trajectory_id, pseudonym, initials, vacancy_id, title, employer,
    employer_id, sector, positions, rank, score (0-100), hard_ok, one column per criterion
    (0-100, NaN when not applicable) and its ``<criterion>_status``, the Dutch
    ``explanation`` and the latest earlier ``decision`` on the pair (None when none).
    """
    cfg = config or MatchConfig()
    if direction not in ("client", "vacancy"):
        raise TrajecttoolsError("Richting moet 'client' of 'vacancy' zijn.")
    if top < 1:
        raise TrajecttoolsError("Top moet minstens 1 zijn.")
    inputs = _inputs(store_or_frames, as_of)
    enc = _encode(inputs, cfg)
    rows = _row_filter(enc, clients)
    cols = _col_filter(enc, vacancies)
    scorer = _Scorer(enc, cfg, cols)
    floor = -1e30 if include_excluded else 0.0
    r, c = _select(scorer, rows, top, floor, by_vacancy=direction == "vacancy")
    out = _frame(scorer, r, c, by_vacancy=direction == "vacancy", reciprocal=reciprocal)
    out.attrs["as_of"] = inputs.as_of
    return out


def _frame(scorer: _Scorer, r: np.ndarray, c: np.ndarray, *, by_vacancy: bool,
           reciprocal: bool) -> pd.DataFrame:
    enc = scorer.enc
    res = scorer.pairs(r, c)
    total = np.clip(res["total"], 0.0, 1.0)
    hard_ok = res["hard_ok"]
    vac_index = scorer.cols[c]
    # order: group, allowed first, best score first, tie-break by column (or client) order
    group = vac_index if by_vacancy else r
    other = r if by_vacancy else vac_index
    # one float key: group first, then allowed pairs, then the best score (exact to ~1e-11)
    key = group.astype(np.float64) * 4.0 + np.where(hard_ok, 1.0 - total, 3.0 - total)
    order = np.lexsort((other, key))
    rank = _ranks_in_order(group, order)
    r, c, vac_index, rank, total, hard_ok = (
        r[order], c[order], vac_index[order], rank[order], total[order], hard_ok[order])
    res = {k: v[order] for k, v in res.items()}
    explanation = _explain(scorer, r, c, res)
    clients, vacancies = enc.clients, enc.vacancies

    def col(frame: pd.DataFrame, name: str, index: np.ndarray) -> np.ndarray:
        if name not in frame.columns:
            return np.full(len(index), None, dtype=object)
        return frame[name].to_numpy()[index]

    data: dict[str, Any] = {
        "trajectory_id": col(clients, "trajectory_id", r).astype(np.int64),
        "pseudonym": col(clients, "pseudonym", r),
        "initials": col(clients, "initials", r),
        "vacancy_id": col(vacancies, "vacancy_id", vac_index).astype(np.int64),
        "title": col(vacancies, "title", vac_index),
        "employer": col(vacancies, "employer", vac_index),
        "employer_id": col(vacancies, "employer_id", vac_index),
        "sector": col(vacancies, "sector", vac_index),
        "positions": col(vacancies, "positions", vac_index),
        "rank": rank,
        "score": np.round(total * 100.0, 1),
        "hard_ok": hard_ok,
    }
    for criterion in CRITERIA:
        data[criterion] = np.round(res[criterion] * 100.0, 1)
    for criterion in CRITERIA:
        data[f"{criterion}_status"] = pd.Categorical.from_codes(
            res[f"{criterion}_state"].astype(np.int64), categories=pd.Index(list(STATES)))
    data["explanation"] = explanation
    data["decision"] = _decisions_of(enc, r, vac_index)
    out = pd.DataFrame(data)
    if reciprocal and not by_vacancy:
        out["vacancy_rank"], out["candidates"] = _reciprocal(scorer, r, vac_index, total,
                                                             hard_ok)
    return out


def _decisions_of(enc: _Encoded, r: np.ndarray, vac_index: np.ndarray) -> np.ndarray:
    """Return the latest earlier decision of each pair (None when there is none)."""
    out = np.full(len(r), None, dtype=object)
    if not enc.decision_status or len(r) == 0:
        return out
    items = sorted((ri * enc.n_vacancies + ci, st) for (ri, ci), st in
                   enc.decision_status.items())
    keys = np.array([k for k, _ in items], dtype=np.int64)
    status = np.array([st for _, st in items], dtype=object)
    wanted = r.astype(np.int64) * enc.n_vacancies + vac_index
    pos = np.minimum(np.searchsorted(keys, wanted), len(keys) - 1)
    hit = keys[pos] == wanted
    out[hit] = status[pos[hit]]
    return out


def _reciprocal(scorer: _Scorer, r: np.ndarray, vac_index: np.ndarray, total: np.ndarray,
                hard_ok: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each pair: the client's rank among all allowed clients of that vacancy."""
    enc, cfg = scorer.enc, scorer.cfg
    wanted = np.unique(vac_index)
    if wanted.size == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    sub = _Scorer(enc, cfg, wanted)
    all_rows = np.arange(enc.n_clients)
    higher = np.zeros(len(r), dtype=np.int64)
    allowed = np.zeros(wanted.size, dtype=np.int64)
    pos = np.searchsorted(wanted, vac_index)
    # exact totals of every client for the wanted vacancies, in chunks
    step = max(1, cfg.chunk_rows)
    for start in range(0, enc.n_clients, step):
        chunk = all_rows[start:start + step]
        rr = np.repeat(chunk, wanted.size)
        cc = np.tile(np.arange(wanted.size), chunk.size)
        res = sub.pairs(rr, cc)
        ok = res["hard_ok"]
        acc = np.where(ok, np.clip(res["total"], 0, 1), -np.inf).reshape(chunk.size, -1)
        _mask_declined(acc, enc, chunk, wanted)
        allowed += np.isfinite(acc).sum(axis=0)
        higher += (acc[:, pos] > total[None, :] + 1e-9).sum(axis=0)
    rank = np.where(hard_ok, higher + 1, 0)
    return rank, allowed[pos]


def criteria_frame(pairs: pd.DataFrame) -> pd.DataFrame:
    """Return the criteria of pairs in long form: one row per pair and criterion, in Dutch."""
    rows = []
    for criterion in CRITERIA:
        part = pairs[["trajectory_id", "vacancy_id"]].copy()
        part["criterion"] = criterion
        part["label"] = CRITERION_LABELS[criterion]
        part["score"] = pairs[criterion]
        part["status"] = pairs[f"{criterion}_status"].astype(str)
        part["status_label"] = part["status"].map(STATE_LABELS)
        rows.append(part)
    return pd.concat(rows, ignore_index=True)


# --------------------------------------------------------------------------------------------
# assignment and congestion
# --------------------------------------------------------------------------------------------
#: Largest (clients x positions) matrix :func:`assign` accepts.
MAX_ASSIGN_CELLS: Final = 25_000_000


def assign(
    pairs_or_scores: pd.DataFrame | np.ndarray,
    per_position: bool = True,
    *,
    capacity: Sequence[int] | np.ndarray | None = None,
) -> pd.DataFrame:
    """Propose who goes where: each client at most once, maximising the total fit.

    ``pairs_or_scores``: the pairs of :func:`match` (only ``hard_ok`` pairs are used; a
    vacancy takes up to its ``positions`` clients when ``per_position``, else one), or a
    (clients x vacancies) score matrix where NaN or -inf marks a pair that is not allowed (with
    ``capacity`` per vacancy, default 1). Solved with
    :func:`scipy.optimize.linear_sum_assignment` over the allowed pairs; a client for whom no
    allowed pair is left stays unassigned. Returns one row per proposed pair (the pair's
    columns, best score first), or for a matrix: row, col, score.
    """
    from scipy.optimize import linear_sum_assignment

    if isinstance(pairs_or_scores, pd.DataFrame):
        pairs = pairs_or_scores
        if "hard_ok" in pairs.columns:
            pairs = pairs[pairs["hard_ok"].astype(bool)]
        pairs = (pairs.sort_values("score", ascending=False, kind="stable")
                 .drop_duplicates(["trajectory_id", "vacancy_id"]))
        if pairs.empty:
            return pairs.assign(slot=pd.Series(dtype="int64")).reset_index(drop=True)
        t_codes, t_ids = pd.factorize(pairs["trajectory_id"])
        v_codes, v_ids = pd.factorize(pairs["vacancy_id"])
        scores = np.full((len(t_ids), len(v_ids)), np.nan)
        scores[t_codes, v_codes] = pairs["score"].to_numpy(dtype=float)
        if per_position and "positions" in pairs.columns:
            first = pairs.drop_duplicates("vacancy_id").set_index("vacancy_id")["positions"]
            cap = first.reindex(v_ids).fillna(1).astype(int).to_numpy()
        else:
            cap = np.ones(len(v_ids), dtype=int)
        rows, cols, slots = _solve(scores, cap, linear_sum_assignment)
        chosen = pd.DataFrame({"trajectory_id": t_ids[rows], "vacancy_id": v_ids[cols],
                               "slot": slots})
        out = chosen.merge(pairs, on=["trajectory_id", "vacancy_id"], how="left")
        return out.sort_values(["score", "trajectory_id"], ascending=[False, True],
                               kind="stable").reset_index(drop=True)
    scores = np.asarray(pairs_or_scores, dtype=float)
    if scores.ndim != 2:
        raise TrajecttoolsError("De scorematrix moet twee dimensies hebben (klanten x vacatures).")
    if capacity is None or not per_position:
        cap = np.ones(scores.shape[1], dtype=int)
    else:
        cap = np.asarray(capacity, dtype=int)
        if cap.shape != (scores.shape[1],):
            raise TrajecttoolsError("Geef per vacature één capaciteit op.")
    rows, cols, slots = _solve(scores, cap, linear_sum_assignment)
    return pd.DataFrame({"row": rows, "col": cols, "slot": slots,
                         "score": scores[rows, cols]})


def _solve(scores: np.ndarray, cap: np.ndarray, solver: Callable[..., Any]
           ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Max-weight matching with capacities: vacancy columns repeated once per position."""
    n_rows, n_cols = scores.shape
    allowed = np.isfinite(scores)
    cap = np.minimum(np.maximum(cap, 0), allowed.sum(axis=0))  # no more slots than candidates
    expand = np.repeat(np.arange(n_cols), cap)
    slot = np.arange(expand.size) - np.repeat(np.cumsum(cap) - cap, cap)
    if n_rows * expand.size > MAX_ASSIGN_CELLS:
        raise TrajecttoolsError(
            f"Te groot voor één verdeling ({n_rows} klanten x {expand.size} plaatsen); kies "
            "minder klanten of vacatures."
        )
    if expand.size == 0 or n_rows == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.int64)
    # a pair not allowed weighs 0, so a forced pair of weight 0 is the same as no pair: the
    # full assignment of maximum weight is the best partial one (pairs of score <= 0 add
    # nothing and are left out)
    weight = np.where(allowed, np.maximum(np.nan_to_num(scores, nan=0.0), 0.0), 0.0)
    rows, slots_idx = solver(weight[:, expand], maximize=True)
    cols = expand[slots_idx]
    ok = allowed[rows, cols] & (weight[rows, cols] > 0)
    return rows[ok].astype(np.int64), cols[ok].astype(np.int64), slot[slots_idx][ok]


def congestion(pairs: pd.DataFrame, top: int | None = None) -> pd.DataFrame:
    """Return per vacancy how many clients have it in their top ``top`` against its positions.

    Columns: vacancy_id, title, employer, positions, clients (in a top list), first_choice
    (rank 1), pressure (clients per position) and share (of all clients in ``pairs``), most
    crowded first. ``attrs["summary"]`` says in Dutch how concentrated the interest is.
    """
    data = pairs
    if "hard_ok" in data.columns:
        data = data[data["hard_ok"].astype(bool)]
    if top is not None:
        data = data[data["rank"] <= top]
    n_clients = int(data["trajectory_id"].nunique())
    if data.empty:
        out = pd.DataFrame(columns=["vacancy_id", "title", "employer", "positions", "clients",
                                    "first_choice", "pressure", "share"])
        out.attrs["summary"] = "Geen passende vacatures gevonden."
        return out
    grouped = data.groupby("vacancy_id", sort=False)
    out = pd.DataFrame({
        "title": grouped["title"].first(),
        "employer": grouped["employer"].first(),
        "positions": grouped["positions"].first().astype("int64"),
        "clients": grouped["trajectory_id"].nunique().astype("int64"),
        "first_choice": (data["rank"] == 1).groupby(data["vacancy_id"], sort=False).sum()
        .astype("int64"),
    }).reset_index()
    out["pressure"] = (out["clients"] / out["positions"].clip(lower=1)).round(2)
    out["share"] = (out["clients"] / max(n_clients, 1)).round(3)
    out = out.sort_values(["pressure", "clients", "vacancy_id"], ascending=[False, False, True],
                          kind="stable").reset_index(drop=True)
    crowded = out[out["clients"] > out["positions"]]
    top_share = crowded["clients"].sum() / max(data.shape[0], 1)
    clients_text = "1 klant wijst" if n_clients == 1 else f"{n_clients} klanten wijzen"
    vacancies_text = "1 vacature" if len(out) == 1 else f"{len(out)} vacatures"
    if crowded.empty:
        crowd_text = "geen vacature heeft meer kandidaten dan plaatsen"
    else:
        many = "1 vacature heeft" if len(crowded) == 1 else f"{len(crowded)} vacatures hebben"
        crowd_text = (f"{many} meer kandidaten dan plaatsen ({top_share:.0%} van alle "
                      "koppelingen)")
    out.attrs["summary"] = f"{clients_text} naar {vacancies_text}; {crowd_text}."
    return out


def with_config(config: MatchConfig | None = None, **changes: Any) -> MatchConfig:
    """Return a configuration with some fields changed (weights are merged)."""
    base = config or MatchConfig()
    if "weights" in changes:
        changes["weights"] = {**dict(base.weights), **dict(changes["weights"])}
    return replace(base, **changes)


__all__ = [
    "CRITERIA",
    "CRITERION_LABELS",
    "DEFAULT_WEIGHTS",
    "STATES",
    "STATE_LABELS",
    "MatchConfig",
    "MatchInputs",
    "assign",
    "client_hours",
    "congestion",
    "criteria_frame",
    "load_inputs",
    "match",
    "wished_hours",
    "with_config",
]
