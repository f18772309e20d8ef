"""Altair charts of the outcome measures, for a projected dashboard and for reports.

Each builder takes an aggregated (and suppressed) frame from :mod:`trajecttools.reads.outcomes`:
suppressed groups are left out, and a chart shows at most :data:`MAX_GROUPS` groups (the
largest), so a chart never holds more than a few hundred rows — far below Altair's 5 000-row
limit whatever the size of the register. :func:`save` writes PNG or SVG through vl-convert.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Final

import altair as alt
import numpy as np
import pandas as pd

from trajecttools.outputs.report.outcomes import (
    MONTHS_NL,
    fmt_month,
    fmt_number,
    fmt_pct,
    group_labels,
)

INK: Final = "#111111"
#: Colour-blind-safe, high-contrast palette (Okabe-Ito, darkened where needed on white).
PALETTE: Final = ("#0b3d91", "#c8102e", "#117733", "#b35900", "#6a3d9a", "#008b8b", "#444444",
                  "#aa3377")
MAX_GROUPS: Final = 8
#: Altair refuses more rows than this unless told otherwise; the builders stay far below.
MAX_ROWS: Final = 5000
FONT: Final = "DejaVu Sans, Arial, sans-serif"
#: Dutch number and date formats for Vega (the same dicts vl-convert knows as "nl-NL").
FORMAT_LOCALE: Final[dict[str, Any]] = {
    "decimal": ",", "thousands": ".", "grouping": [3], "currency": ["€\xa0", ""],
}
TIME_FORMAT_LOCALE: Final[dict[str, Any]] = {
    "dateTime": "%a %e %B %Y %X", "date": "%d-%m-%Y", "time": "%H:%M:%S",
    "periods": ["AM", "PM"],
    "days": ["zondag", "maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag"],
    "shortDays": ["zo", "ma", "di", "wo", "do", "vr", "za"],
    "months": ["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
               "september", "oktober", "november", "december"],
    "shortMonths": list(MONTHS_NL),
}
#: Options for vega-embed (dashboard) and vl-convert (files): Dutch formats, SVG, no menu.
EMBED_OPTIONS: Final[dict[str, Any]] = {
    "renderer": "svg",
    "actions": False,
    "formatLocale": FORMAT_LOCALE,
    "timeFormatLocale": TIME_FORMAT_LOCALE,
}
WIDTH: Final = 700
QUALITY_LABELS: Final = {
    "temporary": "Tijdelijk contract",
    "below_level": "Onder opleidingsniveau",
    "outside_field": "Buiten vakgebied",
}


class TooManyRows(ValueError):
    """A chart would hold more rows than Altair allows (aggregate first)."""


def meeting_config(font_size: int = 18) -> alt.Config:
    """Return the meeting-room look: large dark text, light grid, legend below."""
    return alt.Config(
        font=FONT,
        axis=alt.AxisConfig(labelFontSize=font_size, titleFontSize=font_size, labelColor=INK,
                            titleColor=INK, domainColor=INK, tickColor=INK, gridColor="#d0d0d0",
                            labelLimit=320, titleFontWeight="bold"),
        view=alt.ViewConfig(stroke=None),
        legend=alt.LegendConfig(labelFontSize=font_size, titleFontSize=font_size,
                                labelColor=INK, titleColor=INK, orient="bottom", symbolSize=260,
                                symbolStrokeWidth=4, labelLimit=360, columns=2),
        header=alt.HeaderConfig(labelFontSize=font_size + 2, titleFontSize=font_size,
                                labelColor=INK, labelFontWeight="bold"),
        title=alt.TitleConfig(fontSize=font_size + 4, color=INK, anchor="start"),
        text=alt.MarkConfig(fontSize=font_size, color=INK),
    )


_CONFIG = meeting_config()


def configure(chart: Any, *, font_size: int = 18) -> Any:
    """Apply the meeting-room look (see :func:`meeting_config`) to a top-level chart, in place
    (no copy of the chart's data)."""
    chart.config = _CONFIG if font_size == 18 else meeting_config(font_size)
    return chart


def _check(data: pd.DataFrame) -> pd.DataFrame:
    if len(data) > MAX_ROWS:
        raise TooManyRows(f"Grafiek met {len(data)} rijen: meer dan {MAX_ROWS}; aggregeer eerst.")
    return data


def top_groups(df: pd.DataFrame, by: Sequence[str], size_col: str,
               limit: int = MAX_GROUPS) -> pd.DataFrame:
    """Keep the rows of the ``limit`` largest groups (by the group's largest ``size_col``);
    rows whose ``size_col`` was suppressed are left out (single hidden figures stay missing
    and are not drawn)."""
    df = df[df[size_col].notna().to_numpy()]
    if not by or df.empty:
        return df
    sizes = pd.to_numeric(df[size_col], errors="coerce").fillna(0)
    best = sizes.groupby([df[k] for k in by], observed=True, sort=False).max()
    best = best.sort_values(ascending=False, kind="stable").head(limit)
    keep = pd.MultiIndex.from_frame(df[list(by)]).isin(best.index) if len(by) > 1 else (
        df[by[0]].isin(best.index))
    return df[np.asarray(keep, dtype=bool)]


Split = str | Sequence[str] | None


def _split(by: Split) -> list[str]:
    return [by] if isinstance(by, str) else list(by or [])


def _with_group(df: pd.DataFrame, by: Sequence[str],
                method_names: Mapping[str, str] | None) -> pd.DataFrame:
    out = df.copy()
    out["groep"] = group_labels(out, by, method_names)
    return out.drop(columns=[k for k in by if k in out.columns])


def _color(by: Sequence[str], domain: Sequence[str], title: str = "") -> alt.Color:
    return alt.Color("groep:N", title=title or None,
                     scale=alt.Scale(domain=list(domain), range=list(PALETTE[: len(domain)])),
                     sort=list(domain))


def empty_chart(message: str) -> Any:
    """Return a chart that only says there is nothing to draw (in large type)."""
    chart = alt.Chart(pd.DataFrame({"t": [message]})).mark_text(
        fontSize=22, align="left", baseline="middle", dx=4, fontWeight="bold"
    ).encode(text="t:N").properties(width=WIDTH, height=60)
    return configure(chart)


def _order(df: pd.DataFrame) -> list[str]:
    return list(dict.fromkeys(df["groep"].tolist()))


# -- the charts --------------------------------------------------------------------------------
def flow_chart(flow: pd.DataFrame, by: Split = None, *,
               method_names: Mapping[str, str] | None = None,
               as_of: object = None) -> Any:
    """Return inflow and outflow per month: bars side by side, or (split) lines per group.

    With ``as_of``, its month is left out unless ``as_of`` is the month's last day (a month
    still running would look like a sudden drop).
    """
    by = _split(by)
    data = top_groups(flow, by, "n")
    if as_of is not None and len(data):
        day = pd.Timestamp(as_of)  # type: ignore[arg-type]
        if not day.is_month_end:
            data = data[data["month"] < day.to_period("M").start_time]
    if data.empty:
        return empty_chart("Geen instroom of uitstroom om te tonen (of alleen kleine groepen).")
    data = _with_group(data, by, method_names)
    long = data.melt(id_vars=["groep", "month"], value_vars=["inflow", "outflow"],
                     var_name="stroom", value_name="trajecten")
    long["stroom"] = long["stroom"].map({"inflow": "Instroom", "outflow": "Uitstroom"})
    long["maand"] = long["month"].map(fmt_month)
    long["aantal"] = long["trajecten"].map(fmt_number)
    long = _check(long)
    x = alt.X("yearmonth(month):T", title=None,
              axis=alt.Axis(format="%b %Y", labelAngle=-45, tickCount="month"))
    tooltip = [alt.Tooltip("groep:N", title="Groep"), alt.Tooltip("maand:N", title="Maand"),
               alt.Tooltip("stroom:N", title="Stroom"), alt.Tooltip("aantal:N", title="Aantal")]
    y = alt.Y("trajecten:Q", title="Trajecten per maand", axis=alt.Axis(format=",d"))
    if not by:
        chart = alt.Chart(long).mark_bar().encode(
            x=x, xOffset=alt.XOffset("stroom:N", sort=["Instroom", "Uitstroom"]), y=y,
            color=alt.Color("stroom:N", title=None, sort=["Instroom", "Uitstroom"],
                            scale=alt.Scale(domain=["Instroom", "Uitstroom"],
                                            range=[PALETTE[0], PALETTE[3]])),
            tooltip=tooltip,
        ).properties(width=WIDTH, height=320)
        return configure(chart)
    order = _order(data)
    chart = alt.Chart(long).mark_line(point=alt.OverlayMarkDef(size=60), strokeWidth=3).encode(
        x=x, y=y, color=_color(by, order), tooltip=tooltip,
    ).properties(width=WIDTH // 2 - 20, height=300).facet(
        column=alt.Column("stroom:N", title=None, sort=["Instroom", "Uitstroom"])
    )
    return configure(chart)


def km_chart(curve: pd.DataFrame, by: Split = None, *,
             method_names: Mapping[str, str] | None = None, min_at_risk: int = 0) -> Any:
    """Return the Kaplan-Meier curve as the share with a first job by months since
    registration (a step line per group; the band is the 95% interval without a split).

    Give the curve on a grid (``km_curve(..., grid=...)``); points with fewer than
    ``min_at_risk`` people still in view are left out (the unreliable tail).
    """
    by = _split(by)
    data = top_groups(curve, by, "n").dropna(subset=["job_pct"])
    if min_at_risk:
        data = data[data["at_risk"].to_numpy(dtype="float64", na_value=0) >= min_at_risk]
    if data.empty:
        return empty_chart("Te weinig trajecten om de tijd tot werk te tonen.")
    data = _with_group(data, by, method_names)
    data = data.assign(
        maanden=data["days"] / 30.4375,
        laag=100.0 * (1.0 - data["ci_high"]),
        hoog=100.0 * (1.0 - data["ci_low"]),
        pct=data["job_pct"].map(fmt_pct),
        in_beeld=data["at_risk"].map(fmt_number),
        dagen=data["days"].map(fmt_number),
    )
    data = _check(data[["groep", "maanden", "job_pct", "laag", "hoog", "pct", "in_beeld",
                        "dagen"]])
    order = _order(data)
    x = alt.X("maanden:Q", title="Maanden sinds aanmelding",
              axis=alt.Axis(values=list(range(0, 61, 3)), format="d"))
    y = alt.Y("job_pct:Q", title="% met een eerste baan",
              scale=alt.Scale(domain=[0, 100]), axis=alt.Axis(values=[0, 25, 50, 75, 100]))
    tooltip = [alt.Tooltip("groep:N", title="Groep"), alt.Tooltip("dagen:N", title="Dagen"),
               alt.Tooltip("pct:N", title="Met eerste baan"),
               alt.Tooltip("in_beeld:N", title="Nog in beeld zonder baan")]
    line = alt.Chart(data).mark_line(interpolate="step-after", strokeWidth=4).encode(
        x=x, y=y, color=_color(by, order) if by else alt.value(PALETTE[0]), tooltip=tooltip)
    half = alt.Chart(pd.DataFrame({"y": [50], "t": ["mediaan: de helft heeft werk"]}))
    rule = half.mark_rule(strokeDash=[8, 6], color=INK, strokeWidth=2).encode(y="y:Q")
    text = half.mark_text(align="right", dy=18, fontSize=18, color=INK,
                          fontWeight="bold").encode(y="y:Q", x=alt.value(WIDTH), text="t:N")
    layers = [line, rule, text]
    if not by:
        band = alt.Chart(data).mark_area(interpolate="step-after", opacity=0.18,
                                         color=PALETTE[0]).encode(x=x, y="laag:Q", y2="hoog:Q")
        layers.insert(0, band)
    chart = alt.layer(*layers).properties(width=WIDTH, height=340)
    return configure(chart)


def incidence_chart(curve: pd.DataFrame, by: Split = None, *,
                    method_names: Mapping[str, str] | None = None, min_at_risk: int = 0,
                    since: str = "aanmelding") -> Any:
    """Return the Aalen-Johansen curve: % at work by months since registration, with stopping
    without work as the competing event.

    Without a split: the share at work with its 95% band, the share stopped without work, and
    (dashed) Kaplan-Meier with stopping censored, the higher curve it replaces. Split: one
    line a group. Give the curve on a grid (``cumulative_incidence(..., grid=...)``); points
    with fewer than ``min_at_risk`` people still in view are left out.
    """
    by = _split(by)
    data = top_groups(curve, by, "n").dropna(subset=["work_pct"])
    if min_at_risk:
        data = data[data["at_risk"].to_numpy(dtype="float64", na_value=0) >= min_at_risk]
    if data.empty:
        return empty_chart("Te weinig trajecten om de tijd tot werk te tonen.")
    data = _with_group(data, by, method_names)
    data = data.assign(maanden=data["days"] / 30.4375, dagen=data["days"].map(fmt_number),
                       in_beeld=data["at_risk"].map(fmt_number))
    x = alt.X("maanden:Q", title=f"Maanden sinds {since}",
              axis=alt.Axis(values=list(range(0, 61, 3)), format="d"))
    y = alt.Y("pct:Q", title="% van de trajecten", scale=alt.Scale(domain=[0, 100]),
              axis=alt.Axis(values=[0, 25, 50, 75, 100]))
    tooltip = [alt.Tooltip("reeks:N", title="Reeks"), alt.Tooltip("dagen:N", title="Dagen"),
               alt.Tooltip("tekst:N", title="Aandeel"),
               alt.Tooltip("in_beeld:N", title="Nog in beeld")]
    if by:
        order = _order(data)
        long = data.assign(reeks=data["groep"], pct=data["work_pct"])
        colors = list(PALETTE[: len(order)])
        dash: Any = alt.value([1, 0])
    else:
        series = {"work_pct": "Aan het werk (Aalen-Johansen)",
                  "stopped_pct": "Gestopt zonder werk",
                  "km_work_pct": "Kaplan-Meier (uitval als gecensureerd)"}
        long = pd.concat([data.assign(reeks=label, pct=data[col])
                          for col, label in series.items()], ignore_index=True)
        order = list(series.values())
        colors = [PALETTE[0], PALETTE[1], "#555555"]
        dash = alt.StrokeDash("reeks:N", sort=order, legend=None,
                              scale=alt.Scale(domain=order, range=[[1, 0], [1, 0], [8, 6]]))
    long = long.assign(tekst=long["pct"].map(fmt_pct))
    long = _check(long[["reeks", "maanden", "pct", "tekst", "dagen", "in_beeld"]])
    color = alt.Color("reeks:N", title=None, sort=order,
                      scale=alt.Scale(domain=order, range=colors),
                      legend=alt.Legend(columns=1 if not by else 2))
    line = alt.Chart(long).mark_line(interpolate="step-after", strokeWidth=4).encode(
        x=x, y=y, color=color, strokeDash=dash, tooltip=tooltip)
    layers: list[Any] = [line]
    if not by:
        band = data.dropna(subset=["work_low_pct", "work_high_pct"])
        layers.insert(0, alt.Chart(band[["maanden", "work_low_pct", "work_high_pct"]]).mark_area(
            interpolate="step-after", opacity=0.18, color=PALETTE[0]).encode(
            x=x, y="work_low_pct:Q", y2="work_high_pct:Q"))
    return configure(alt.layer(*layers).properties(width=WIDTH, height=340))


#: The colour of "at work", of each step and of neither in :func:`status_chart`.
STATUS_COLORS: Final = (PALETTE[2], PALETTE[0], PALETTE[3], PALETTE[4], "#9a9a9a")


def status_chart(status: pd.DataFrame, by: Split = None, *,
                 method_names: Mapping[str, str] | None = None) -> Any:
    """Return where people are on the peildatum — at work, in a step ("in een opstap", "in
    art. 60"), or neither — as bars labelled with the percentage and "x van y" (without a
    split), or as one stacked bar a group."""
    keys = _split(by)
    data = top_groups(status, keys, "n").dropna(subset=["now_pct"])
    if data.empty:
        return empty_chart("Te weinig trajecten om werk en opstappen te tonen.")
    data = _with_group(data, keys, method_names)
    order = [str(s) for s in status["status"].cat.categories] if isinstance(
        status["status"].dtype, pd.CategoricalDtype) else list(dict.fromkeys(data["status"]))
    colors = [*STATUS_COLORS[: len(order) - 1], STATUS_COLORS[-1]]
    data = data.assign(status=data["status"].astype(str),
                       rang=data["status"].astype(str).map({s: i for i, s in enumerate(order)}),
                       tekst=[f"{fmt_pct(p, 0)} ({fmt_number(c)} van {fmt_number(n)})"
                              for p, c, n in zip(data["now_pct"], data["now"], data["n"],
                                                 strict=True)])
    tooltip = [alt.Tooltip("groep:N", title="Groep"), alt.Tooltip("status:N", title="Nu"),
               alt.Tooltip("tekst:N", title="Aandeel")]
    if not keys:
        chart = _hbars(_check(data), y="status", order=order, x="now_pct", text="tekst",
                       colors=colors, domain=[0, 165], axis_values=[0, 25, 50, 75, 100],
                       x_title="% van de trajecten, op de peildatum", tooltip=tooltip,
                       row_height=58)
        return configure(chart)
    groups = _order(data)
    data = data.sort_values(["groep", "rang"], kind="stable")
    end = data.groupby("groep", sort=False)["now_pct"].cumsum()
    data = data.assign(midden=end - data["now_pct"] / 2,
                       kort=[fmt_pct(p, 0) if p >= 10 else "" for p in data["now_pct"]])
    y = alt.Y("groep:N", title=None, sort=groups,
              axis=alt.Axis(labelFontWeight="bold", labelLimit=420))
    base = alt.Chart(_check(data))
    bars = base.mark_bar(height={"band": 0.78}).encode(
        y=y,
        x=alt.X("now_pct:Q", title="% van de trajecten, op de peildatum", stack="zero",
                scale=alt.Scale(domain=[0, 100]), axis=alt.Axis(values=[0, 25, 50, 75, 100])),
        color=alt.Color("status:N", title=None, sort=order,
                        scale=alt.Scale(domain=order, range=colors)),
        order=alt.Order("rang:Q"),
        tooltip=tooltip,
    )
    labels = base.mark_text(fontSize=18, fontWeight="bold", color="#ffffff").encode(
        y=y, x=alt.X("midden:Q"), text="kort:N")
    chart = alt.layer(bars, labels).properties(width=WIDTH - 330,
                                               height=max(80, 48 * len(groups)))
    return configure(chart)


def retention_chart(curve: pd.DataFrame, by: Split = None, *,
                    method_names: Mapping[str, str] | None = None,
                    horizons: Sequence[int] = (6, 12, 18)) -> Any:
    """Return the retention curve: % still at work and benefit-independent by months after
    the start of work (without a split also the two parts separately), with the horizons
    marked."""
    by = _split(by)
    data = top_groups(curve, by, "eligible")
    if data.empty:
        return empty_chart("Nog te weinig eerste banen waarvan de termijn verstreken is.")
    data = _with_group(data, by, method_names)
    if by:
        long = data.assign(reeks=data["groep"], pct=data["sustained_pct"],
                           teller=data["sustained"])
        order = _order(data)
        colors = list(PALETTE[: len(order)])
    else:
        parts = {"sustained": "Werk én geen uitkering", "at_work": "Aan het werk",
                 "benefit_free": "Geen uitkering"}
        long = pd.concat(
            [data.assign(reeks=label, pct=data[f"{name}_pct"], teller=data[name])
             for name, label in parts.items()],
            ignore_index=True,
        )
        order = list(parts.values())
        colors = [PALETTE[0], PALETTE[2], PALETTE[3]]
    color = alt.Color("reeks:N", title=None, sort=order,
                      scale=alt.Scale(domain=order, range=colors))
    long = long.assign(
        tekst=[f"{fmt_pct(p)} ({fmt_number(t)} van {fmt_number(e)})"
               for p, t, e in zip(long["pct"], long["teller"], long["eligible"], strict=True)],
    )
    long = _check(long[["reeks", "months", "pct", "tekst"]].dropna(subset=["pct"]))
    main = order[0] if not by else None
    x = alt.X("months:Q", title="Maanden na de start van het werk",
              axis=alt.Axis(values=list(range(0, 25, 3)), format="d"))
    y = alt.Y("pct:Q", title="% van wie zo lang geleden begon", scale=alt.Scale(domain=[0, 100]),
              axis=alt.Axis(values=[0, 25, 50, 75, 100]))
    tips = [alt.Tooltip("reeks:N", title="Reeks"), alt.Tooltip("months:Q", title="Maanden"),
            alt.Tooltip("tekst:N", title="Aandeel")]
    if main is None:
        line = alt.Chart(long).mark_line(strokeWidth=4, point=alt.OverlayMarkDef(size=70)).encode(
            x=x, y=y, color=color, tooltip=tips)
    else:  # the parts thin and dashed below, "werk én geen uitkering" thick on top
        rest = long[long["reeks"] != main]
        parts = alt.Chart(rest).mark_line(strokeWidth=3, strokeDash=[10, 5]).encode(
            x=x, y=y, color=color, tooltip=tips)
        top = alt.Chart(long[long["reeks"] == main]).mark_line(
            strokeWidth=5, point=alt.OverlayMarkDef(size=80)).encode(
            x=x, y=y, color=color, tooltip=tips)
        line = alt.layer(parts, top)
    marks = alt.Chart(pd.DataFrame({"m": list(horizons), "t": [f"{m} mnd" for m in horizons]}))
    rules = marks.mark_rule(strokeDash=[6, 6], color=INK, strokeWidth=2).encode(x="m:Q")
    labels = marks.mark_text(align="left", dx=6, dy=10, fontSize=18, color=INK).encode(
        x="m:Q", y=alt.value(0), text="t:N")
    return configure(alt.layer(rules, labels, line).properties(width=WIDTH, height=340))


def _hbars(data: pd.DataFrame, *, y: str, order: Sequence[str], x: str, text: str,
           colors: Sequence[str] | str, domain: Sequence[float], title: str = "",
           axis_values: Sequence[float] | None = None, x_title: str = "",
           tooltip: Sequence[alt.Tooltip] = (), row_height: int = 40) -> Any:
    """Return horizontal bars with a bold label after each bar (one bar a row of ``y``)."""
    color_enc: Any = (alt.value(colors) if isinstance(colors, str) else
                      alt.Color(f"{y}:N", sort=list(order), legend=None,
                                scale=alt.Scale(domain=list(order), range=list(colors))))
    yy = alt.Y(f"{y}:N", title=None, sort=list(order),
               axis=alt.Axis(labelFontWeight="bold", labelLimit=420))
    xx = alt.X(f"{x}:Q", title=x_title or None, scale=alt.Scale(domain=list(domain)),
               axis=alt.Axis(values=list(axis_values)) if axis_values is not None else
               alt.Axis(tickCount=5, labelFlush=False))
    base = alt.Chart(data)
    bars = base.mark_bar(height={"band": 0.72}).encode(y=yy, x=xx, color=color_enc,
                                                        tooltip=list(tooltip))
    at = "label_x" if "label_x" in data.columns else x
    labels = base.mark_text(align="left", dx=6, fontSize=18, fontWeight="bold",
                            color=INK).encode(y=yy, x=alt.X(f"{at}:Q"), text=f"{text}:N")
    zero = alt.Chart(pd.DataFrame({"x": [0]})).mark_rule(color=INK, strokeWidth=2).encode(
        x="x:Q")
    chart = alt.layer(bars, zero, labels).properties(width=WIDTH - 260,
                                                     height=max(60, row_height * len(order)))
    return chart.properties(title=title) if title else chart


def quality_chart(quality: pd.DataFrame, by: Split = None, *,
                  method_names: Mapping[str, str] | None = None) -> Any:
    """Return the share of first jobs that are temporary, below level or outside the field,
    as bars labelled with the percentage and "x van y" (one block a group when split)."""
    keys = _split(by)
    data = top_groups(quality, keys, "first_jobs")
    if data.empty:
        return empty_chart("Te weinig eerste banen om de kwaliteit te tonen.")
    data = _with_group(data, keys, method_names)
    frames = []
    for flag, label in QUALITY_LABELS.items():
        part = data[["groep", flag, f"{flag}_known", f"{flag}_pct"]].set_axis(
            ["groep", "teller", "noemer", "pct"], axis=1)
        frames.append(part.assign(kenmerk=label))
    long = pd.concat(frames, ignore_index=True).dropna(subset=["pct"])
    long["tekst"] = [f"{fmt_pct(p, 0)} ({fmt_number(t)} van {fmt_number(n)})"
                     for p, t, n in zip(long["pct"], long["teller"], long["noemer"],
                                        strict=True)]
    long = _check(long)
    tooltip = [alt.Tooltip("groep:N", title="Groep"), alt.Tooltip("kenmerk:N", title="Kenmerk"),
               alt.Tooltip("tekst:N", title="Aandeel")]
    common: dict[str, Any] = {"x": "pct", "text": "tekst", "domain": [0, 165],
                              "axis_values": [0, 25, 50, 75, 100], "tooltip": tooltip}
    if not keys:
        chart = _hbars(long, y="kenmerk", order=list(QUALITY_LABELS.values()),
                       colors=PALETTE[0], x_title="% van de eerste banen", **common)
        return configure(chart)
    groups = _order(data)
    blocks = [
        _hbars(long[long["kenmerk"] == label], y="groep", order=groups,
               colors=PALETTE[: len(groups)], title=label, **common)
        for label in QUALITY_LABELS.values()
    ]
    return configure(alt.vconcat(*blocks, spacing=24))


def progress_chart(domains: pd.DataFrame, zrm: pd.DataFrame, ladder: pd.DataFrame,
                   by: Split = None, *,
                   method_names: Mapping[str, str] | None = None) -> Any:
    """Return the change between first and last measurement: the ZRM (mean, and per domain
    without a split) and the participatieladder, each on its own scale."""
    keys = _split(by)
    parts = []
    for title, frame, rows_from in (
        ("ZRM (score 1-5)", zrm, "ZRM gemiddeld"),
        ("Participatieladder (trede 1-6)", ladder, "Gemiddelde trede"),
    ):
        if keys:
            part = _with_group(top_groups(frame, keys, "n"), keys, method_names)
            part = part.assign(rij=part["groep"])
        else:
            part = frame[~frame["suppressed"].to_numpy(dtype=bool)].assign(rij=rows_from)
            if title.startswith("ZRM"):
                dom = domains[~domains["suppressed"].to_numpy(dtype=bool)]
                part = pd.concat([part, dom.assign(rij=dom["domain_label"])], ignore_index=True)
        part = part.dropna(subset=["mean_change"])
        if not part.empty:
            parts.append((title, part))
    if not parts:
        return empty_chart("Te weinig trajecten met twee metingen om de voortgang te tonen.")
    blocks = []
    for title, raw in parts:
        change = raw["mean_change"].to_numpy(dtype="float64")
        part = raw.assign(
            tekst=[f"{'+' if c > 0 else ''}{fmt_number(c, 2)} (n = {fmt_number(n)})"
                   for c, n in zip(change, raw["n"], strict=True)],
            label_x=np.clip(change, 0, None),
        )
        part = _check(part[["rij", "mean_change", "tekst", "label_x", "n"]])
        order = list(dict.fromkeys(part["rij"].tolist()))
        reach = max(0.5, float(np.nanmax(np.abs(change))))
        low = min(0.0, float(np.nanmin(change)) * 1.1)
        first = part.groupby("rij", sort=False)["mean_change"].first().reindex(order)
        colors = (PALETTE[: len(order)] if keys else
                  [PALETTE[0] if i == 0 else PALETTE[2] if c >= 0 else PALETTE[1]
                   for i, c in enumerate(first)])
        blocks.append(_hbars(
            part, y="rij", order=order, x="mean_change", text="tekst", colors=list(colors),
            domain=[low, reach * 1.9], title=title,
            x_title="Gemiddelde verandering eerste → laatste meting",
            tooltip=[alt.Tooltip("rij:N", title="Onderdeel"),
                     alt.Tooltip("tekst:N", title="Verandering")],
        ))
    return configure(alt.vconcat(*blocks, spacing=28).resolve_scale(color="independent"))


# -- files ---------------------------------------------------------------------------------------
def save(chart: Any, path: str | os.PathLike[str], *, ppi: int = 200) -> Path:
    """Write a chart as PNG (at ``ppi``) or SVG, by the file's extension, via vl-convert, with
    Dutch number and date formats."""
    target = Path(path)
    fmt = target.suffix.lower().lstrip(".")
    if fmt not in ("png", "svg"):
        raise ValueError(f"Onbekend bestandstype '{target.suffix}': kies .png of .svg")
    opts = {"formatLocale": FORMAT_LOCALE, "timeFormatLocale": TIME_FORMAT_LOCALE}
    if fmt == "png":
        chart.save(str(target), format="png", ppi=ppi, embed_options=opts)
    else:
        chart.save(str(target), format="svg", embed_options=opts)
    return target


def svg_of_spec(spec: dict[str, Any]) -> str:
    """Return a Vega-Lite spec (a dict) rendered as SVG text via vl-convert (Dutch formats)."""
    # heavy optional dependency: vl-convert is a large native module, loaded only to render files
    import vl_convert as vlc  # noqa: PLC0415

    return str(vlc.vegalite_to_svg(spec, format_locale=FORMAT_LOCALE,
                                   time_format_locale=TIME_FORMAT_LOCALE))


def to_bytes(chart: Any, fmt: str, *, ppi: int = 200) -> bytes:
    """Return a chart rendered as PNG or SVG bytes via vl-convert (Dutch formats)."""
    # heavy optional dependency: vl-convert is a large native module, loaded only to render files
    import vl_convert as vlc  # noqa: PLC0415

    spec = chart.to_dict(format="vega-lite")
    if fmt == "png":
        return bytes(vlc.vegalite_to_png(spec, ppi=ppi, format_locale=FORMAT_LOCALE,
                                         time_format_locale=TIME_FORMAT_LOCALE))
    if fmt == "svg":
        return svg_of_spec(spec).encode("utf-8")
    raise ValueError(f"Onbekend formaat '{fmt}': kies png of svg")
