"""The signal rules: one function a rule of the methods, from a :class:`Context` to a :class:`Part`.

Every number comes from the trajectory's method file (``[rules.*]``); a rule a method does not
use (or disables) never fires for that method. Each signal is one Dutch sentence that may be
projected in a meeting: no names, notes or special-category details in it (see
:data:`trajecttools.core.vocab.SPECIAL_CATEGORY_DOMAINS`); the barrier domain of a referral signal
is
in ``detail_domain`` for a case card that someone explicitly opens. A rule works with array
operations on every trajectory at once (no Python loop per trajectory).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial

import numpy as np
import pandas as pd

from trajecttools.core import vocab
from trajecttools.core.dates import add_months_each
from trajecttools.core.method import RULE_PARAMETERS, Words
from trajecttools.reads.signals.arrays import (
    DAY,
    NAT,
    add_days,
    days_since,
    first_per,
    fmt_date,
    fmt_ints,
    group_rank,
    ns,
)
from trajecttools.reads.signals.context import KIND, STAGE, Context, Part
from trajecttools.reads.signals.wording import (
    counted,
    late,
    n_days,
    n_months,
    n_weeks,
    period_days,
)

#: Placement kinds after which a return to benefit counts as a revolving door: the regular
#: contract without wage subsidy (“Traject Work-2-Gether”: 'draaideurklanten' are clients who
#: drop out after the first period of their regular job). Steps of the ladder (opstapbaan,
#: secondment, wage subsidy) are not work after which one returns; nor is art. 60§7: a benefit
#: after that contract is often its aim (“Trajectbegeleiding in vijf fasen (OCMW, art. 60§7)”,
#: fase 5: after it a new job is sought), never a revolving door.
_JOB_KINDS = ("regular",)
#: Subject of the duration sentences, by placement kind.
_PLACEMENT_NOUNS = {
    "stepping_stone": "Opstapbaan",
    "secondment": "Inleenvergoeding",
    "wage_subsidy": "Loonkostensubsidie",
    "social_employment": "Tewerkstelling art. 60§7",
}


def _coach_assignment(c: Context) -> Part:
    """Active trajectories without a coach some hours after registration."""
    hours = c.param("coach_assignment", "hours")
    sel = np.flatnonzero(c.active & ~c.has_coach & ~np.isnan(hours))
    due = (c.registered_at[sel] + hours[sel].astype(np.int64) * np.timedelta64(1, "h"))
    due = due.astype("datetime64[D]").astype("datetime64[ns]")
    days = days_since(c.t64, due)
    f = days > 0
    pos, due, days = sel[f], due[f], days[f].astype(np.int64)
    msg = ("Geen " + c.word("coach", pos) + " toegewezen binnen "
           + c.text("coach_assignment", "hours", lambda n: f"{n} uur", pos)
           + " na aanmelding op " + fmt_date(c.registered_on[pos]) + " (" + late(days) + ")")
    return Part("coach_assignment", pos, due, days, msg)


def _who(signers: tuple[str, ...], missing: tuple[bool, ...]) -> str:
    """The missing signers in Dutch, e.g. "casemanager en klant"."""
    names = [n for n, m in zip(signers, missing, strict=True) if m]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " en " + names[-1]


def _signatures(c: Context) -> tuple[np.ndarray, np.ndarray]:
    """Which of the three signatures are missing on as_of (n x 3), and the full signing date."""
    cols = ("signed_case_manager_on", "signed_coach_on", "signed_client_on")
    signed = np.column_stack([ns(c.tr[col]) for col in cols])
    missing = np.isnat(signed) | (signed > c.t64)
    full = np.where(missing.any(axis=1), NAT, signed.max(axis=1))
    return missing, full


def _plan_signatures(c: Context) -> Part:
    """Active trajectories whose plan is not signed by all three some days after registration."""
    days_p = c.param("plan_signatures", "days")
    missing, _ = _signatures(c)
    sel = np.flatnonzero(c.active & missing.any(axis=1) & ~np.isnan(days_p))
    due = add_days(c.registered_on[sel], days_p[sel])
    days = days_since(c.t64, due)
    f = days > 0
    pos, due, days = sel[f], due[f], days[f].astype(np.int64)
    code = missing[pos] @ np.array([1, 2, 4])
    table = np.array([[""] + [_who((m.words.case_manager, m.words.coach, m.words.client),
                                   tuple(bool(k >> b & 1) for b in range(3)))
                              for k in range(1, 8)] for m in c.methods], dtype=object)
    who = table[c.m[pos], code] if len(pos) else np.zeros(0, dtype=object)
    msg = ("Trajectplan niet binnen "
           + c.text("plan_signatures", "days", period_days, pos)
           + " na aanmelding op " + fmt_date(c.registered_on[pos]) + " ondertekend door "
           + who + " (" + late(days) + ")")
    return Part("plan_signatures", pos, due, days, msg)


def _intake_after_signing(c: Context) -> Part:
    """Trajectories without an intake some days after the plan was fully signed."""
    days_p = c.param("intake_after_signing", "days")
    _, signed_on = _signatures(c)
    early = (c.stage == STAGE["registration"]) | (c.stage == STAGE["intake"])
    sel = np.flatnonzero(c.active & early & ~np.isnat(signed_on) & np.isnat(c.intake_on)
                         & ~np.isnan(days_p))
    due = add_days(signed_on[sel], days_p[sel])
    days = days_since(c.t64, due)
    f = days > 0
    pos, due, days = sel[f], due[f], days[f].astype(np.int64)
    msg = (c.word("intake", pos, capital=True) + " niet gehouden binnen "
           + c.text("intake_after_signing", "days", period_days, pos)
           + " na ondertekening trajectplan op " + fmt_date(signed_on[pos])
           + " (" + late(days) + ")")
    return Part("intake_after_signing", pos, due, days, msg)


def _running(c: Context, kind: str) -> np.ndarray:
    """Rows of running placements of ``kind`` in active trajectories."""
    return np.flatnonzero(c.p_running & (c.p_kind == KIND[kind]) & c.active[c.p_pos])


def _placement_limit(c: Context, rule: str, kind: str, *, social_work_company: bool = False,
                     warn: bool = False) -> Part:
    """Running placements of ``kind`` past (or, with ``warn``, nearing) their maximum duration."""
    rows = _running(c, kind)
    if social_work_company:
        rows = rows[c.p_swc[rows]]
    months = c.param(rule, "months", c.p_pos[rows])
    rows, months = rows[~np.isnan(months)], months[~np.isnan(months)]
    due = add_months_each(c.p_start[rows], months)
    days = days_since(c.t64, due)
    if warn:
        warn_days = c.param(rule, "warn_days", c.p_pos[rows])
        f = days >= -warn_days
    else:
        f = days > 0
    rows, due, days = rows[f], due[f], days[f].astype(np.int64)
    keep = first_per(c.p_pos[rows], days)
    rows, due, days = rows[keep], due[keep], days[keep]
    pos = c.p_pos[rows]
    noun = _PLACEMENT_NOUNS[kind]
    limit = c.text(rule, "months", n_months, pos)
    start = fmt_date(c.p_start[rows])
    if social_work_company:
        msg = (noun + " al langer dan " + limit + " bij het sociaal werkbedrijf (gestart op "
               + start + "; " + late(days) + ")")
    else:
        msg = (noun + " loopt langer dan " + limit + " (gestart op " + start + "; "
               + late(days) + ")")
    nearing = days <= 0
    if nearing.any():
        when = fmt_ints(-days[nearing], lambda n: "vandaag" if n == 0 else f"over {n_days(n)}")
        msg[nearing] = (noun + " bereikt " + when + " de maximale duur van " + limit[nearing]
                        + " (gestart op " + start[nearing] + ", einddatum "
                        + fmt_date(due[nearing]) + ")")
    return Part(rule, pos, due, days, msg, nearing=nearing)


def _whole_stepping_stone(c: Context, rule: str, *, social_work_company: bool = False,
                          warn: bool = False) -> Part:
    """Running opstapbanen whose placements together are past (or nearing) the rule's months.

    “Traject Work-2-Gether”: the opstapbaan lasts at most 6 months, of which preferably at most
    3 at the social work company and the rest at a regular employer: one opstapbaan over
    several placement rows. With ``social_work_company`` only the rows there count.
    """
    rows = np.flatnonzero((c.p_kind == KIND["stepping_stone"]) & c.active[c.p_pos])
    if social_work_company:
        rows = rows[c.p_swc[rows]]
    rows = rows[~np.isnan(c.param(rule, "months", c.p_pos[rows]))]
    pos_r, start_r = c.p_pos[rows], c.p_start[rows]
    stop = np.where(c.p_running[rows], c.t64, np.minimum(c.p_end[rows], c.t64))
    used_r = np.maximum(np.true_divide(stop - start_r, DAY), 0)
    used = np.bincount(pos_r, weights=used_r, minlength=c.n)
    pieces = np.bincount(pos_r, minlength=c.n)
    running = np.bincount(pos_r, weights=c.p_running[rows], minlength=c.n) > 0
    first = rows[first_per(pos_r, -start_r.astype(np.int64))] if len(rows) else rows
    pos = c.p_pos[first]
    pos, first = pos[running[pos]], first[running[pos]]
    start = c.p_start[first]
    limit_end = add_months_each(start, c.param(rule, "months", pos))
    limit_days = np.true_divide(limit_end - start, DAY)
    days = np.round(used[pos] - limit_days).astype(np.int64)
    due = c.t64 - days * DAY
    f = days >= -c.param(rule, "warn_days", pos) if warn else days > 0
    pos, start, due, days = pos[f], start[f], due[f], days[f]
    noun = _PLACEMENT_NOUNS["stepping_stone"]
    limit = c.text(rule, "months", n_months, pos)
    k = pieces[pos]
    since = np.where(k == 1, "gestart op ", fmt_ints(k, lambda n: f"{n} plaatsingen samen, "
                                                                  "eerste gestart op "))
    since = since + fmt_date(start)
    if social_work_company:
        msg = (noun + np.where(k == 1, "", " in totaal") + " al langer dan " + limit
               + " bij het sociaal werkbedrijf (" + since + "; " + late(days) + ")")
    else:
        msg = (noun + np.where(k == 1, "", " in totaal") + " loopt langer dan " + limit + " ("
               + since + "; " + late(days) + ")")
    nearing = days <= 0
    if nearing.any():
        when = fmt_ints(-days[nearing], lambda n: "vandaag" if n == 0 else f"over {n_days(n)}")
        msg[nearing] = (noun + " bereikt " + when + " de maximale duur van " + limit[nearing]
                        + " (" + since[nearing] + ", einddatum " + fmt_date(due[nearing]) + ")")
    return Part(rule, pos, due, days, msg.astype(object), nearing=nearing)


def _regular_contract_min(c: Context) -> Part:
    """Regular contracts of active trajectories that end before the rule's minimum months.

    “Traject Work-2-Gether”: the employer is asked for “een arbeidsovereenkomst van 6 maanden
    zonder loonkostensubsidie”; the result of aftercare is that “de klant minimaal zes maanden
    aan het werk is”. A shorter contract is registered as it is, and signalled here.
    """
    rows = np.flatnonzero((c.p_kind == KIND["regular"]) & c.active[c.p_pos] & ~np.isnat(c.p_end))
    months = c.param("regular_contract_min", "months", c.p_pos[rows])
    rows, months = rows[~np.isnan(months)], months[~np.isnan(months)]
    earliest = add_months_each(c.p_start[rows], months) - DAY
    f = c.p_end[rows] < earliest
    rows = rows[f]
    keep = first_per(c.p_pos[rows], c.p_start[rows].astype(np.int64))
    rows = rows[keep]
    pos, due = c.p_pos[rows], c.p_end[rows]
    days = days_since(c.t64, due).astype(np.int64)
    msg = ("Arbeidsovereenkomst zonder loonkostensubsidie korter dan "
           + c.text("regular_contract_min", "months", n_months, pos) + " (van "
           + fmt_date(c.p_start[rows]) + " tot " + fmt_date(due) + ")")
    # a contract known to end too early is signalled ahead, one severity lower until it ends
    return Part("regular_contract_min", pos, due, days, msg.astype(object), nearing=days < 0)


def _contact_gap(c: Context) -> Part:
    """Active trajectories without any contact for longer than the rule's weeks."""
    weeks = c.param("contact_gap", "weeks")
    sel = np.flatnonzero(c.active & ~np.isnan(weeks))
    last = c.last_contact_on[sel]
    none = np.isnat(last)
    ref = np.where(none, c.registered_on[sel], last)
    due = add_days(ref, weeks[sel] * 7)
    days = days_since(c.t64, due)
    f = days > 0
    pos, ref, none, due, days = sel[f], ref[f], none[f], due[f], days[f].astype(np.int64)
    since = np.where(none, "de aanmelding op ", "") + fmt_date(ref)
    msg = ("Geen contact sinds " + since + ", langer dan "
           + c.text("contact_gap", "weeks", n_weeks, pos) + " (" + late(days) + ")")
    return Part("contact_gap", pos, due, days, msg)


def _weekly_review(c: Context) -> Part:
    """Running stepping-stone jobs without a weekly review within the norm plus grace."""
    rows = _running(c, "stepping_stone")
    rows = rows[first_per(c.p_pos[rows], c.p_start[rows].astype(np.int64))]
    pos = c.p_pos[rows]
    every = c.param("weekly_review", "days", pos)
    grace = c.param("weekly_review", "grace_days", pos)
    ok = ~np.isnan(every)
    rows, pos, every, grace = rows[ok], pos[ok], every[ok], grace[ok]
    start = c.p_start[rows]
    last = c.last_weekly_review_on[pos]
    none = np.isnat(last) | (last < start)
    ref = np.where(none, start, last)
    due = add_days(ref, every + grace)
    days = days_since(c.t64, due)
    f = days > 0
    pos, ref, none, due, days = pos[f], ref[f], none[f], due[f], days[f].astype(np.int64)
    since = np.where(none, "de start op ", "") + fmt_date(ref)
    msg = ("Geen wekelijkse evaluatie tijdens de opstapbaan sinds " + since + " (norm: elke "
           + c.text("weekly_review", "days", n_days, pos) + ", "
           + c.text("weekly_review", "grace_days", n_days, pos) + " marge; "
           + late(days) + ")")
    return Part("weekly_review", pos, due, days, msg)


def _aftercare_contact(c: Context) -> Part:
    """Trajectories in aftercare without contact with the employee or the employer."""
    every = c.param("aftercare_contact", "days")
    sel = np.flatnonzero(c.active & c.in_aftercare & ~np.isnan(every))
    start = c.aftercare_since[sel]
    refs = [np.fmax(c.last_employee_on[sel], start), np.fmax(c.last_employer_on[sel], start)]
    dues = [add_days(r, every[sel]) for r in refs]
    over = [days_since(c.t64, d) > 0 for d in dues]
    f = over[0] | over[1]
    # the earliest passed deadline of the parties that are overdue
    due = np.where(over[0] & (~over[1] | (dues[0] <= dues[1])), dues[0], dues[1])[f]
    ref = np.where(over[0] & (~over[1] | (refs[0] <= refs[1])), refs[0], refs[1])[f]
    party = np.array(["", "werknemer", "werkgever", "werknemer en werkgever"], dtype=object)[
        over[0][f] * 1 + over[1][f] * 2]
    pos = sel[f]
    days = days_since(c.t64, due).astype(np.int64)
    msg = ("Geen nazorgcontact met " + party + " sinds " + fmt_date(ref) + ", langer dan "
           + c.text("aftercare_contact", "days", period_days, pos) + " (" + late(days) + ")")
    return Part("aftercare_contact", pos, due, days, msg)


def _aftercare_duration(c: Context) -> Part:
    """Trajectories in aftercare for longer than the rule's months."""
    months = c.param("aftercare_duration", "months")
    sel = np.flatnonzero(c.active & c.in_aftercare & ~np.isnan(months))
    due = add_months_each(c.aftercare_since[sel], months[sel])
    days = days_since(c.t64, due)
    f = days > 0
    pos, due, days = sel[f], due[f], days[f].astype(np.int64)
    msg = ("Nazorg loopt langer dan " + c.text("aftercare_duration", "months", n_months, pos)
           + " (sinds " + fmt_date(c.aftercare_since[pos]) + "; " + late(days) + ")")
    return Part("aftercare_duration", pos, due, days, msg)


def _end_report(c: Context) -> Part:
    """Trajectories without an end report some days after their aftercare ended."""
    days_p = c.param("end_report", "days")
    report = ns(c.tr["end_report_on"])
    sel = np.flatnonzero(~np.isnat(c.aftercare_start) & np.isnat(report) & ~np.isnan(days_p))
    months = c.param("aftercare_duration", "months")[sel]
    # without an aftercare_duration rule, aftercare ends when the trajectory leaves it
    end = np.where(np.isnan(months), c.aftercare_end[sel],
                   add_months_each(c.aftercare_start[sel], months))
    due = add_days(end, days_p[sel])
    days = days_since(c.t64, due)
    f = days > 0
    pos, end, due, days = sel[f], end[f], due[f], days[f].astype(np.int64)
    msg = ("Geen beëindigingsrapportage binnen " + c.text("end_report", "days", period_days, pos)
           + " na het einde van de nazorg op " + fmt_date(end) + " (" + late(days) + ")")
    return Part("end_report", pos, due, days, msg)


def _agreements_overdue(c: Context) -> Part:
    """Active trajectories with agreements still open past their due date (plus grace)."""
    ag = c.inputs.open_agreements
    apos = c.pos(ag["trajectory_id"])
    ok = apos >= 0
    apos, due_on, count = apos[ok], ns(ag["due_on"])[ok], ag["agreements"].to_numpy()[ok]
    grace = c.param("agreements_overdue", "grace_days", apos)
    due = add_days(due_on, grace)
    f = c.active[apos] & (days_since(c.t64, due) > 0)
    apos, due_on, due, count = apos[f], due_on[f], due[f], count[f]
    total = np.bincount(apos, weights=count, minlength=c.n).astype(np.int64)
    oldest = first_per(apos, -due.astype(np.int64))
    pos, due_on, due = apos[oldest], due_on[oldest], due[oldest]
    days = days_since(c.t64, due).astype(np.int64)
    n = total[pos]
    grace = c.text("agreements_overdue", "grace_days",
                   lambda g: "" if g == 0 else f" + {n_days(g)} marge", pos)
    several = fmt_ints(n, lambda k: f"{k} afspraken niet op tijd nagekomen (de oudste uiterlijk ")
    msg = (np.where(n == 1, "1 afspraak niet op tijd nagekomen (uiterlijk ", several)
           + fmt_date(due_on) + grace + "; " + late(days) + ")")
    return Part("agreements_overdue", pos, due, days, msg.astype(object))


def _agreements_not_kept(c: Context) -> Part:
    """Active trajectories with too many agreements not kept within a window of days."""
    ag = c.inputs.not_kept_agreements
    apos = c.pos(ag["trajectory_id"])
    ok = apos >= 0
    apos, closed_on, count = apos[ok], ns(ag["closed_on"])[ok], ag["agreements"].to_numpy()[ok]
    window = c.param("agreements_not_kept", "window_days", apos)
    ago = days_since(c.t64, closed_on)
    f = c.active[apos] & (ago >= 0) & (ago < window)
    apos, closed_on, count = apos[f], closed_on[f], count[f]
    total = np.bincount(apos, weights=count, minlength=c.n).astype(np.int64)
    latest = first_per(apos, closed_on.astype(np.int64))
    pos, last = apos[latest], closed_on[latest]
    need = c.param("agreements_not_kept", "count", pos)
    f = total[pos] >= need
    pos, last = pos[f], last[f]
    days = days_since(c.t64, last).astype(np.int64)
    msg = (fmt_ints(total[pos], lambda k: f"{k} afspraken niet nagekomen in de afgelopen ")
           + c.text("agreements_not_kept", "window_days", n_days, pos) + " (norm: minder dan "
           + c.text("agreements_not_kept", "count", str, pos) + "; laatste op "
           + fmt_date(last) + ")")
    return Part("agreements_not_kept", pos, last, days, msg)


def _coach_changes(c: Context) -> Part:
    """Active trajectories whose coach changed more often than the maximum."""
    most = c.param("coach_changes", "max")
    # the change that went over the maximum
    cmax = most[c.change_pos]
    hit = c.change_rank == cmax
    pos, due = c.change_pos[hit], c.change_on[hit]
    f = c.active[pos]
    pos, due = pos[f], due[f]
    days = days_since(c.t64, due).astype(np.int64)
    msg = (c.word("coach", pos, capital=True)
           + fmt_ints(c.coach_changes[pos], lambda k: f" {k} keer gewisseld, meer dan de norm")
           + " van " + c.text("coach_changes", "max", lambda k: f"{k} keer", pos)
           + " (sinds " + fmt_date(due) + ")")
    return Part("coach_changes", pos, due, days, msg)


def _hand_offs(c: Context) -> Part:
    """Active trajectories whose guide changed more often than the maximum.

    “Arbeidstoeleiding: aanpak en begeleiding”: “De begeleider mag niet te vaak wisselen” and
    “het aantal schakelmomenten – het doorschuiven naar een andere discipline – te
    minimaliseren”. A hand-off is a change of the person who guides the client: a coach
    change, or an earlier route of the client handed on to another route. Referrals that the
    coach keeps following are not hand-offs.
    """
    most = c.param("hand_offs", "max")
    epos = np.r_[c.change_pos, c.handed_pos]
    eon = np.r_[c.change_on, c.handed_on]
    order = np.lexsort((eon, epos))
    epos, eon = epos[order], eon[order]
    rank = group_rank(epos)
    hit = rank == most[epos]
    pos, due = epos[hit], eon[hit]
    f = c.active[pos]
    pos, due = pos[f], due[f]
    days = days_since(c.t64, due).astype(np.int64)
    changes, handed = c.coach_changes[pos], c.handed_count[pos]
    msg = (fmt_ints(changes + handed, lambda k: f"{k} overdrachten (")
           + _counted_words(c, changes, pos)
           + np.where((changes > 0) & (handed > 0), " en ", "")
           + fmt_ints(handed, lambda k: counted(k, "eerder traject overgedragen",
                                                "eerdere trajecten overgedragen"))
           + "), meer dan de norm van " + c.text("hand_offs", "max", str, pos)
           + " (sinds " + fmt_date(due) + ")")
    return Part("hand_offs", pos, due, days, msg)


def _counted_words(c: Context, changes: np.ndarray, pos: np.ndarray) -> np.ndarray:
    """ "1 jobcoachwissel", "n jobcoachwissels" in each trajectory's method's words."""
    out = np.full(len(pos), "", dtype=object)
    for i, m in enumerate(c.methods):
        f = c.m[pos] == i
        out[f] = fmt_ints(changes[f], partial(_changes_text, m.words))
    return out


def _changes_text(words: Words, k: int) -> str:
    return counted(k, words.coach_change, words.coach_changes)


def _domain_phrase(domains: np.ndarray, named: str, hidden: str) -> np.ndarray:
    """``named`` with the domain's Dutch label, or ``hidden`` for special-category domains."""
    codes, uniques = pd.factorize(domains)
    out = [
        hidden if d in vocab.SPECIAL_CATEGORY_DOMAINS or d not in vocab.BARRIER_DOMAINS
        else named.format(vocab.BARRIER_DOMAINS[d].lower())
        for d in uniques
    ]
    return np.array([*out, hidden], dtype=object)[codes]


def _referral_follow_up(c: Context) -> Part:
    """Open barriers whose referral is not followed up, or severe ones never referred."""
    br = c.inputs.open_barriers
    bpos = c.pos(br["trajectory_id"])
    days_p = c.param("referral_follow_up", "days", np.maximum(bpos, 0))
    ok = (bpos >= 0) & ~np.isnan(days_p)
    ok[ok] = c.active[bpos[ok]]
    follow = ns(br["oldest_follow_up_on"])
    unreferred = (br["referrals"].to_numpy() == 0) & (br["severity"].to_numpy() == 3)
    referred = ~np.isnat(follow)
    ref = np.where(referred, follow, ns(br["noted_on"]))
    rows = np.flatnonzero(ok & (referred | unreferred))
    due = add_days(ref[rows], days_p[rows])
    days = days_since(c.t64, due)
    f = days > 0
    rows, due, days = rows[f], due[f], days[f].astype(np.int64)
    pos = bpos[rows]
    domain = br["domain"].to_numpy(dtype=object)[rows]
    ago = fmt_ints(days_since(c.t64, ref[rows]).astype(np.int64), lambda k: f" al {n_days(k)} ")
    norm = (" (norm: " + c.text("referral_follow_up", "days", period_days, pos) + "; "
            + late(days) + ")")
    followed = (_domain_phrase(domain, "Doorverwijzing {}", "Doorverwijzing voor een belemmering"
                               " (bijzondere categorie)") + ago + "niet opgevolgd" + norm)
    missing = (_domain_phrase(domain, "Ernstige belemmering {}", "Ernstige belemmering"
                              " (bijzondere categorie)") + ago + "zonder doorverwijzing" + norm)
    msg = np.where(referred[rows], followed, missing)
    return Part("referral_follow_up", pos, due, days, msg, domain=domain)


def _revolving_door(c: Context) -> Part:
    """Trajectories whose client is back on benefit within some months of a job placement."""
    jobs = np.flatnonzero(np.isin(c.p_kind, [KIND[k] for k in _JOB_KINDS]))
    months = c.param("revolving_door", "months", c.p_pos[jobs])
    jobs = jobs[~np.isnan(months)]
    bp = c.inputs.benefit_periods
    b_start = ns(bp["start_on"])
    b_ok = b_start <= c.t64
    client = c.tr["client_id"].to_numpy()
    right = pd.DataFrame({"client_id": client[c.p_pos[jobs]].astype(np.int64),
                          "placed_on": c.p_start[jobs], "row": jobs}).sort_values("placed_on")
    left = pd.DataFrame({"client_id": bp["client_id"].to_numpy()[b_ok].astype(np.int64),
                         "benefit_on": b_start[b_ok]}).sort_values("benefit_on")
    both = pd.merge_asof(left, right, left_on="benefit_on", right_on="placed_on",
                         by="client_id", direction="backward", allow_exact_matches=False)
    both = both[both["row"].notna()]
    rows = both["row"].to_numpy().astype(np.int64)
    benefit_on, placed_on = ns(both["benefit_on"]), c.p_start[rows]
    pos = c.p_pos[rows]
    limit = add_months_each(placed_on, c.param("revolving_door", "months", pos))
    f = benefit_on <= limit
    pos, benefit_on, placed_on = pos[f], benefit_on[f], placed_on[f]
    keep = first_per(pos, benefit_on.astype(np.int64))
    pos, benefit_on, placed_on = pos[keep], benefit_on[keep], placed_on[keep]
    days = days_since(c.t64, benefit_on).astype(np.int64)
    msg = ("Binnen " + c.text("revolving_door", "months", n_months, pos)
           + " na plaatsing op " + fmt_date(placed_on) + " " + c.word("back_on_benefit", pos)
           + " (sinds "
           + fmt_date(benefit_on) + ")")
    return Part("revolving_door", pos, benefit_on, days, msg)


def _severe_barriers_at_mapping(c: Context) -> Part:
    """Trajectories that moved on (to mapping) while a severe barrier noted before was open.

    “Trajectbegeleiding in vijf fasen (OCMW, art. 60§7)”, fase 2: capacities are mapped once
    all side problems are gone or brought back to normal proportions.
    """
    br = c.inputs.open_barriers
    bpos = c.pos(br["trajectory_id"])
    ok = bpos >= 0
    bpos, noted = bpos[ok], ns(br["noted_on"])[ok]
    severe = br["severity"].to_numpy()[ok] == 3
    f = severe & c.active[bpos] & c.in_phases("severe_barriers_at_mapping", bpos)
    f &= noted <= c.phase_since[bpos]
    bpos = bpos[f]
    count = np.bincount(bpos, minlength=c.n)
    pos = np.flatnonzero(count > 0)
    due = c.phase_since[pos]
    days = days_since(c.t64, due).astype(np.int64)
    label = np.asarray(c.phase_label[pos], dtype=object)
    msg = ("Naar fase '" + label + "' op " + fmt_date(due) + " met "
           + fmt_ints(count[pos], lambda k: "1 ernstige belemmering" if k == 1
                      else f"{k} ernstige belemmeringen")
           + " nog open (randproblemen eerst oplossen of tot normale proporties brengen)")
    return Part("severe_barriers_at_mapping", pos, due, days, msg)


def _job_search_contact(c: Context) -> Part:
    """Trajectories searching a next job without contact with their coach for some days."""
    every = c.param("job_search_contact", "days")
    sel = np.flatnonzero(c.active & c.in_phases("job_search_contact") & ~np.isnan(every))
    ref = np.fmax(c.last_contact_on[sel], c.phase_since[sel])
    due = add_days(ref, every[sel])
    days = days_since(c.t64, due)
    f = days > 0
    pos, ref, due, days = sel[f], ref[f], due[f], days[f].astype(np.int64)
    msg = ("Geen contact met de " + c.word("coach", pos) + " sinds " + fmt_date(ref)
           + " bij het zoeken naar een nieuwe tewerkstelling, langer dan "
           + c.text("job_search_contact", "days", period_days, pos) + " (" + late(days) + ")")
    return Part("job_search_contact", pos, due, days, msg)


def _job_search_agreements(c: Context) -> Part:
    """Trajectories searching a next job without agreements made since the phase began."""
    within = c.param("job_search_agreements", "days")
    sel = np.flatnonzero(c.active & c.in_phases("job_search_agreements") & ~np.isnan(within))
    made = c.last_agreement_on[sel]
    none = np.isnat(made) | (made < c.phase_since[sel])
    ref = np.where(none, c.phase_since[sel], made)
    due = add_days(ref, within[sel])
    days = days_since(c.t64, due)
    f = days > 0
    pos, ref, none, due, days = sel[f], ref[f], none[f], due[f], days[f].astype(np.int64)
    since = np.where(none, "de start van de fase op ", "") + fmt_date(ref)
    msg = ("Geen afspraken over sollicitaties of een nieuwe tewerkstelling sinds " + since
           + " (norm: binnen " + c.text("job_search_agreements", "days", period_days, pos)
           + "; " + late(days) + ")")
    return Part("job_search_agreements", pos, due, days, msg)


def _placement_missing(c: Context) -> Part:
    """Active trajectories in an employment phase without a running placement after some days."""
    days_p = c.param("placement_missing", "days")
    placed = np.zeros(c.n, dtype=bool)
    placed[c.p_pos[c.p_running]] = True
    sel = np.flatnonzero(c.active & (c.stage == STAGE["employment"]) & ~placed
                         & ~np.isnan(days_p))
    due = add_days(c.stage_since[sel], days_p[sel])
    days = days_since(c.t64, due)
    f = days > 0
    pos, due, days = sel[f], due[f], days[f].astype(np.int64)
    label = np.asarray(c.phase_label[pos], dtype=object)
    msg = ("Fase " + label + " sinds " + fmt_date(c.stage_since[pos])
           + " zonder lopende plaatsing in het register (norm: plaatsing vastgelegd binnen "
           + c.text("placement_missing", "days", period_days, pos) + "; " + late(days) + ")")
    return Part("placement_missing", pos, due, days, msg)


#: The rule implementations, in the order of :data:`trajecttools.core.method.RULE_PARAMETERS`.
RULES: Mapping[str, Callable[[Context], Part]] = {
    "coach_assignment": _coach_assignment,
    "plan_signatures": _plan_signatures,
    "intake_after_signing": _intake_after_signing,
    "stepping_stone_at_social_work_company": partial(
        _whole_stepping_stone, rule="stepping_stone_at_social_work_company",
        social_work_company=True),
    "stepping_stone_max": partial(_whole_stepping_stone, rule="stepping_stone_max", warn=True),
    "social_employment_max": partial(
        _placement_limit, rule="social_employment_max", kind="social_employment", warn=True),
    "regular_contract_min": _regular_contract_min,
    "secondment_max": partial(_placement_limit, rule="secondment_max", kind="secondment"),
    "wage_subsidy_max": partial(_placement_limit, rule="wage_subsidy_max", kind="wage_subsidy"),
    "contact_gap": _contact_gap,
    "weekly_review": _weekly_review,
    "aftercare_contact": _aftercare_contact,
    "aftercare_duration": _aftercare_duration,
    "end_report": _end_report,
    "agreements_overdue": _agreements_overdue,
    "agreements_not_kept": _agreements_not_kept,
    "coach_changes": _coach_changes,
    "hand_offs": _hand_offs,
    "referral_follow_up": _referral_follow_up,
    "revolving_door": _revolving_door,
    "severe_barriers_at_mapping": _severe_barriers_at_mapping,
    "job_search_contact": _job_search_contact,
    "job_search_agreements": _job_search_agreements,
    "placement_missing": _placement_missing,
}
assert tuple(RULES) == tuple(RULE_PARAMETERS), "every rule of the methods needs an implementation"


__all__ = ["RULES"]
