"""The state of every trajectory on the as-of date as arrays, the ground the signal rules stand on.

:class:`Context` holds one element a trajectory (phase, stage, coach, contacts...) plus the rows
of placements, coach changes and referrals with the position of their trajectory; a rule returns
its signals as a :class:`Part`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from trajecttools.core import vocab
from trajecttools.core.method import Method
from trajecttools.reads.signals.arrays import (
    DAY,
    NAT,
    codes,
    group_rank,
    indexer,
    ns,
    sorted_order,
    with_missing,
)
from trajecttools.reads.signals.inputs import SignalInputs

#: Common stages and placement kinds by position: the engine compares small integers.
STAGES = list(vocab.STAGES)
STAGE = {code: i for i, code in enumerate(STAGES)}
KINDS = list(vocab.PLACEMENT_TYPES)
KIND = {code: i for i, code in enumerate(KINDS)}


@dataclass
class Part:
    """Signals of one rule: positions in the context's trajectories and their facts."""

    rule: str
    pos: np.ndarray
    due: np.ndarray
    days: np.ndarray
    message: np.ndarray
    domain: np.ndarray | None = None
    nearing: np.ndarray | None = None


class Context:
    """Every trajectory's state on ``as_of`` as arrays (one element a trajectory)."""

    def __init__(self, inputs: SignalInputs, methods: Mapping[str, Method], as_of: dt.date):
        self.inputs = inputs
        self.as_of = as_of
        self.t64 = np.datetime64(as_of.isoformat(), "ns")
        self.methods = list(methods.values())
        tr = inputs.trajectories
        m_all = codes(tr["method"], list(methods))
        registered = ns(tr["registered_at"])
        keep = (m_all >= 0) & (registered < self.t64 + DAY)
        self.tr = tr.loc[keep].reset_index(drop=True)
        self.m = m_all[keep]
        self.n = n = len(self.tr)
        ids = self.tr["trajectory_id"].to_numpy().astype(np.int64)
        self.index = pd.Index(ids)
        # positions by id through a lookup table when ids are dense enough (they usually are)
        self._lut: np.ndarray | None = None
        if n and ids.min() >= 0 and ids.max() < 4 * n + 1024:
            top = int(ids.max()) + 1
            self._lut = np.full(top, -1, dtype=np.int64)
            self._lut[ids] = np.arange(n)
        self.registered_at = registered[keep]
        self.registered_on = self.registered_at.astype("datetime64[D]").astype("datetime64[ns]")

        # phase and stage on as_of, from the phase events
        self._phase_tables()
        phase = codes(self.tr["phase"], self.all_phases)
        phase_since = ns(self.tr["phase_since"])
        stage_since = phase_since.copy()
        self.aftercare_start = np.full(n, NAT)
        self.aftercare_end = np.full(n, NAT)
        ev = inputs.phase_events
        epos = self.pos(ev["trajectory_id"])
        estart = ns(ev["started_on"])
        ok = (epos >= 0) & (estart <= self.t64)
        epos, estart = epos[ok], estart[ok]
        ephase = codes(ev["phase"], self.all_phases)[ok]
        order = sorted_order(epos, estart)
        if order is not None:
            epos, ephase, estart = epos[order], ephase[order], estart[order]
        if len(epos):
            estage = self.lookup(self.m[epos], ephase)[0]
            first = np.r_[True, epos[1:] != epos[:-1]]
            last = np.r_[epos[1:] != epos[:-1], True]
            new_run = first | np.r_[True, estage[1:] != estage[:-1]]
            run_id = np.cumsum(new_run) - 1
            run_rows = np.flatnonzero(new_run)
            run_start, run_pos, run_stage = estart[run_rows], epos[run_rows], estage[run_rows]
            same = np.r_[run_pos[1:] == run_pos[:-1], False]
            run_end = np.where(same, np.r_[run_start[1:], NAT], NAT)
            rows = np.flatnonzero(last)
            phase[epos[rows]] = ephase[rows]
            phase_since[epos[rows]] = estart[rows]
            stage_since[epos[rows]] = run_start[run_id[rows]]
            ac = np.flatnonzero(run_stage == STAGE["aftercare"])
            latest = ac[np.r_[run_pos[ac][1:] != run_pos[ac][:-1], True]] if len(ac) else ac
            self.aftercare_start[run_pos[latest]] = run_start[latest]
            self.aftercare_end[run_pos[latest]] = run_end[latest]
        self.phase_ix = phase
        names = np.array([*self.all_phases, None], dtype=object)[phase]
        self.phase = np.where(phase < 0, np.asarray(self.tr["phase"], dtype=object), names)
        self.phase_since = phase_since
        self.stage, label = self.lookup(self.m, phase)
        self.stage_since = stage_since
        self.phase_label = np.where(pd.isna(label), self.phase, label)
        closed_on = ns(self.tr["closed_on"])
        self.closed = (closed_on <= self.t64) | (self.stage == STAGE["closed"])
        self.active = ~self.closed

        # coach on as_of and coach changes
        ca = inputs.coach_assignments
        apos = self.pos(ca["trajectory_id"])
        aat = ns(ca["assigned_at"])
        history = np.bincount(apos[apos >= 0], minlength=n) > 0
        ok = (apos >= 0) & (aat < self.t64 + DAY)
        apos, acoach, aat = apos[ok], ca["coach_id"].to_numpy()[ok], aat[ok]
        order = sorted_order(apos, aat)
        if order is not None:
            apos, acoach, aat = apos[order], acoach[order], aat[order]
        self.assignments = np.bincount(apos, minlength=n)
        coach_id = np.where(history, np.nan, self.tr["current_coach_id"].to_numpy(dtype=float))
        if len(apos):
            last = np.r_[apos[1:] != apos[:-1], True]
            coach_id[apos[last]] = acoach[last]
        self.coach_id = coach_id
        self.has_coach = ~np.isnan(coach_id)
        self.coach_changes = np.maximum(self.assignments - 1, 0)
        rank = group_rank(apos)
        self.change_pos = apos[rank >= 1]
        self.change_on = aat[rank >= 1].astype("datetime64[D]").astype("datetime64[ns]")
        self.change_rank = rank[rank >= 1] - 1  # 0 = first change
        coaches = inputs.coaches
        cidx = indexer(pd.Index(coaches["coach_id"].to_numpy()),
                        np.where(self.has_coach, coach_id, -1).astype(np.int64))
        self.coach = with_missing(coaches["coach"].to_numpy(dtype=object))[cidx]
        self.team = with_missing(coaches["team"].to_numpy(dtype=object))[cidx]

        # hand-offs ("Arbeidstoeleiding: aanpak en begeleiding": the person who guides the
        # client changes): coach changes, and earlier routes of the same client handed on to
        # another route (closed as "other_route") before this one was registered. Referrals
        # the coach keeps following are no hand-off.
        everyone = inputs.trajectories
        handed = everyone[(everyone["outcome"].astype(object) == "other_route")
                          & (ns(everyone["closed_on"]) <= self.t64)]
        later = pd.DataFrame({"pos": np.arange(n), "client_id": self.tr["client_id"].to_numpy(),
                              "registered_on": self.registered_on})
        pairs = later.merge(pd.DataFrame({"client_id": handed["client_id"].to_numpy(),
                                          "handed_on": ns(handed["closed_on"])}), on="client_id")
        pairs = pairs[pairs["handed_on"] <= pairs["registered_on"]]
        self.handed_pos = pairs["pos"].to_numpy(dtype=np.int64)
        self.handed_on = ns(pairs["handed_on"])
        self.handed_count = np.bincount(self.handed_pos, minlength=n)
        self.hand_offs = self.coach_changes + self.handed_count

        rpos = self.pos(inputs.referrals["trajectory_id"])
        self.referral_pos = rpos[rpos >= 0]
        self.referral_on = ns(inputs.referrals["referred_on"])[rpos >= 0]
        self.referral_count = np.bincount(self.referral_pos, minlength=n)

        contacts = inputs.contacts.set_index("trajectory_id").reindex(self.index)
        aftercare = inputs.aftercare_contacts.set_index("trajectory_id").reindex(self.index)
        self.last_contact_on = np.fmax(ns(contacts["last_contact_on"]),
                                       ns(aftercare["last_aftercare_on"]))
        self.intake_on = ns(contacts["intake_on"])
        self.last_weekly_review_on = ns(contacts["last_weekly_review_on"])
        self.last_agreement_on = ns(contacts["last_agreement_on"])
        self.last_employee_on = ns(aftercare["last_employee_on"])
        self.last_employer_on = ns(aftercare["last_employer_on"])

        pl = inputs.placements
        ppos = self.pos(pl["trajectory_id"])
        pstart = ns(pl["start_on"])
        ok = (ppos >= 0) & (pstart <= self.t64)
        self.p_pos, self.p_start = ppos[ok], pstart[ok]
        self.p_kind = codes(pl["kind"], KINDS)[ok]
        self.p_end = ns(pl["end_on"])[ok]
        self.p_swc = pl["social_work_company"].to_numpy(dtype=bool)[ok]
        self.p_running = np.isnat(self.p_end) | (self.p_end > self.t64)
        self._follow_up()

    def _follow_up(self) -> None:
        """Where regular work is followed up (aftercare) on as_of, and since when.

        In a phase of stage "aftercare" since the stage began; in a method's
        ``follow_up_phases`` while a regular contract runs, since that contract began. A
        method that does not follow up regular work has its follow-up rules off.
        """
        n = self.n
        in_stage = self.stage == STAGE["aftercare"]
        regular = np.flatnonzero(self.p_running & (self.p_kind == KIND["regular"]))
        reg_start = np.full(n, NAT)
        np.fmax.at(reg_start, self.p_pos[regular], self.p_start[regular])
        shape = (len(self.methods) + 1, len(self.all_phases) + 1)
        tab = np.zeros(shape, dtype=bool)
        for i, m in enumerate(self.methods):
            for code in m.settings.follow_up_phases:
                tab[i, self.all_phases.index(code)] = True
        in_phase = tab[self.m, self.phase_ix] & ~np.isnat(reg_start) & ~in_stage
        self.in_aftercare = in_stage | in_phase
        self.aftercare_since = np.where(in_stage, self.stage_since,
                                        np.where(in_phase, reg_start, NAT))

    # -- lookups -----------------------------------------------------------------------------
    def _phase_tables(self) -> None:
        self.all_phases = list(dict.fromkeys(p for m in self.methods for p in m.phase_codes))
        shape = (len(self.methods) + 1, len(self.all_phases) + 1)
        self.stage_tab = np.full(shape, -1, dtype=np.int64)
        self.label_tab = np.full(shape, None, dtype=object)
        for i, m in enumerate(self.methods):
            for p in m.phases:
                j = self.all_phases.index(p.code)
                self.stage_tab[i, j], self.label_tab[i, j] = STAGE[p.stage], p.label

    def lookup(self, m: np.ndarray, phase: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Stage code and label of each (method index, phase index) pair (-1, None: unknown)."""
        return self.stage_tab[m, phase], self.label_tab[m, phase]

    def pos(self, trajectory_ids: pd.Series) -> np.ndarray:
        """Positions of trajectory ids in the context (-1 when not in it)."""
        if not self.n:
            return np.full(len(trajectory_ids), -1, dtype=np.int64)
        if self._lut is None:
            return indexer(self.index, trajectory_ids.to_numpy())
        ids = np.asarray(trajectory_ids, dtype=np.int64)
        inside = (ids >= 0) & (ids < len(self._lut))
        return np.where(inside, self._lut[np.where(inside, ids, 0)], -1)

    def rule(self, name: str) -> list[Any]:
        """The rule object of each method (None where the method does not use it)."""
        return [m.rule(name) for m in self.methods]

    def param(self, name: str, number: str, pos: np.ndarray | None = None) -> np.ndarray:
        """A rule's number for each trajectory (or for ``pos``): NaN where the rule is off."""
        values = np.array(
            [np.nan if r is None else float(r.number(number)) for r in self.rule(name)]
        )
        return values[self.m if pos is None else self.m[pos]]

    def text(self, name: str, number: str, fmt: Callable[[int], str],
             pos: np.ndarray) -> np.ndarray:
        """A rule's number in words for the trajectories at ``pos``."""
        values = np.array(
            ["" if r is None else fmt(r.number(number)) for r in self.rule(name)], dtype=object
        )
        return values[self.m[pos]]

    def in_phases(self, name: str, pos: np.ndarray | None = None) -> np.ndarray:
        """Whether each trajectory (or those at ``pos``) is in a phase the rule applies to.

        A rule without ``phases`` applies in every phase.
        """
        shape = (len(self.methods) + 1, len(self.all_phases) + 1)
        tab = np.zeros(shape, dtype=bool)
        for i, r in enumerate(self.rule(name)):
            if r is not None and r.phases is None:
                tab[i, :] = True
            elif r is not None:
                for code in r.phases:
                    tab[i, self.all_phases.index(code)] = True
        sel = slice(None) if pos is None else pos
        return tab[self.m[sel], self.phase_ix[sel]]

    def word(self, name: str, pos: np.ndarray, capital: bool = False) -> np.ndarray:
        """A method's word (``coach``, ``client``, ``benefit``...) for the trajectories at pos."""
        words = [str(getattr(m.words, name)) for m in self.methods]
        if capital:
            words = [w[:1].upper() + w[1:] for w in words]
        return np.array([*words, ""], dtype=object)[self.m[pos]]

    def enabled(self, name: str) -> bool:
        """Whether any of the methods uses the rule ``name``."""
        return any(r is not None for r in self.rule(name))


__all__ = ["KIND", "KINDS", "STAGE", "STAGES", "Context", "Part"]
