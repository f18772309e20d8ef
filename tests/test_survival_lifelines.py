"""Our Kaplan-Meier and Aalen-Johansen figures against lifelines (``KaplanMeierFitter``,
``AalenJohansenFitter``; the ``dev`` extra), on hand-made cases with ties and censoring and on a
demo register: the same estimates to 1e-9 and the same confidence bands where lifelines gives
them.

About ties: lifelines' Aalen-Johansen refuses event times shared by events of *different*
kinds and jitters them at random (a warning says so), which makes its figures depend on the
draw and can move an event behind a censoring on the same day. We keep ties (events of a day
together, censorings after them). To compare honestly we give lifelines the same data with the
events of a shared day spread just *before* that day (each event its own moment, censorings
stay on the day): lifelines then does not jitter, and after each such day the Aalen-Johansen
estimate of the spread data equals the tied estimate exactly (the increments S(t-)/n of the
spread events add up to S(t-) d/n). Bands are compared where lifelines computes them on the
same data: for cases without such ties directly, and for spread data by feeding the spread
days to our code too (its variance of a spread day is not the tied day's variance).
"""

from __future__ import annotations

import shutil
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from conftest import DEMO_AS_OF
from trajecttools.reads import outcomes
from trajecttools.reads.outcomes.competing import aj_table
from trajecttools.reads.outcomes.survival import km_table
from trajecttools.workspace import Workspace

lifelines = pytest.importorskip("lifelines", reason="lifelines is in the dev extra")
from lifelines import AalenJohansenFitter, KaplanMeierFitter  # noqa: E402

TOL = 1e-9
W, S, C = outcomes.WORK, outcomes.STOPPED, outcomes.CENSORED

#: name -> (days, events); W work, S stopped without work (competing), C censored.
CASES: dict[str, tuple[list[float], list[int]]] = {
    # ties of one kind only and censorings on event days: lifelines does not jitter
    "ties_of_one_kind": ([1, 2, 2, 3, 4, 4, 5, 6, 6, 7, 9, 9, 9],
                         [W, W, C, S, W, W, C, W, C, S, C, C, C]),
    # work and stopping on the same days, censorings on those days too
    "ties_across_kinds": ([3, 3, 3, 5, 5, 8, 8, 8, 8, 10, 12, 12],
                          [W, S, C, W, S, W, W, S, C, C, W, C]),
    # everyone left on the last day has an event: the band ends there
    "last_ones_all_events": ([1, 2, 3, 4, 4], [C, W, S, W, W]),
    # heavy censoring, one event of each kind
    "mostly_censored": ([2, 4, 4, 6, 8, 10, 10, 12], [C, W, C, C, S, C, C, C]),
    # day 0 events and a single person per day
    "day_zero": ([0, 0, 1, 2, 3, 5, 8, 13], [W, C, S, W, C, W, S, W]),
}


def _frame(days: list[float] | np.ndarray, events: list[int] | np.ndarray) -> pd.DataFrame:
    ev = np.asarray(events, dtype="int64")
    return pd.DataFrame({"g": "x", "days": np.asarray(days, dtype="float64"), "event": ev,
                         "placed": ev == W})


def _cross_ties(days: np.ndarray, events: np.ndarray) -> bool:
    frame = pd.DataFrame({"t": days, "e": events})[events != C]
    return bool((frame.groupby("t")["e"].nunique() > 1).any())


def _spread(days: np.ndarray, events: np.ndarray) -> np.ndarray:
    """Return the days with the events of each day moved to distinct moments just before it
    (censorings stay on the day)."""
    out = days.astype("float64").copy()
    for t in np.unique(days[events != C]):
        idx = np.flatnonzero((days == t) & (events != C))
        out[idx] = t - 1e-6 * np.arange(1, len(idx) + 1)
    return out


def _at(series: pd.Series, times: np.ndarray) -> np.ndarray:
    """Read a step function (lifelines index = times) at ``times`` (last value at or before)."""
    index = series.index.to_numpy(dtype="float64")
    pos = np.searchsorted(index, times, side="right") - 1
    return series.to_numpy(dtype="float64")[pos]


def _check_km(days: np.ndarray, events: np.ndarray) -> None:
    ours = km_table(_frame(days, events), ["g"])
    kmf = KaplanMeierFitter().fit(days, events == W)
    t = ours["days"].to_numpy()
    np.testing.assert_allclose(ours["survival"], _at(kmf.survival_function_.iloc[:, 0], t),
                               atol=TOL, rtol=0)
    ci = kmf.confidence_interval_
    np.testing.assert_allclose(ours["ci_low"], _at(ci.iloc[:, 0], t), atol=TOL, rtol=0)
    np.testing.assert_allclose(ours["ci_high"], _at(ci.iloc[:, 1], t), atol=TOL, rtol=0)


def _lifelines_aj(days: np.ndarray, events: np.ndarray, interest: int = W
                  ) -> tuple[AalenJohansenFitter, list]:
    """Fit lifelines' Aalen-Johansen on ``days + 1`` (lifelines sets the estimate at its first
    time to 0 even when events happen then, so day-0 events would be lost; a shift of every
    time changes nothing else) and shift its index back. Returns the fitter and the tie
    warnings it gave."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ajf = AalenJohansenFitter(seed=1).fit(days + 1.0, events, event_of_interest=interest)
    for name in ("cumulative_density_", "confidence_interval_", "variance_"):
        value = getattr(ajf, name)
        value.index = value.index - 1.0
    return ajf, [w for w in caught if "Tied event times" in str(w.message)]


def _check_aj_bands(days: np.ndarray, events: np.ndarray) -> None:
    """Same data for both (no shared days across kinds): estimates and bands agree."""
    ajf, jittered = _lifelines_aj(days, events)
    assert not jittered
    ours = aj_table(_frame(days, events), ["g"])
    t = ours["days"].to_numpy()
    np.testing.assert_allclose(ours["work_cif"], _at(ajf.cumulative_density_.iloc[:, 0], t),
                               atol=TOL, rtol=0)
    # lifelines names its AJ band columns the wrong way round ("upper" holds the lower bound)
    ci = ajf.confidence_interval_
    lo = np.fmin(_at(ci.iloc[:, 0], t), _at(ci.iloc[:, 1], t))
    hi = np.fmax(_at(ci.iloc[:, 0], t), _at(ci.iloc[:, 1], t))
    np.testing.assert_allclose(ours["work_low"], lo, atol=TOL, rtol=0, equal_nan=True)
    np.testing.assert_allclose(ours["work_high"], hi, atol=TOL, rtol=0, equal_nan=True)
    np.testing.assert_allclose(ours["work_var"], _at(ajf.variance_, t), atol=TOL, rtol=0,
                               equal_nan=True)
    assert np.isfinite(ours["work_low"]).sum() >= 1  # there is a band to compare


def _check_aj(days: np.ndarray, events: np.ndarray) -> None:
    """Tied estimate against lifelines on the spread data; bands on the spread data."""
    spread = _spread(days, events)
    ajf, jittered = _lifelines_aj(spread, events)
    assert not jittered
    ours = aj_table(_frame(days, events), ["g"])
    t = ours["days"].to_numpy()
    np.testing.assert_allclose(ours["work_cif"], _at(ajf.cumulative_density_.iloc[:, 0], t),
                               atol=TOL, rtol=0)
    other, _ = _lifelines_aj(spread, events, interest=S)
    np.testing.assert_allclose(ours["stopped_cif"], _at(other.cumulative_density_.iloc[:, 0], t),
                               atol=TOL, rtol=0)
    _check_aj_bands(spread, events)


@pytest.mark.parametrize("name", list(CASES))
def test_kaplan_meier_matches_lifelines(name: str) -> None:
    days, events = (np.asarray(v) for v in CASES[name])
    _check_km(days.astype("float64"), events)


@pytest.mark.parametrize("name", list(CASES))
def test_aalen_johansen_matches_lifelines(name: str) -> None:
    days, events = (np.asarray(v) for v in CASES[name])
    days = days.astype("float64")
    _check_aj(days, events)
    if not _cross_ties(days, events):
        _check_aj_bands(days, events)


def test_lifelines_jitters_ties_across_kinds_and_we_do_not() -> None:
    """lifelines' default moves tied events at random: two seeds, two answers; ours is one."""
    days, events = (np.asarray(v) for v in CASES["ties_across_kinds"])
    days = days.astype("float64")
    first, jittered = _lifelines_aj(days, events)
    assert jittered  # the warning: "Tied event times were detected ... randomly jittered"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        second = AalenJohansenFitter(seed=2).fit(days + 1.0, events, event_of_interest=W)
    end = [first.cumulative_density_.iloc[-1, 0], second.cumulative_density_.iloc[-1, 0]]
    ours = aj_table(_frame(days, events), ["g"])
    again = aj_table(_frame(days, events), ["g"])
    pd.testing.assert_frame_equal(ours, again)
    tied = float(ours["work_cif"].iloc[-1])
    # at least one draw differs from the tied estimate (an event jittered behind a censoring)
    assert max(abs(e - tied) for e in end) > 1e-6, (end, tied)


@pytest.fixture(scope="module")
def demo(demo_db: Path, tmp_path_factory: pytest.TempPathFactory) -> outcomes.Register:
    """The outcome register of the 300-trajectory demo."""
    path = tmp_path_factory.mktemp("lifelines") / "demo.db"
    shutil.copy(demo_db, path)
    with Workspace(path, today=DEMO_AS_OF) as store:
        return outcomes.load(store)


def test_demo_register_matches_lifelines(demo: outcomes.Register) -> None:
    reg = demo
    f = outcomes.facts(reg)
    days = f["days"].to_numpy(dtype="float64")
    events = f["event"].to_numpy(dtype="int64")
    assert (events == W).sum() > 20 and (events == S).sum() > 20 and (events == C).sum() > 20
    assert _cross_ties(days, events)  # a real register has shared days
    _check_km(days, events)
    _check_aj(days, events)
    # the public measures give the same figures as the tables checked above
    curve = outcomes.km_curve(reg, min_n=None)
    kmf = KaplanMeierFitter().fit(days, events == W)
    np.testing.assert_allclose(curve["survival"],
                               _at(kmf.survival_function_.iloc[:, 0], curve["days"].to_numpy()),
                               atol=TOL, rtol=0)
    ci = outcomes.cumulative_incidence(reg, min_n=None)
    ajf, _ = _lifelines_aj(_spread(days, events), events)
    np.testing.assert_allclose(ci["work_pct"] / 100,
                               _at(ajf.cumulative_density_.iloc[:, 0], ci["days"].to_numpy()),
                               atol=TOL, rtol=0)
    # per group: each target group alone
    for group, part in f.groupby("target_group", observed=True):
        d = part["days"].to_numpy(dtype="float64")
        e = part["event"].to_numpy(dtype="int64")
        if len(d) < 5:
            continue
        _check_km(d, e)
        _check_aj(d, e)
        split = outcomes.cumulative_incidence(reg, "target_group", min_n=None)
        mine = split[split["target_group"] == group]
        ajf, _ = _lifelines_aj(_spread(d, e), e)
        np.testing.assert_allclose(
            mine["work_pct"] / 100, _at(ajf.cumulative_density_.iloc[:, 0],
                                        mine["days"].to_numpy()), atol=TOL, rtol=0)
