"""The outcome register: the frames the measures read, loaded from a store or from frames, and
each trajectory's outcome facts on a date (registration, closing, first job).

Also the argument handling every measure shares: dates (``as_of``, ``period``) and splits
(``by``, one or more of :data:`GROUPS`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Final, TypeVar

import numpy as np
import pandas as pd

from trajecttools.core import vocab
from trajecttools.core.method import builtin_methods
from trajecttools.core.outcome_rules import Outcomes, rules_by_method
from trajecttools.register.sql import read_sql

if TYPE_CHECKING:
    from trajecttools.register.store import Store

#: Groups smaller than this are suppressed in shown figures (privacy and reliability).
MIN_N: Final = 10
#: The splits funders and partners ask for, with their Dutch labels.
GROUPS: Final = MappingProxyType(
    {
        "target_group": "Doelgroep",
        "coach": "Jobcoach",
        "method": "Methode",
        "cohort": "Cohort",
        "region": "Regio",
        "team": "Team",
    }
)
#: Placement kinds that count as work unless a method's ``[outcomes]`` says otherwise: a regular
#: contract without wage subsidy ("Traject Work-2-Gether"); every other kind is a step.
JOB_KINDS: Final = frozenset(Outcomes().work)
#: Flags describing the quality of a first job ("Duurzaam werk niet voor iedereen
#: vanzelfsprekend", see docs/sources.md).
QUALITY_FLAGS: Final = ("temporary", "below_level", "outside_field")
#: Shown for a group whose value is missing (no coach, no region ...).
UNKNOWN: Final = "(onbekend)"

DateLike = str | dt.date | pd.Timestamp
Period = tuple[DateLike | None, DateLike | None]
By = str | Sequence[str] | None

_T = TypeVar("_T")
_DAYFIRST = re.compile(r"^\d{1,2}[-/.]\d{1,2}[-/.]\d{4}")
_TRAJECTORY_COLUMNS = ("trajectory_id", "client_id", "registered_at", "closed_on", "outcome")
#: The event of a trajectory in the time to work: censored, work, stopped without work.
CENSORED, WORK, STOPPED = 0, 1, 2


# -- input -------------------------------------------------------------------------------------
def as_day(value: DateLike) -> pd.Timestamp:
    """Return a date (date, Timestamp, dd-mm-jjjj or jjjj-mm-dd text) as a midnight Timestamp."""
    if isinstance(value, str):
        text = value.strip()
        ts = pd.Timestamp(pd.to_datetime(text, dayfirst=bool(_DAYFIRST.match(text))))
    else:
        ts = pd.Timestamp(value)
    if ts is pd.NaT:
        raise ValueError(f"'{value}' is geen geldige datum (gebruik dd-mm-jjjj)")
    return ts.normalize()


def _dates(values: pd.Series) -> pd.Series:
    """Return a column as ``datetime64[ns]`` (text, dates or datetimes; blanks become NaT)."""
    if not pd.api.types.is_datetime64_any_dtype(values):
        values = pd.to_datetime(values, format="ISO8601", errors="coerce")
    return values.astype("datetime64[ns]")


@dataclass(eq=False)
class Register:
    """The frames the outcome measures read, loaded once and measured at any date.

    ``trajectories`` has one row a trajectory (the columns of :meth:`Store.cases` that the
    measures need: ``trajectory_id``, ``client_id``, ``registered_at``, ``closed_on``,
    ``outcome`` and the group columns that exist); ``placements`` also carries ``client_id``.
    Use :func:`load` (from a store) or :func:`from_frames` (from frames) to build one.
    """

    trajectories: pd.DataFrame
    placements: pd.DataFrame
    benefit_periods: pd.DataFrame
    zrm_assessments: pd.DataFrame
    ladder_steps: pd.DataFrame
    as_of: pd.Timestamp
    #: Dutch names of the methods (code -> name), for labels.
    method_names: Mapping[str, str] = field(default_factory=dict)
    #: Each method's ``[outcomes]`` rules (code -> rules); other methods get the defaults.
    rules: Mapping[str, Outcomes] = field(default_factory=dict)
    _cache: dict[Hashable, Any] = field(default_factory=dict, repr=False)

    def __len__(self) -> int:
        return len(self.trajectories)

    def cached(self, key: Hashable, compute: Callable[[], _T]) -> _T:
        """Return what ``compute`` gives, computed once per ``key`` until :meth:`clear_cache`."""
        if key not in self._cache:
            self._cache[key] = compute()
        return self._cache[key]

    def clear_cache(self) -> None:
        """Forget what was computed and cached (after changing a frame in place)."""
        self._cache.clear()

    def rules_of(self, method: str | None) -> Outcomes:
        """Return the ``[outcomes]`` rules of a method (the defaults when it has none)."""
        return self.rules.get(method or "", _DEFAULT_RULES)

    @property
    def horizons(self) -> tuple[int, ...]:
        """The retention horizons (months) of the methods in the register, together."""
        methods: Any = self.trajectories["method"].dropna().unique() if "method" in \
            self.trajectories.columns else []
        months = {m for code in methods for m in self.rules_of(str(code)).retention_months}
        return tuple(sorted(months)) or _DEFAULT_RULES.retention_months

    @property
    def step_labels(self) -> tuple[str, ...]:
        """The Dutch words of the steps of the methods in the register, in file order."""
        methods: Any = self.trajectories["method"].dropna().unique() if "method" in \
            self.trajectories.columns else []
        labels = [lab for code in methods for lab in self.rules_of(str(code)).step_labels]
        return tuple(dict.fromkeys(labels or _DEFAULT_RULES.step_labels))


_DEFAULT_RULES = Outcomes()


def _empty(columns: Mapping[str, str]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in columns.items()})


_PLACEMENT_COLUMNS = {
    "id": "int64",
    "trajectory_id": "int64",
    "kind": "object",
    "start_on": "datetime64[ns]",
    "end_on": "datetime64[ns]",
    "temporary": "boolean",
    "below_level": "boolean",
    "outside_field": "boolean",
}
_BENEFIT_COLUMNS = {
    "client_id": "int64",
    "kind": "object",
    "start_on": "datetime64[ns]",
    "end_on": "datetime64[ns]",
}
_LADDER_COLUMNS = {"id": "int64", "trajectory_id": "int64", "assessed_on": "datetime64[ns]",
                   "rung": "float64"}


def from_frames(
    cases: pd.DataFrame,
    placements: pd.DataFrame | None = None,
    benefit_periods: pd.DataFrame | None = None,
    zrm_assessments: pd.DataFrame | None = None,
    ladder_steps: pd.DataFrame | None = None,
    *,
    as_of: DateLike | None = None,
    method_names: Mapping[str, str] | None = None,
    rules: Mapping[str, Outcomes] | None = None,
) -> Register:
    """Return a :class:`Register` built from frames shaped like ``store.cases()`` and
    ``store.frame(...)`` (extra columns are ignored, missing tables are empty).

    ``rules`` gives each method's ``[outcomes]`` rules (default: the shipped methods'); a
    ``left_school_on`` column in ``cases`` (the client's school-leaving date) is kept.
    """
    missing = [c for c in _TRAJECTORY_COLUMNS if c not in cases.columns]
    if missing:
        raise ValueError(f"Kolommen ontbreken in de trajecten: {', '.join(missing)}")
    groups = [g for g in GROUPS if g in cases.columns and g != "cohort"]
    extra = [c for c in ("left_school_on",) if c in cases.columns]
    traj = cases[[*_TRAJECTORY_COLUMNS, *groups, *extra]].copy()
    traj["left_school_on"] = (_dates(traj["left_school_on"]).dt.normalize() if extra
                              else pd.Series(pd.NaT, index=traj.index, dtype="datetime64[ns]"))
    traj["registered_at"] = _dates(traj["registered_at"])
    traj["closed_on"] = _dates(traj["closed_on"]).dt.normalize()
    traj["outcome"] = traj["outcome"].astype("object")
    traj["cohort"] = traj["registered_at"].dt.year.astype("Int64")
    for g in groups:  # categoricals: the code-list order, else sorted; the same from any source
        if isinstance(traj[g].dtype, pd.CategoricalDtype):
            continue
        if g == "target_group":
            found = [v for v in pd.unique(traj[g].dropna()) if v not in vocab.TARGET_GROUPS]
            traj[g] = pd.Categorical(traj[g], categories=[*vocab.TARGET_GROUPS, *sorted(found)])
        else:
            traj[g] = traj[g].astype("object").astype("category")
    for col in ("trajectory_id", "client_id"):
        traj[col] = traj[col].astype("int64")

    place = _empty(_PLACEMENT_COLUMNS) if placements is None else placements.copy()
    if "id" not in place.columns:
        place["id"] = np.arange(len(place), dtype="int64")
    for col in ("end_on", *QUALITY_FLAGS):
        if col not in place.columns:
            place[col] = pd.NA
    place = place[list(_PLACEMENT_COLUMNS)].copy()
    place["kind"] = place["kind"].astype("object")
    for col in ("start_on", "end_on"):
        place[col] = _dates(place[col]).dt.normalize()
    for col in QUALITY_FLAGS:
        place[col] = place[col].astype("boolean")
    client_of = pd.Series(traj["client_id"].to_numpy(), index=traj["trajectory_id"].to_numpy())
    place["client_id"] = place["trajectory_id"].map(client_of).astype("Int64")
    if rules is None:
        rules = rules_by_method(builtin_methods())
    _roles(place, traj, rules)

    ben = _empty(_BENEFIT_COLUMNS) if benefit_periods is None else benefit_periods.copy()
    if "end_on" not in ben.columns:
        ben["end_on"] = pd.NaT
    ben = ben[list(_BENEFIT_COLUMNS)].copy()
    ben["kind"] = ben["kind"].astype("object")
    for col in ("start_on", "end_on"):
        ben[col] = _dates(ben[col]).dt.normalize()

    domains = list(vocab.ZRM_DOMAINS)
    zrm_types = {"id": "int64", "trajectory_id": "int64", "assessed_on": "datetime64[ns]",
                 **dict.fromkeys(domains, "float64")}
    zrm = _empty(zrm_types) if zrm_assessments is None else zrm_assessments.copy()
    if "id" not in zrm.columns:
        zrm["id"] = np.arange(len(zrm), dtype="int64")
    for d in domains:
        if d not in zrm.columns:
            zrm[d] = np.nan
    zrm = zrm[list(zrm_types)].copy()
    zrm["assessed_on"] = _dates(zrm["assessed_on"]).dt.normalize()
    zrm[domains] = zrm[domains].astype("float64")

    lad = _empty(_LADDER_COLUMNS) if ladder_steps is None else ladder_steps.copy()
    if "id" not in lad.columns:
        lad["id"] = np.arange(len(lad), dtype="int64")
    lad = lad[list(_LADDER_COLUMNS)].copy()
    lad["assessed_on"] = _dates(lad["assessed_on"]).dt.normalize()
    lad["rung"] = lad["rung"].astype("float64")

    day = as_day(as_of) if as_of is not None else pd.Timestamp.today().normalize()
    return Register(traj, place, ben, zrm, lad, day, dict(method_names or {}), dict(rules))


def _roles(place: pd.DataFrame, traj: pd.DataFrame, rules: Mapping[str, Outcomes]) -> None:
    """Add to the placements what their kind is under their trajectory's method: ``work``
    (counts as work), ``step`` (the Dutch words of a step, else None) and ``rights`` (a benefit
    after it opens rights)."""
    if "method" in traj.columns:
        method_of = pd.Series(traj["method"].astype("object").to_numpy(),
                              index=traj["trajectory_id"].to_numpy())
        method = place["trajectory_id"].map(method_of).astype("object")
    else:
        method = pd.Series(None, index=place.index, dtype="object")
    kind = place["kind"].astype("object")
    work = np.zeros(len(place), dtype=bool)
    step = np.full(len(place), None, dtype=object)
    rights = np.zeros(len(place), dtype=bool)
    for code in pd.unique(method.fillna("")):
        mine = (method.fillna("") == code).to_numpy()
        r = rules.get(str(code), _DEFAULT_RULES)
        work |= mine & kind.isin(r.work).to_numpy()
        labels = kind.map(r.steps).to_numpy(dtype=object)
        step = np.where(mine & pd.notna(labels), labels, step)
        rights |= mine & kind.isin(r.rights_after).to_numpy()
    place["work"] = work
    place["step"] = step
    place["rights"] = rights


def load(store: Store, as_of: DateLike | None = None) -> Register:
    """Read what the outcome measures need from a register (no names, no pseudonyms)."""
    trajectories = read_sql(
        store,
        "SELECT t.id AS trajectory_id, t.client_id, t.registered_at, t.closed_on, t.outcome,"
        " t.method, c.target_group, c.region, co.name AS coach, tm.name AS team,"
        " c.left_school_on"
        " FROM trajectories t JOIN clients c ON c.id = t.client_id"
        " LEFT JOIN coaches co ON co.id = t.coach_id"
        " LEFT JOIN teams tm ON tm.id = co.team_id ORDER BY t.id",
    )
    methods = store.methods()
    trajectories["target_group"] = pd.Categorical(
        trajectories["target_group"], categories=list(vocab.TARGET_GROUPS)
    )
    trajectories["method"] = pd.Categorical(trajectories["method"], categories=list(methods))
    for col in ("region", "coach", "team"):
        trajectories[col] = trajectories[col].astype("category")
    placements = read_sql(
        store,
        "SELECT id, trajectory_id, kind, start_on, end_on, temporary, below_level, outside_field"
        " FROM placements",
    )
    benefits = read_sql(
        store, "SELECT client_id, kind, start_on, end_on FROM benefit_periods WHERE kind <> 'none'"
    )
    zrm = read_sql(
        store,
        f"SELECT id, trajectory_id, assessed_on, {', '.join(vocab.ZRM_DOMAINS)}"
        " FROM zrm_assessments",
    )
    ladder = read_sql(store, "SELECT id, trajectory_id, assessed_on, rung FROM ladder_steps")
    names = {code: m.method.name for code, m in methods.items()}
    return from_frames(
        trajectories,
        placements,
        benefits,
        zrm,
        ladder,
        as_of=as_of if as_of is not None else store.today,
        method_names=names,
        rules=rules_by_method(methods),
    )


def resolve(data: Register | Store, as_of: DateLike | None) -> tuple[Register, pd.Timestamp]:
    """Return the register (loaded when ``data`` is a store) and the date to measure on."""
    reg = data if isinstance(data, Register) else load(data, as_of)
    return reg, as_day(as_of) if as_of is not None else reg.as_of


def by_keys(by: By, reg: Register) -> list[str]:
    """Return the split as a list of group columns, checked against :data:`GROUPS` and ``reg``."""
    keys = [by] if isinstance(by, str) else list(by or [])
    for key in keys:
        if key not in GROUPS:
            known = ", ".join(GROUPS)
            raise ValueError(f"Onbekende uitsplitsing '{key}'; mogelijk zijn: {known}")
        if key not in reg.trajectories.columns:
            raise ValueError(f"Uitsplitsing '{key}' ontbreekt in de gegevens")
    if len(set(keys)) != len(keys):
        raise ValueError("Een uitsplitsing staat er dubbel in")
    return keys


def period_bounds(period: Period | None) -> tuple[pd.Timestamp | None, pd.Timestamp | None]:
    """Return the first and last day of a period (either may be None: no bound)."""
    if period is None:
        return None, None
    start, end = period
    lo = as_day(start) if start is not None else None
    hi = as_day(end) if end is not None else None
    if lo is not None and hi is not None and hi < lo:
        raise ValueError("Het einde van de periode ligt voor het begin")
    return lo, hi


def in_period(values: pd.Series, period: Period | None) -> pd.Series:
    """Tell which dates fall in the period (inclusive; a missing date never does)."""
    lo, hi = period_bounds(period)
    mask = values.notna()
    if lo is not None:
        mask &= values >= lo
    if hi is not None:
        mask &= values <= hi
    return mask


# -- the facts of each trajectory on a date ------------------------------------------------------
def facts(data: Register | Store, as_of: DateLike | None = None) -> pd.DataFrame:
    """Return one row a trajectory registered on or before ``as_of`` with its outcome facts.

    Columns: ``trajectory_id``, ``client_id``, the group columns, ``registered_on``,
    ``closed_on`` and ``outcome`` (only when closed by ``as_of``), the first job — the first
    placement that counts as work under the trajectory's method (``first_job_on``,
    ``first_job_kind`` and the quality flags) —, ``placed`` (found work), the first step
    (``first_step_on``, ``first_step``: its Dutch words such as "in een opstap"),
    ``left_school_on``, ``days`` — days from registration to the first job, or to the
    censoring date (closing without work, or ``as_of`` while still open) — and ``event``:
    :data:`WORK`, :data:`STOPPED` (closed without work: the competing event) or
    :data:`CENSORED` (still open). Computed once per date.
    """
    reg, day = resolve(data, as_of)
    return reg.cached(("facts", day), lambda: _facts(reg, day))


def _facts(reg: Register, day: pd.Timestamp) -> pd.DataFrame:
    """Compute :func:`facts` (not cached)."""
    traj = reg.trajectories
    registered = traj["registered_at"].dt.normalize()
    keep = (registered <= day).to_numpy()
    groups = [g for g in GROUPS if g in traj.columns]
    out = traj.loc[keep, ["trajectory_id", "client_id", *groups]].reset_index(drop=True)
    for g in groups:
        col = out[g]
        if col.isna().any():
            if isinstance(col.dtype, pd.CategoricalDtype):
                if UNKNOWN not in col.cat.categories:
                    col = col.cat.add_categories([UNKNOWN])
                out[g] = col.fillna(UNKNOWN)
            elif g != "cohort":
                out[g] = col.astype("object").fillna(UNKNOWN)
    out["registered_on"] = registered[keep].to_numpy()
    closed = traj.loc[keep, "closed_on"].to_numpy()
    closed = np.where(closed <= day.to_datetime64(), closed, np.datetime64("NaT"))
    out["closed_on"] = pd.Series(closed, dtype="datetime64[ns]")
    out["outcome"] = traj.loc[keep, "outcome"].to_numpy()
    out.loc[out["closed_on"].isna(), "outcome"] = None

    place = reg.placements
    first, found = _first(place[place["work"].to_numpy() & (place["start_on"] <= day).to_numpy()],
                          out)
    late = found & (first["start_on"].to_numpy() > out["closed_on"].to_numpy())  # NaT: False
    found &= ~late
    start = np.where(found, first["start_on"].to_numpy(), np.datetime64("NaT"))
    out["first_job_on"] = pd.Series(start, dtype="datetime64[ns]")
    kinds = np.full(len(out), None, dtype=object)
    kinds[found] = first["kind"].to_numpy(dtype=object)[found]
    out["first_job_kind"] = kinds
    for flag in QUALITY_FLAGS:
        values = pd.array([pd.NA] * len(out), dtype="boolean")
        values[found] = first[flag].to_numpy()[found]
        out[flag] = values
    steps, stepped = _first(place[place["step"].notna().to_numpy()
                                  & (place["start_on"] <= day).to_numpy()], out)
    stepped &= ~(steps["start_on"].to_numpy() > out["closed_on"].to_numpy())
    out["first_step_on"] = pd.Series(np.where(stepped, steps["start_on"].to_numpy(),
                                              np.datetime64("NaT")), dtype="datetime64[ns]")
    labels = np.full(len(out), None, dtype=object)
    labels[stepped] = steps["step"].to_numpy(dtype=object)[stepped]
    out["first_step"] = labels
    out["left_school_on"] = traj.loc[keep, "left_school_on"].to_numpy()
    out["placed"] = found
    end = out["closed_on"].fillna(day)
    stop = out["first_job_on"].where(out["placed"], end)
    out["days"] = (stop - out["registered_on"]).dt.days.clip(lower=0).astype("int64")
    out["event"] = np.where(out["placed"], WORK,
                            np.where(out["closed_on"].notna(), STOPPED, CENSORED)).astype("int64")
    return out


def _first(rows: pd.DataFrame, out: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
    """Return, aligned with ``out``'s trajectories, the earliest of ``rows`` (by start, then
    id) and which trajectories have one."""
    rows = rows.sort_values(["trajectory_id", "start_on", "id"], kind="stable")
    first = rows.drop_duplicates("trajectory_id", keep="first").set_index("trajectory_id")
    pos = pd.Index(first.index).get_indexer(out["trajectory_id"])
    found = pos >= 0
    aligned = first.iloc[np.where(found, pos, 0)] if len(first) else first.reindex(
        out["trajectory_id"])
    return aligned.reset_index(drop=True), found
