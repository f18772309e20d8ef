"""The state of one demo register being built: the draws so far and the finished frames."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd

from trajecttools.core.method import Method, load_method
from trajecttools.core.model import ENTITIES
from trajecttools.outputs.demo.arrays import LATER, NEVER
from trajecttools.outputs.demo.catalogue import ROUTES
from trajecttools.outputs.demo.names import fictional_family_names, given_names

#: A phase slot of a route: method code, phase code, trajectory rows, day offsets.
PhaseSlot = tuple[str, str, np.ndarray, np.ndarray]
#: A placement slot of a route: rows, kinds, start offsets, end offsets, employer role, months of
#: the contract the employer promised afterwards (0: none).
PlacementSlot = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, str, np.ndarray]


class Register:
    """The arrays of one synthetic register (one row per trajectory) shared by the build steps.

    Each step (timeline, routes, people, work, care, contacts) reads what earlier steps drew
    and adds its own arrays and frames; the steps must run in the order of
    :func:`trajecttools.outputs.demo.builder.generate` so the random draws stay in the same order.
    """

    # places
    mun_name: np.ndarray
    region_names: tuple[str, ...]
    mun_region: np.ndarray
    mun_flemish: np.ndarray
    mun_pc: tuple[np.ndarray, np.ndarray]
    mun_p: np.ndarray
    region_flemish: np.ndarray
    region_first_mun: np.ndarray
    # who and when
    mun: np.ndarray
    region: np.ndarray
    flemish: np.ndarray
    tg: np.ndarray
    tg_code: np.ndarray
    days_ago: np.ndarray
    reg_minute: np.ndarray
    assign_delay: np.ndarray
    t3: np.ndarray
    sig: np.ndarray
    signed: np.ndarray
    intake: np.ndarray
    # route results (day offsets from registration until the timeline is finished)
    close_off: np.ndarray
    outcome_row: np.ndarray
    regular_off: np.ndarray
    ss_start: np.ndarray
    ss_end: np.ndarray
    work_off: np.ndarray
    e1_off: np.ndarray
    ac_start: np.ndarray
    ac_until: np.ndarray
    js_start: np.ndarray
    js_until: np.ndarray
    social_first: np.ndarray
    resume_off: np.ndarray
    benefit_stop: np.ndarray
    benefit_resume: np.ndarray
    unemployed_from: np.ndarray
    lost_job: np.ndarray
    slots: list[PhaseSlot]
    placement_slots: list[PlacementSlot]
    # the finished timeline
    reg_day: np.ndarray
    reg_minutes: np.ndarray
    closed: np.ndarray
    open: np.ndarray
    close_day: np.ndarray
    end: np.ndarray
    intake_day: np.ndarray
    regular: np.ndarray
    aftercare_from: np.ndarray
    pe_owner: np.ndarray
    pe_phase: np.ndarray
    pe_day: np.ndarray
    phase: np.ndarray
    phase_since: np.ndarray
    outcome: np.ndarray
    outcome_reason: np.ndarray
    # people and staff
    migrant: np.ndarray
    client_names: np.ndarray
    edu: np.ndarray
    field: np.ndarray
    field_sector: np.ndarray
    edu_rank: np.ndarray
    first_sector: np.ndarray
    ca_owner: np.ndarray
    ca_minute: np.ndarray
    ca_coach: np.ndarray
    coach_id: np.ndarray
    benefit_kind: np.ndarray
    case_manager_id: np.ndarray
    # work
    emp_kind: np.ndarray
    emp_region: np.ndarray
    emp_municipality: np.ndarray
    emp_sector: np.ndarray
    emp_inclusive: np.ndarray
    #: per municipality: the employer row of its OCMW (art. 60§7 employer), -1 where none
    ocmw_emp: np.ndarray
    vac_emp: np.ndarray
    vac_opened: np.ndarray
    vac_edu_rank: np.ndarray
    vacancy: np.ndarray
    pl_owner: np.ndarray
    pl_kind: np.ndarray
    pl_start: np.ndarray
    pl_end: np.ndarray
    # barriers
    b_owner: np.ndarray
    b_domain: np.ndarray
    b_severity: np.ndarray

    def __init__(self, size: int, seed: int, as_of: dt.date) -> None:
        if size < 1:
            raise ValueError("size must be at least 1")
        self.n = int(size)
        self.rng = np.random.default_rng(seed)
        self.today = int(np.datetime64(as_of, "D").astype(np.int64))
        self.methods: dict[str, Method] = {c: load_method(c) for c in ROUTES}
        self.used = np.zeros(self.n, dtype=bool)
        self.frames: dict[str, pd.DataFrame] = {}

    def u(self, lo: int, hi: int, size: int) -> np.ndarray:
        """Draw integers in [lo, hi]."""
        return self.rng.integers(lo, hi + 1, size)

    def take(self, mask: np.ndarray, *, exclusive: bool = True) -> np.ndarray:
        """Pick the trajectories planted late on one rule: ~0.15% of each method where mask holds.

        ``exclusive`` reserves them: their timeline is shifted so that as_of falls in the late
        period, so a trajectory can carry only one such plan. Registers under 125 trajectories
        get no planted cases.
        """
        picks = []
        for spec in ROUTES.values():  # the Dutch or Flemish trajectories of each method
            of_method = self.flemish == spec["flemish"]
            k = max(1, round(int(of_method.sum()) * 0.0015)) if self.n >= 125 else 0
            cand = np.flatnonzero(mask & of_method & ~(self.used if exclusive else False))
            pick = self.rng.choice(cand, size=min(k, cand.size), replace=False)
            if exclusive:
                self.used[pick] = True
            picks.append(pick)
        return np.sort(np.concatenate(picks)).astype(np.int64)

    def frame(self, table: str, data: dict[str, Any]) -> None:
        """Store a frame with exactly the table's columns, in the table's order."""
        columns = ENTITIES[table].__table__.columns
        rows = len(data["id"])
        if "version" in columns:
            data["version"] = np.ones(rows, dtype=np.int64)
        for col in columns:  # a column added to the model later stays empty here
            if col.name not in data and col.nullable:
                data[col.name] = np.full(rows, None, dtype=object)
        extra = set(data) - {c.name for c in columns}
        missing = [c.name for c in columns if c.name not in data]
        if extra or missing:
            raise RuntimeError(f"{table}: extra {sorted(extra)}, missing {missing}")
        self.frames[table] = pd.DataFrame({c.name: data[c.name] for c in columns})

    def limit(self, rule: str, number: str) -> int:
        """Return the strictest number of a rule over the methods that use it."""
        values = [r.number(number) for m in self.methods.values() if (r := m.rule(rule))]
        return min(values)

    def absolute(self, offset: np.ndarray, rows: np.ndarray | slice = slice(None)) -> np.ndarray:
        """Turn day offsets from registration into day numbers (NEVER stays NEVER)."""
        return np.where(offset < LATER, self.reg_day[rows] + offset, NEVER)

    def unlike_clients(self, names: np.ndarray) -> np.ndarray:
        """Return staff names, redrawing any that equals a client's name (shown on screens)."""
        out = names.astype(str).astype(object)
        clash = np.isin(out.astype(str), self.client_names)
        while clash.any():
            k = int(clash.sum())
            given = given_names(self.rng, np.zeros(k, dtype=bool), self.rng.random(k) < 0.6)
            out[clash] = np.char.add(np.char.add(given.astype(str), " "),
                                     fictional_family_names(self.rng, k).astype(str))
            clash = np.isin(out.astype(str), self.client_names)
        return out
