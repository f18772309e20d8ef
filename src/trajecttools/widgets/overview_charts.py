"""The meeting's two overview charts: where the team's cases are in the route (phase funnel)
and how many active cases each coach carries (caseload). Built with Altair, drawn as SVG in the
kernel (:func:`chart_svg`), so the page needs no chart scripts."""

from __future__ import annotations

import hashlib
import json
from typing import TypeVar

import altair as alt
import ipywidgets as widgets
import pandas as pd

from trajecttools.outputs.report.charts import svg_of_spec

INK = "#111111"
BAR = "#0b3d91"
SIGNAL_BAR = "#a50021"

#: Drawn charts by their content (the spec holds the aggregated data): a preheated kernel draws
#: the page once before a visitor arrives, so the visitor's own build, on the same data, finds
#: its charts drawn. A changed register gives other specs, hence other keys.
_SVG_BY_SPEC: dict[str, str] = {}
_SVG_KEEP = 48

#: Any Altair chart that can be shown on its own (unit, layered, concatenated, faceted).
AnyChart = alt.Chart | alt.LayerChart | alt.VConcatChart | alt.HConcatChart | alt.FacetChart
C = TypeVar("C", alt.Chart, alt.LayerChart, alt.VConcatChart, alt.HConcatChart, alt.FacetChart)


def configure(chart: C) -> C:
    """Apply the meeting-room look: large dark labels, no grid clutter."""
    return chart.configure(
        font="DejaVu Sans, Arial, sans-serif",
        axis=alt.AxisConfig(labelFontSize=18, titleFontSize=18, labelColor=INK, titleColor=INK,
                            domainColor=INK, tickColor=INK, grid=False, labelLimit=320,
                            titleFontWeight="normal"),
        view=alt.ViewConfig(stroke=None),
        text=alt.MarkConfig(fontSize=18, color=INK),
        legend=alt.LegendConfig(labelFontSize=18, titleFontSize=18, labelColor=INK,
                                titleColor=INK, orient="bottom", symbolSize=220,
                                labelLimit=300),
        header=alt.HeaderConfig(labelFontSize=18, labelColor=INK, titleColor=INK),
    )


def count_x(field: str, largest: int, title: str = "Actieve trajecten") -> alt.X:
    """Return an x encoding for counts: whole-number ticks only, about five of them."""
    step = max(1, -(-int(largest) // 5))
    top = max(step, -(-int(largest) // step) * step)
    return alt.X(field, title=title, scale=alt.Scale(domain=[0, top], nice=False),
                 axis=alt.Axis(values=list(range(0, top + 1, step)), format="d"))


def funnel_chart(funnel: pd.DataFrame, *, width: int = 380) -> alt.LayerChart:
    """Return horizontal bars: active cases per route step, in route order.

    ``funnel`` has one row a step with columns ``label`` and ``cases``.
    """
    data = funnel[["label", "cases"]].copy()
    data["cases"] = data["cases"].astype(int)
    order = data["label"].tolist()
    base = alt.Chart(data).encode(
        y=alt.Y("label:N", sort=order, title=None),
        x=count_x("cases:Q", int(data["cases"].max())),
    )
    bars = base.mark_bar(color=BAR, height={"band": 0.75})
    labels = base.mark_text(align="left", dx=6, fontWeight="bold").encode(text="cases:Q")
    height = max(120, 44 * len(data))
    return (bars + labels).properties(width=width, height=height)


def caseload_chart(load: pd.DataFrame, *, width: int = 380) -> alt.LayerChart:
    """Return horizontal bars: active cases per coach, split into with and without a signal.

    ``load`` has one row a coach with columns ``coach``, ``with_signal``, ``without_signal``.
    """
    data = load.melt(id_vars="coach", value_vars=["with_signal", "without_signal"],
                     var_name="kind", value_name="cases")
    data["stack"] = data["kind"].map({"with_signal": 0, "without_signal": 1})
    data["kind"] = data["kind"].map({"with_signal": "Met signaal",
                                     "without_signal": "Zonder signaal"})
    data["cases"] = data["cases"].astype(int)
    totals = load.assign(total=load["with_signal"] + load["without_signal"])
    order = totals.sort_values(["total", "coach"], ascending=[False, True])["coach"].tolist()
    bars = alt.Chart(data).mark_bar(height={"band": 0.75}).encode(
        y=alt.Y("coach:N", sort=order, title=None),
        x=count_x("sum(cases):Q", int(totals["total"].max())),
        color=alt.Color("kind:N", title=None,
                        scale=alt.Scale(domain=["Met signaal", "Zonder signaal"],
                                        range=[SIGNAL_BAR, BAR])),
        order=alt.Order("stack:Q"),
    )
    labels = alt.Chart(totals).mark_text(align="left", dx=6, fontWeight="bold").encode(
        y=alt.Y("coach:N", sort=order), x="total:Q", text="total:Q")
    height = max(120, 40 * len(load))
    return (bars + labels).properties(width=width, height=height)


def chart_svg(chart: AnyChart) -> str:
    """Return a chart drawn as inline SVG text (Dutch number formats), drawn once per content.

    SVG in the page needs no browser scripts (no Vega bundle, no widget start-up in the
    browser) and stays crisp on a projector.
    """
    spec = chart.to_dict(validate=False)
    key = hashlib.sha256(json.dumps(spec, sort_keys=True, default=str).encode()).hexdigest()
    svg = _SVG_BY_SPEC.get(key)
    if svg is None:
        svg = svg_of_spec(spec)
        while len(_SVG_BY_SPEC) >= _SVG_KEEP:
            _SVG_BY_SPEC.pop(next(iter(_SVG_BY_SPEC)))
        _SVG_BY_SPEC[key] = svg
    return svg


def warm_up() -> None:
    """Do the one-off start-up work of the SVG engine ahead of the first visitor."""
    svg_of_spec(configure(empty_chart(".")).to_dict(validate=False))


def empty_chart(message: str) -> alt.Chart:
    """Return a chart that only says there is nothing to draw."""
    return (alt.Chart(pd.DataFrame({"t": [message]})).mark_text(fontSize=20, align="left")
            .encode(text="t:N").properties(width=380, height=40))


def _title(text: str) -> alt.TitleParams:
    # anchored at the chart's left edge (labels included): a long word ("Caseload per
    # trajectbegeleider") stays inside the panel
    return alt.TitleParams(text, fontSize=28, anchor="start", frame="bounds", color=INK,
                           fontWeight="bold")


def overview_chart(funnel: pd.DataFrame, caseload: pd.DataFrame,
                   coach: str = "jobcoach", coaches: str = "jobcoaches") -> alt.VConcatChart:
    """Return the phase funnel above the caseload, as one chart (one widget to load).

    ``coach``/``coaches``: the method's word for the coach (singular, plural).
    """
    top: alt.Chart | alt.LayerChart = (
        funnel_chart(funnel) if len(funnel) and int(funnel["cases"].sum())
        else empty_chart("Geen actieve trajecten."))
    bottom: alt.Chart | alt.LayerChart = (
        caseload_chart(caseload) if not caseload.empty
        else empty_chart(f"Geen {coaches} met actieve trajecten."))
    chart = alt.vconcat(
        top.properties(title=_title("Trajecten per fase")),
        bottom.properties(title=_title(f"Caseload per {coach}")),
        spacing=28,
    ).resolve_scale(color="independent")
    return configure(chart)


class OverviewCharts(widgets.VBox):
    """Phase funnel and caseload of the current selection (drawn on the first update).

    Shown as SVG drawn in the kernel, not as an interactive Altair widget: the charts have
    nothing to click or hover (their figures are labels), and a chart widget makes every browser
    load and start the Vega bundle, which anywidget abandons after a fixed 2 s on a busy machine
    ("Failed to initialize model") and which was the larger part of the first screen's time.
    """

    def __init__(self) -> None:
        #: The Altair chart shown (None before the first update).
        self.spec: alt.VConcatChart | None = None
        self.chart = widgets.HTML("")
        self.chart.add_class("tt-chart")
        self.chart.add_class("tt-overview-chart")
        super().__init__([self.chart])
        self.add_class("tt-charts")
        self.add_class("tt-panel")

    def update(self, funnel: pd.DataFrame, caseload: pd.DataFrame,
               coach: str = "jobcoach", coaches: str = "jobcoaches") -> None:
        """Draw the charts of aggregated frames (:func:`funnel_chart`, :func:`caseload_chart`)."""
        self.spec = overview_chart(funnel, caseload, coach, coaches)
        self.chart.value = chart_svg(self.spec)
