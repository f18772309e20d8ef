"""Typical analysts' questions on the ``cases`` frame, each one named function.

>>> import trajecttools as tt
>>> from trajecttools.outputs import explore
>>> cases = tt.open(role="analyst").cases()
>>> list(explore.time_to_work(cases, "target_group").columns)
['Doelgroep', 'Trajecten', 'Met baan', 'Mediaan dagen tot baan', 'Aandeel met baan']

Every question returns a small DataFrame (one row a group, with its counts next to any share or
median, so nobody reads a percentage of three people); every ``*_chart`` function draws one as a
:class:`Figure`: inline SVG that shows without a network in JupyterLab, Voilà and exported HTML,
with the Altair chart in ``figure.chart`` for whoever wants to change it.

Time to work here is the naive view (registration to first job, among those who found one,
within a fixed follow-up window): :func:`trajecttools.reads.outcomes.time_to_first_job` gives the
Kaplan-Meier answer that also counts who is still searching. The phase counts come from
:func:`trajecttools.reads.caseload.phase_funnel`, the split names from
:data:`trajecttools.reads.outcomes.GROUPS`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import altair as alt
import pandas as pd

from trajecttools.core import vocab
from trajecttools.core.dates import parse_day
from trajecttools.outputs.report.charts import configure, to_bytes
from trajecttools.reads import scope
from trajecttools.reads.caseload import phase_funnel
from trajecttools.reads.outcomes import GROUPS

if TYPE_CHECKING:
    from trajecttools.register.store import Store

#: The splits the questions accept, with their Dutch names (those of the outcome measures; the
#: coach is split on its code, the ``coach_code`` column of the cases frame).
SPLITS = {split: GROUPS[split.removesuffix("_code")]
          for split in ("target_group", "method", "team", "cohort", "region", "coach_code")}
_OUTCOMES = dict(vocab.OUTCOMES)
_BLUE = "#1f5f8b"


@dataclass(frozen=True)
class Figure:
    """An Altair chart drawn as inline SVG (no scripts, no network) when displayed."""

    chart: Any

    def _repr_html_(self) -> str:
        svg = to_bytes(configure(self.chart, font_size=14), "svg").decode()
        return f"<div class='tt-figure'>{svg}</div>"


def _split(by: str) -> str:
    if by not in SPLITS:
        known = ", ".join(SPLITS)
        raise ValueError(f"Onbekende uitsplitsing '{by}'; kies uit: {known}.")
    return SPLITS[by]


def _labels(cases: pd.DataFrame, by: str) -> pd.Series:
    values = cases[by].astype("string").fillna("onbekend")
    if by == "target_group":
        return values.map(lambda v: vocab.label(vocab.TARGET_GROUPS, v))
    if by == "method":
        return values.map({"opstapbaan": "Opstapbaan", "art60": "Art. 60§7"}).fillna(values)
    return values


def cases(store: Store, as_of: dt.date | str | None = None) -> pd.DataFrame:
    """Return the store's ``cases`` frame on ``as_of`` (dd-mm-jjjj; None: the store's today),
    with that date in ``attrs['as_of']`` and the store's methods in ``attrs['methods']`` for the
    questions below."""
    day = (parse_day(as_of, "peildatum") if as_of is not None else None) or store.today
    frame = scope.cases(store, day)
    frame.attrs["as_of"] = day
    frame.attrs["methods"] = store.methods()
    return frame


def _as_of(cases: pd.DataFrame) -> pd.Timestamp:
    """The date the frame was made for (``attrs['as_of']``), else its latest registration."""
    value = cases.attrs.get("as_of")
    if value is not None:
        return pd.Timestamp(value)
    return pd.Timestamp(cases["registered_at"].max()).normalize()


def caseload_by_phase(cases: pd.DataFrame) -> pd.DataFrame:
    """Count the active trajectories per method and phase, in the method's phase order.

    Only phases with active trajectories are listed; the methods are those in
    ``attrs['methods']`` (see :func:`cases`), else the built-in ones.
    """
    funnel = phase_funnel(cases, cases.attrs.get("methods"))
    funnel = funnel[funnel["active"] > 0]
    out = pd.DataFrame({"Methode": _labels(funnel, "method"), "Fase": funnel["phase_label"],
                        "Trajecten": funnel["active"]})
    return out.sort_values("Methode", kind="stable").reset_index(drop=True)


def caseload_chart(table: pd.DataFrame) -> Figure:
    """Draw :func:`caseload_by_phase` as horizontal bars, one panel row per method."""
    chart = alt.Chart(table).mark_bar(color=_BLUE).encode(
        x=alt.X("Trajecten:Q", title="Lopende trajecten"),
        y=alt.Y("Fase:N", sort=None, title=None),
        row=alt.Row("Methode:N", title=None),
    ).properties(width=420).resolve_scale(y="independent")
    return Figure(chart)


def time_to_work(cases: pd.DataFrame, by: str = "target_group", *,
                 within_days: int = 365) -> pd.DataFrame:
    """Share with a first job within ``within_days`` of registration, and the median days.

    Only trajectories registered at least ``within_days`` before the frame's date count (each
    had the same time to find work); the median is over those who found a job in that window.
    """
    title = _split(by)
    as_of = _as_of(cases)
    start = cases["registered_at"].dt.normalize()
    eligible = cases[start <= as_of - pd.Timedelta(days=within_days)]
    days = (eligible["first_job_on"] - eligible["registered_at"].dt.normalize()).dt.days
    found = days.notna() & (days <= within_days)
    frame = pd.DataFrame({title: _labels(eligible, by), "found": found,
                          "days": days.where(found)})
    out = frame.groupby(title, observed=True).agg(
        Trajecten=("found", "size"), Met_baan=("found", "sum"),
        Mediaan_dagen=("days", "median")).reset_index()
    out["Aandeel_met_baan"] = (out["Met_baan"] / out["Trajecten"]).round(3)
    out["Mediaan_dagen"] = out["Mediaan_dagen"].round(0).astype("Int64")
    out = out.rename(columns={"Met_baan": "Met baan", "Mediaan_dagen": "Mediaan dagen tot baan",
                              "Aandeel_met_baan": "Aandeel met baan"})
    out.attrs["within_days"] = within_days
    return out.sort_values("Aandeel met baan", ascending=False).reset_index(drop=True)


def time_to_work_chart(table: pd.DataFrame) -> Figure:
    """Draw :func:`time_to_work`: the share with a job per group, its size as a label."""
    group = table.columns[0]
    days = table.attrs.get("within_days", 365)
    data = table.assign(Label=[f"{s:.0%} van {n}".replace(".", ",") for s, n in
                               zip(table["Aandeel met baan"], table["Trajecten"], strict=True)])
    base = alt.Chart(data).encode(
        y=alt.Y(f"{group}:N", sort="-x", title=None),
        x=alt.X("Aandeel met baan:Q", axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, 1]),
                title=f"Eerste baan binnen {days} dagen na aanmelding"))
    chart = base.mark_bar(color=_BLUE) + base.mark_text(align="left", dx=4).encode(text="Label")
    return Figure(chart.properties(width=420))


def outcomes_by_method(cases: pd.DataFrame) -> pd.DataFrame:
    """Count the outcomes of closed trajectories per method, with each outcome's share."""
    closed = cases[cases["outcome"].notna()]
    out = (pd.DataFrame({"Methode": _labels(closed, "method"),
                         "Uitkomst": closed["outcome"].astype(str).map(_OUTCOMES)})
           .groupby(["Methode", "Uitkomst"]).size().rename("Trajecten").reset_index())
    out["Aandeel"] = (out["Trajecten"] / out.groupby("Methode")["Trajecten"].transform("sum")
                      ).round(3)
    return out


def outcomes_chart(table: pd.DataFrame) -> Figure:
    """Draw :func:`outcomes_by_method` as one 100% bar per method."""
    order = [label for label in _OUTCOMES.values() if label in set(table["Uitkomst"])]
    chart = alt.Chart(table).mark_bar().encode(
        y=alt.Y("Methode:N", title=None),
        x=alt.X("Trajecten:Q", stack="normalize", axis=alt.Axis(format="%"),
                title="Afgesloten trajecten"),
        color=alt.Color("Uitkomst:N", sort=order, title="Uitkomst",
                        scale=alt.Scale(scheme="tableau10")),
        order=alt.Order("Trajecten:Q", sort="descending"),
    ).properties(width=480, height=90)
    return Figure(chart)


def barriers_by_domain(cases: pd.DataFrame, by: str = "method") -> pd.DataFrame:
    """Count open barriers per life domain (and split), among active trajectories."""
    title = _split(by)
    active = cases[cases["active"] & (cases["open_barriers"] > 0)]
    long = pd.DataFrame({title: _labels(active, by),
                         "domain": active["open_barrier_domains"].str.split(", ")}).explode(
        "domain")
    long["Leefgebied"] = long["domain"].map(lambda d: vocab.label(vocab.BARRIER_DOMAINS, d))
    out = long.groupby(["Leefgebied", title]).size().rename("Open belemmeringen").reset_index()
    return out.sort_values("Open belemmeringen", ascending=False).reset_index(drop=True)


def barriers_chart(table: pd.DataFrame) -> Figure:
    """Draw :func:`barriers_by_domain` as stacked horizontal bars."""
    split = table.columns[1]
    chart = alt.Chart(table).mark_bar().encode(
        y=alt.Y("Leefgebied:N", sort="-x", title=None),
        x=alt.X("sum(Open belemmeringen):Q", title="Open belemmeringen (lopende trajecten)"),
        color=alt.Color(f"{split}:N", title=split, scale=alt.Scale(scheme="tableau10")),
    ).properties(width=420)
    return Figure(chart)


def coach_caseload(cases: pd.DataFrame, *, contact_weeks: int = 4) -> pd.DataFrame:
    """Per coach: active trajectories, and how many had no contact for ``contact_weeks``."""
    active = cases[cases["active"]]
    quiet = active["days_since_contact"].fillna(10**6) > contact_weeks * 7
    out = (pd.DataFrame({"Jobcoach": active["coach_code"].astype("string").fillna("(geen)"),
                         "Team": active["team"].astype("string").fillna("(geen)"),
                         "stil": quiet})
           .groupby(["Jobcoach", "Team"]).agg(Lopend=("stil", "size"),
                                               Zonder_contact=("stil", "sum")).reset_index())
    out = out.rename(columns={"Zonder_contact": f"Geen contact > {contact_weeks} weken"})
    return out.sort_values("Lopend", ascending=False).reset_index(drop=True)


def coach_caseload_chart(table: pd.DataFrame, *, top: int = 20) -> Figure:
    """Draw :func:`coach_caseload` for the ``top`` largest caseloads, quiet cases darker."""
    quiet = table.columns[3]
    head = table.head(top)
    long = pd.DataFrame({
        "Jobcoach": list(head["Jobcoach"]) * 2,
        "Soort": ["met recent contact"] * len(head) + [quiet.lower()] * len(head),
        "Trajecten": list(head["Lopend"] - head[quiet]) + list(head[quiet])})
    chart = alt.Chart(long).mark_bar().encode(
        y=alt.Y("Jobcoach:N", sort=list(head["Jobcoach"]), title=None),
        x=alt.X("Trajecten:Q", title="Lopende trajecten"),
        color=alt.Color("Soort:N", title=None,
                        scale=alt.Scale(range=["#9ab8d0", "#b3261e"])),
    ).properties(width=420)
    return Figure(chart)


def as_of_text(cases: pd.DataFrame) -> str:
    """Return the frame's date as dd-mm-jjjj."""
    day = _as_of(cases)
    return f"{day:%d-%m-%Y}" if isinstance(day, pd.Timestamp | dt.date) else str(day)


__all__ = [
    "SPLITS",
    "Figure",
    "as_of_text",
    "barriers_by_domain",
    "barriers_chart",
    "caseload_by_phase",
    "caseload_chart",
    "cases",
    "coach_caseload",
    "coach_caseload_chart",
    "outcomes_by_method",
    "outcomes_chart",
    "time_to_work",
    "time_to_work_chart",
]
