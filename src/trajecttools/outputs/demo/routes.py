"""Demo routes: one generator walks each method's phases and placement ladder as data.

The parameters of each route (durations, chances, planted late cases, the phases it passes
and the placements it makes) are in ``data/routes.toml``; the phases and placement types are
checked against the method file (:func:`trajecttools.core.method.load_method`). What stays code is
the *shape* of a route: the arithmetic that turns the drawn durations into dates, one function
per kind of ladder (:data:`SHAPES`). Dates are day offsets from the registration day until
:func:`trajecttools.outputs.demo.timeline.finish_timeline` anchors them; NEVER marks what does not
happen.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from trajecttools.core.method import Method
from trajecttools.outputs.demo.arrays import LATER, NEVER, within
from trajecttools.outputs.demo.catalogue import ROUTES
from trajecttools.outputs.demo.state import Register

Values = dict[str, np.ndarray]

#: The route results a shape returns, stored per trajectory on the register.
RESULTS: tuple[str, ...] = (
    "close_off", "outcome_row", "regular_off", "ss_start", "ss_end", "work_off", "e1_off",
    "ac_start", "ac_until", "resume_off", "benefit_stop", "benefit_resume", "unemployed_from",
    "lost_job", "js_start", "js_until", "social_first",
)


def build_routes(b: Register) -> None:
    """Draw the route of every trajectory, method by method in the order of the route data."""
    for code, spec in ROUTES.items():
        route(b, b.methods[code], spec)


def route(b: Register, method: Method, spec: Mapping[str, Any]) -> None:
    """Draw one method's routes: durations, planted late cases, dates, phases and placements."""
    of_method = b.flemish if spec["flemish"] else ~b.flemish
    ix = np.flatnonzero(of_method)
    m = ix.size
    v: Values = {"registration": np.zeros(m, dtype=np.int64), "intake": b.intake[ix]}
    for d in spec["draws"]:
        v[d["name"]] = draw(b, d, v, m)
    for plant in spec.get("planted", ()):
        rows = b.take(of_method)
        loc = np.searchsorted(ix, rows)
        for name, value in plant.get("set", {}).items():
            v[name][loc] = value
        name, lo, hi = plant["redraw"]
        v[name][loc] = b.u(lo, hi, loc.size)
        anchor = sum((v[a] for a in plant["anchor"]), np.zeros(m, dtype=np.int64))
        lo, hi = plant["shift"]
        b.days_ago[rows] = anchor[loc] + b.u(lo, hi, rows.size)
    v["stage"][b.used[ix]] = spec["planted_stage"]
    v["planted"] = b.used[ix].copy()
    v.update(SHAPES[spec["shape"]](b, v, m))
    for name in RESULTS:
        if name in v:
            getattr(b, name)[ix] = v[name]
    for phase, event in phase_walk(method, spec["phases"]):
        b.slots.append((method.code, phase, ix, v[event]))
    for p in spec["placements"]:
        kinds = p["kind"] if isinstance(p["kind"], tuple) else (p["kind"],)
        unknown = [k for k in kinds if k not in method.placement_types]
        if unknown:
            raise RuntimeError(f"demo route uses placement types {unknown} not in {method.code}")
        kind = (np.array(kinds, dtype=object)[v[p["by"]]] if "by" in p
                else np.full(m, kinds[0], dtype=object))
        end = v[p["end"]] if "end" in p else np.full(m, NEVER)
        promise = v[p["promise"]] if "promise" in p else np.zeros(m, dtype=np.int64)
        b.placement_slots.append((ix, kind, v[p["start"]], end, p["employer"], promise))


def draw(b: Register, d: Mapping[str, Any], v: Values, m: int) -> np.ndarray:
    """Make one draw of a route (see data/routes.toml) for the m trajectories of a method."""
    rng = b.rng
    if "after" in d:
        base = v[d["after"]]
        for flag, event in d.get("instead", {}).items():
            base = np.where(v[flag], v[event], base)
        lo, hi = d["gap"]
        day = base + b.u(lo, hi, m)
        return np.where(v[d["when"]], day, NEVER) if "when" in d else day
    if "uniform" in d:
        lo, hi = d["uniform"]
        return b.u(lo, hi, m)
    if "bands" in d:
        r = rng.random(m)
        values = [b.u(lo, hi, m) for lo, hi in d["ranges"]]
        return np.select([r < p for p in d["bands"]], values[:-1], values[-1])
    if "choice" in d:
        p = list(d["choice"])
        return rng.choice(len(p), size=m, p=p)
    if "flag" in d:
        return rng.random(m) < d["flag"]
    raise ValueError(f"demo route draw {d.get('name')!r}: unknown kind of draw")


def phase_walk(method: Method, phases: Any) -> list[tuple[str, str]]:
    """Return the (phase, event) steps of a route after checking them against the method."""
    steps = [(str(phase), str(event)) for phase, event in phases]
    for pos, (phase, _) in enumerate(steps):
        if phase not in method.phase_codes:
            raise RuntimeError(f"demo route does not fit method {method.code}: {phase}")
        if pos == 0 and phase != method.method.initial_phase:
            raise RuntimeError(f"demo route does not fit method {method.code}: {phase}")
        if pos > 0 and not method.can_move(steps[pos - 1][0], phase):
            raise RuntimeError(
                f"demo route does not fit method {method.code}: {steps[pos - 1][0]} -> {phase}")
    return steps


def escalation_ladder(b: Register, v: Values, m: int) -> Values:
    """An opstapbaan at the social work company (the rest at a regular employer), then the ladder.

    The ladder ("Traject Work-2-Gether", see docs/sources.md): the opstapbaan lasts at most 6
    months, preferably at most 3 at the SDW and the rest at a regular employer; then straight
    to a regular contract, or first a secondment, or wage subsidy 'op proef' with the promise
    of a contract of at least 6 months without trial period (kept by some employers);
    aftercare from the regular contract. The client is employed from the opstapbaan on: the
    benefit stops then, and resumes only when the route ends without a regular job.
    """
    rng = b.rng
    intake, ss, ladder, stage = v["intake"], v["ss"], v["ladder"], v["stage"]
    d_ss, d_sec, d_wage = v["d_ss"], v["d_sec"], v["d_wage"]
    # the rest of the opstapbaan at a regular employer: after at most 3 months at the SDW,
    # and together at most 6 months (181 days) unless planted late
    out = v["ss_out"] & (d_ss <= 92)
    d_out = np.where(out, np.where(v["planted"], v["d_out"],
                                   np.minimum(v["d_out"], 181 - d_ss)), 0)
    p0 = ss + d_ss  # first day after the SDW
    p1 = p0 + d_out  # first day of the ladder at the regular employer
    placement = np.maximum(ss + 1, p1 - v["back"])
    sec, wage = ladder == 1, ladder == 2
    w_s = np.where(wage, p1, NEVER)
    w_e = np.where(wage, w_s + d_wage - 1, NEVER)
    regular = np.select([ladder == 0, sec, wage & v["keeps_job"]], [p1, p1 + d_sec, w_e + 1],
                        NEVER)
    has_job = regular < LATER
    placement_end = np.where(has_job, regular, w_e + 1)
    close = np.select(
        [stage == 0, stage == 1, stage == 2, stage == 3, (stage == 4) & has_job],
        [
            within(rng, np.ones(m, dtype=np.int64), intake),
            within(rng, intake + 1, ss),
            within(rng, ss + 1, placement),
            within(rng, placement + 1, placement_end),
            within(rng, regular + 14, regular + 80),
        ],
        np.where(has_job, regular + v["after"], w_e + 1),
    )
    short = v["d_short"] > 0
    job_by_close = has_job & (regular < close)
    return {
        "placement": placement,
        "ss_last": p0 - 1,
        "out_start": np.where(out, p0, NEVER),
        "out_end": np.where(out, p1 - 1, NEVER),
        "sec_start": np.where(sec, p1, NEVER),
        "sec_end": np.where(sec, p1 + d_sec - 1, NEVER),
        "wage_start": w_s,
        "wage_end": w_e,
        "promise_months": np.array([6, 12, 24])[v["promise"]],
        "regular": regular,
        "regular_last": np.where(short & has_job, regular + v["d_short"] - 1, NEVER),
        # rows of the outcome table (finish_timeline): 0-3 gone in that stage, 4 lost the
        # job in aftercare, 5 work, 6 ended without a job
        "outcome_row": np.select([stage < 4, (stage == 4) & has_job, has_job], [stage, 4, 5], 6),
        "close_off": close,
        "regular_off": regular,
        "ss_start": ss,
        "ss_end": p0 - 1,
        "work_off": p0,
        "e1_off": p0,
        "ac_start": regular,
        "ac_until": close,
        "benefit_stop": ss,
        # employed by the SDWork from the opstapbaan: back on benefit only when the route
        # ends after it started without a regular job
        "benefit_resume": np.where((ss < close) & ~job_by_close, close, NEVER),
        "lost_job": (stage == 4) & has_job,
    }


def employment_term(b: Register, v: Values, m: int) -> Values:
    """Employment for a term (social, regular or with wage subsidy), then the next job.

    Social employment ("Trajectbegeleiding in vijf fasen (OCMW, art. 60§7)", see
    docs/sources.md) runs for its term and ends in the end_art60 follow-up: a next job, a new
    employment with guidance, or no job.
    """
    rng = b.rng
    mapping, work, kind, tail, stage = v["mapping"], v["work"], v["kind"], v["tail"], v["stage"]
    d_se, d_wage, keeps_job = v["d_se"], v["d_wage"], v["keeps_job"]
    social, reg, wage = kind == 0, kind == 1, kind == 2
    end_art60 = np.where(social, work + d_se, NEVER)
    next_job = end_art60 + np.where(tail == 0, b.u(0, 30, m), b.u(60, 88, m))
    job2 = np.where(social & (tail < 2), next_job, NEVER)
    work2 = np.where(social & (tail == 1), next_job, NEVER)
    guidance2 = np.where(work2 < LATER, work2 + b.u(7, 21, m), NEVER)
    regular = np.select([reg, wage & keeps_job, social & (tail < 2)],
                        [work, work + d_wage, job2], NEVER)
    has_job = regular < LATER
    emp_end = np.select([social, reg], [end_art60, work + 120], work + d_wage)
    complete = np.select(
        [social & (tail == 0), social & (tail == 1), social, reg, wage & keeps_job],
        [end_art60 + v["after"], work2 + b.u(120, 240, m), end_art60 + b.u(30, 90, m),
         work + b.u(120, 240, m), work + d_wage + b.u(30, 120, m)],
        work + d_wage,
    )
    close = np.select(
        [stage == 0, stage == 1, stage == 2],
        [
            within(rng, np.ones(m, dtype=np.int64), mapping),
            within(rng, mapping + 1, work),
            within(rng, work + 1, emp_end),
        ],
        complete,
    )
    return {
        "end_art60": end_art60,
        "work2": work2,
        "guidance2": guidance2,
        "job2": job2,
        "first_end": np.select([social, wage], [work + d_se - 1, work + d_wage - 1], NEVER),
        "kept_job": np.where(wage & keeps_job, work + d_wage, NEVER),
        "outcome_row": np.select([stage == 0, stage == 1, (stage == 2) & reg, stage == 2,
                                  has_job], [0, 1, 4, 3, 5], 6),
        "close_off": close,
        "regular_off": regular,
        "work_off": work,
        "e1_off": np.where(social, job2, work),
        # the end of art. 60 is a job search with the coach, not aftercare (follow-up of
        # regular work is optional in that text and off in the art60 method)
        "ac_start": np.full(m, NEVER),
        "ac_until": np.full(m, NEVER),
        "js_start": end_art60,
        "social_first": social,
        "js_until": np.where(tail == 1, work2, close),
        "resume_off": work2,
        "benefit_stop": work,
        "unemployed_from": np.where(social & (tail == 2), end_art60, NEVER),
        "lost_job": (stage == 2) & reg,
    }


#: The shapes of route a method can have (``shape`` in data/routes.toml).
SHAPES: dict[str, Callable[[Register, Values, int], Values]] = {
    "escalation_ladder": escalation_ladder,
    "employment_term": employment_term,
}
