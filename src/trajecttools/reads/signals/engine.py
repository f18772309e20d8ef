"""Signals of the register: the methods' rules applied to the inputs, most urgent first.

:func:`compute` applies the methods' rules (:data:`trajecttools.reads.signals.rules.RULES`) to
inputs
read by :func:`trajecttools.reads.signals.inputs.load_inputs`, :func:`signals` does both, and
:func:`case_states` gives every trajectory's state on the date (phase, stage, coach, hand-offs).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from trajecttools.core.method import Method
from trajecttools.reads.signals.arrays import days_since
from trajecttools.reads.signals.context import STAGES, Context, Part
from trajecttools.reads.signals.inputs import SignalInputs, load_inputs
from trajecttools.reads.signals.rules import RULES

if TYPE_CHECKING:
    from trajecttools.register.store import Store

#: Severities, most urgent first (the order of the ``severity`` categorical).
SEVERITY_ORDER: tuple[str, ...] = ("high", "medium", "low")

#: Columns of the signals frame, in order. ``active`` is false for a signal on a trajectory
#: closed by the as-of date (a revolving door, a missing end report): within a severity those
#: come after the signals of running trajectories.
COLUMNS: tuple[str, ...] = (
    "trajectory_id", "client_id", "pseudonym", "initials", "team", "coach_id", "coach", "method",
    "phase_label", "rule", "rule_label", "severity", "due_on", "days_overdue", "message",
    "detail_domain", "active",
)


def _check_as_of(inputs: SignalInputs, as_of: dt.date | None) -> dt.date:
    if as_of is None:
        return inputs.as_of
    if as_of != inputs.as_of:
        raise ValueError(
            f"as_of {as_of:%d-%m-%Y} wijkt af van de peildatum van de gegevens "
            f"({inputs.as_of:%d-%m-%Y}); lees de gegevens opnieuw met load_inputs"
        )
    return as_of


def _empty() -> pd.DataFrame:
    return _frame({
        "trajectory_id": np.zeros(0, np.int64), "client_id": np.zeros(0, np.int64),
        "pseudonym": np.zeros(0, object), "initials": np.zeros(0, object),
        "team": np.zeros(0, object), "coach_id": np.zeros(0, float),
        "coach": np.zeros(0, object), "method": np.zeros(0, object),
        "phase_label": np.zeros(0, object), "rule": np.zeros(0, object),
        "rule_label": np.zeros(0, object), "severity": np.zeros(0, np.int64),
        "due_on": np.zeros(0, "datetime64[ns]"), "days_overdue": np.zeros(0, np.int64),
        "message": np.zeros(0, object), "detail_domain": np.zeros(0, object),
        "active": np.zeros(0, bool),
    })


def _frame(cols: dict[str, Any]) -> pd.DataFrame:
    cols["severity"] = pd.Categorical.from_codes(
        cols["severity"].astype(np.int64), categories=pd.Index(SEVERITY_ORDER), ordered=True)
    cols["coach_id"] = pd.array(cols["coach_id"], dtype="Float64").astype("Int64")
    for name in ("pseudonym", "initials", "method", "phase_label", "rule", "rule_label",
                 "message", "detail_domain", "team", "coach"):
        cols[name] = pd.array(cols[name], dtype="str")
    return pd.DataFrame(cols, columns=list(COLUMNS))


def _in_phases(c: Context, part: Part) -> Part:
    """The part's signals of trajectories in a phase its rule applies to (``phases``)."""
    keep = c.in_phases(part.rule, part.pos)
    if keep.all():
        return part
    return Part(part.rule, part.pos[keep], part.due[keep], part.days[keep], part.message[keep],
                None if part.domain is None else part.domain[keep],
                None if part.nearing is None else part.nearing[keep])


def compute(
    inputs: SignalInputs, methods: Mapping[str, Method], as_of: dt.date | None = None
) -> pd.DataFrame:
    """Apply the methods' rules to the inputs: one row a signal, most urgent first.

    Most urgent first means: by severity; within a severity, signals of running trajectories
    before those of closed ones; then most days overdue first.

    Only trajectories of a method in ``methods`` are considered; ``as_of`` must be the date the
    inputs were read for (None: that date).
    """
    as_of = _check_as_of(inputs, as_of)
    c = Context(inputs, methods, as_of)
    parts: list[Part] = []
    for name, implementation in RULES.items():
        if c.n and c.enabled(name):
            part = _in_phases(c, implementation(c))
            if len(part.pos):
                parts.append(part)
    if not parts:
        return _empty()
    names = list(RULES)
    pos = np.concatenate([p.pos for p in parts])
    rule_ix = np.concatenate([np.full(len(p.pos), names.index(p.rule)) for p in parts])
    days = np.concatenate([p.days for p in parts]).astype(np.int64)
    nearing = np.concatenate([np.zeros(len(p.pos), bool) if p.nearing is None else p.nearing
                              for p in parts])
    domain = np.concatenate([np.full(len(p.pos), "", object) if p.domain is None else p.domain
                             for p in parts])
    sev_code = {s: i for i, s in enumerate(SEVERITY_ORDER)}
    sev_tab = np.zeros((len(names), len(c.methods)), dtype=np.int64)
    label_tab = np.full((len(names), len(c.methods)), "", dtype=object)
    for i, name in enumerate(names):
        for j, rule in enumerate(c.rule(name)):
            if rule is not None:
                sev_tab[i, j], label_tab[i, j] = sev_code[rule.severity], rule.label
    m = c.m[pos]
    severity = sev_tab[rule_ix, m]
    severity = np.where(nearing, np.minimum(severity + 1, len(SEVERITY_ORDER) - 1), severity)
    tid = c.tr["trajectory_id"].to_numpy()[pos]
    active = c.active[pos]
    order = np.lexsort((rule_ix, tid, -days, ~active, severity))
    codes = np.array([mm.code for mm in c.methods], dtype=object)
    cols = {
        "trajectory_id": tid,
        "client_id": c.tr["client_id"].to_numpy()[pos],
        "pseudonym": c.tr["pseudonym"].to_numpy(dtype=object)[pos],
        "initials": c.tr["initials"].to_numpy(dtype=object)[pos],
        "team": c.team[pos],
        "coach_id": c.coach_id[pos],
        "coach": c.coach[pos],
        "method": codes[m],
        "phase_label": c.phase_label[pos],
        "rule": np.array(names, dtype=object)[rule_ix],
        "rule_label": label_tab[rule_ix, m],
        "severity": severity,
        "due_on": np.concatenate([p.due for p in parts]).astype("datetime64[ns]"),
        "days_overdue": days,
        "message": np.concatenate([p.message for p in parts]),
        "detail_domain": domain,
        "active": active,
    }
    return _frame({k: v[order] for k, v in cols.items()})


def signals(
    store: Store, as_of: dt.date | None = None, method: str | None = None
) -> pd.DataFrame:
    """Return the signals of the register on ``as_of`` (default: the store's today).

    ``method`` restricts the list to trajectories of that method (None: every method).
    """
    as_of = as_of or store.today
    methods = store.methods()
    if method is not None:
        methods = {method: store.method(method)}
    return compute(load_inputs(store, as_of), methods, as_of)


def case_states(
    inputs: SignalInputs, methods: Mapping[str, Method], as_of: dt.date | None = None
) -> pd.DataFrame:
    """Return each trajectory's state on ``as_of``: phase, stage, coach, changes, hand-offs."""
    as_of = _check_as_of(inputs, as_of)
    c = Context(inputs, methods, as_of)
    codes = np.array([m.code for m in c.methods], dtype=object)
    return pd.DataFrame({
        "trajectory_id": c.tr["trajectory_id"].to_numpy(),
        "client_id": c.tr["client_id"].to_numpy(),
        "pseudonym": c.tr["pseudonym"].to_numpy(dtype=object),
        "initials": c.tr["initials"].to_numpy(dtype=object),
        "method": codes[c.m],
        "phase": c.phase,
        "phase_label": c.phase_label,
        "stage": pd.Categorical.from_codes(c.stage.astype(np.int64), categories=pd.Index(STAGES)),
        "phase_since": c.phase_since,
        "days_in_phase": days_since(c.t64, c.phase_since).astype(np.int64),
        "stage_since": c.stage_since,
        "active": c.active,
        "team": c.team,
        "coach_id": pd.array(c.coach_id, dtype="Float64").astype("Int64"),
        "coach": c.coach,
        "coach_changes": c.coach_changes,
        "referrals": c.referral_count,
        "hand_offs": c.hand_offs,
    })


__all__ = ["COLUMNS", "SEVERITY_ORDER", "case_states", "compute", "signals"]
