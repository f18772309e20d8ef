"""The meeting's two overview charts: where the team's cases are in the route (phase funnel)
and how many active cases each coach carries (caseload). Drawn offline with Altair."""

from __future__ import annotations

import functools
from typing import Any, TypeVar

import altair as alt
import ipywidgets as widgets
import pandas as pd

INK = "#111111"
BAR = "#0b3d91"
SIGNAL_BAR = "#a50021"
#: Vega-embed options: SVG (crisp on a projector, findable in tests), no action menu.
EMBED_OPTIONS: dict[str, Any] = {"renderer": "svg", "actions": False}


@functools.cache
def enable_offline() -> None:
    """Make Altair's Jupyter charts load Vega from the package, not a CDN (once)."""
    alt.JupyterChart.enable_offline()


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


def chart_widget(chart: AnyChart) -> alt.JupyterChart:
    """Return a Jupyter chart widget (offline Vega, SVG) with the stable ``tt-chart`` class."""
    enable_offline()
    widget = alt.JupyterChart(chart, embed_options=EMBED_OPTIONS)
    widget.add_class("tt-chart")
    return widget


def static_svg(chart: AnyChart) -> str:
    """Return a chart drawn as inline SVG (no browser scripts; crisp on a projector)."""
    # heavy optional dependency: vl_convert (a bundled Deno engine), loaded when a chart is drawn
    import vl_convert  # noqa: PLC0415

    return str(vl_convert.vegalite_to_svg(chart.to_dict()))


def warm_up() -> None:
    """Do the one-off start-up work of the chart libraries ahead of the first visitor."""
    enable_offline()
    static_svg(configure(empty_chart(".")))


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
    """Phase funnel and caseload of the current selection (drawn on the first update)."""

    def __init__(self) -> None:
        self.chart: alt.JupyterChart | None = None
        super().__init__([])
        self.add_class("tt-charts")
        self.add_class("tt-panel")

    def update(self, funnel: pd.DataFrame, caseload: pd.DataFrame,
               coach: str = "jobcoach", coaches: str = "jobcoaches") -> None:
        """Draw the charts of aggregated frames (:func:`funnel_chart`, :func:`caseload_chart`)."""
        spec = overview_chart(funnel, caseload, coach, coaches)
        if self.chart is None:
            self.chart = chart_widget(spec)
            self.chart.add_class("tt-overview-chart")
            self.children = (self.chart,)
        else:
            self.chart.chart = spec
