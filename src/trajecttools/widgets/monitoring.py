"""The sustainable-work monitoring dashboard: do people really stay at work?

Flow, work and steps apart ("aan het werk", "in een opstap", "in art. 60"), time to work with
stopping as the competing event (Aalen-Johansen), quality of the first job, still at work and
benefit-independent after 6, 12 and 18 months, the revolving door without the rights opened
after art. 60, and ZRM/ladder progress, for a period
and split by target group, coach, method, cohort, region or team. Only aggregates are shown;
groups smaller than ``min_n`` show "n < 10". Tables go to Excel and charts to PNG/SVG through
download links that work in Voilà (data addresses; nothing is written on the server unless an
``export_dir`` is given).

>>> from trajecttools.apps.monitoring import monitoring
>>> type(monitoring()).__name__
'MonitoringDashboard'
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import io
import os
import zipfile
from collections.abc import Callable, Mapping
from functools import partial
from pathlib import Path
from typing import Any

import ipywidgets as widgets
import numpy as np
import pandas as pd

from trajecttools.core.dates import dutch_date
from trajecttools.core.errors import TrajecttoolsError
from trajecttools.outputs.report import charts
from trajecttools.outputs.report.document import esc
from trajecttools.outputs.report.outcomes import (
    fmt_number,
    fmt_pct,
    group_labels,
    period_text,
    write_excel,
)
from trajecttools.reads import outcomes
from trajecttools.reads.outcomes import GROUPS, MIN_N, Period, Register
from trajecttools.widgets.overview_charts import chart_svg
from trajecttools.widgets.toolkit import MeetingScreen, Status, button, guarded, log, style_sheet

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: The most group rows the on-screen table shows (all groups are in the export).
TABLE_ROWS = 20
#: Chart panels: key -> (title, one Dutch sentence on how to read it).
PANELS: Mapping[str, tuple[str, str]] = {
    "flow": ("Instroom en uitstroom per maand",
             "Aanmeldingen en afsluitingen per volle maand in de gekozen periode (de lopende "
             "maand staat in de export)."),
    "status": ("Werk en opstappen, nu",
               "Op de peildatum: aan het werk (arbeidsovereenkomst zonder loonkostensubsidie), "
               "in een opstap (opstapbaan, proef, inleen, loonkostensubsidie), in art. 60, of "
               "geen van beide. Opstappen tellen niet als werk."),
    "incidence": ("Tijd tot werk",
                  "Aalen-Johansen: wie zonder werk stopt, telt als gestopt — niet als iemand "
                  "die nog kans had. De stippellijn (Kaplan-Meier) doet dat wel en ligt te "
                  "hoog."),
    "retention": ("Duurzaam aan het werk: 6, 12 en 18 maanden",
                  "Van wie zo lang geleden aan het werk ging: aan het werk én zonder "
                  "uitkering. Alleen wie de termijn op de peildatum bereikte, telt mee."),
    "quality": ("Kwaliteit van de eerste baan",
                "Eerste banen die in de periode begonnen: tijdelijk, onder het "
                "opleidingsniveau of buiten het vakgebied."),
    "progress": ("Voortgang: ZRM en participatieladder",
                 "Verschil tussen de eerste en de laatste meting van een traject (minstens twee "
                 "metingen)."),
}



def data_link(content: bytes, filename: str, mime: str, text: str) -> str:
    """Return an HTML download link carrying the file itself (a data address): it works in
    Voilà without a file server and leaves nothing behind on the server."""
    payload = base64.b64encode(content).decode("ascii")
    return (f'<a class="tt-download" download="{esc(filename)}" '
            f'href="data:{mime};base64,{payload}">{esc(text)}</a>')


def period_options(register: Register, as_of: pd.Timestamp) -> dict[str, tuple[str, Period | None]]:
    """Return the period choices (key -> (Dutch label, period)) relative to the peildatum."""
    options: dict[str, tuple[str, Period | None]] = {}
    for months in (12, 24):
        start = (as_of - pd.DateOffset(months=months) + pd.Timedelta(days=1)).normalize()
        label = f"Laatste {months} maanden"
        options[f"{months}m"] = (label, (start, as_of))
    years = sorted({int(y) for y in register.trajectories["registered_at"].dt.year.dropna()
                    if int(y) <= as_of.year}, reverse=True)
    for year in years:
        label = f"{year} (t/m peildatum)" if year == as_of.year else str(year)
        options[str(year)] = (label, (pd.Timestamp(year, 1, 1), pd.Timestamp(year, 12, 31)))
    options["all"] = ("Alles", None)
    return options


def _cell_pct(row: pd.Series, pct: str, count: str, denominator: str) -> str:
    value = row.get(pct)
    if value is None or pd.isna(value):
        den = row.get(denominator)
        if den is None or pd.isna(den):
            return '<span class="tt-suppressed">n &lt; 10</span>'
        return "—"
    return (f"{fmt_pct(value)}<span class='tt-small'>{fmt_number(row.get(count))} van "
            f"{fmt_number(row.get(denominator))}</span>")


def _cell_share(value: object, n: object) -> str:
    """A share estimated over ``n`` trajectories (no "x van y": it is an estimate)."""
    if value is None or pd.isna(value):  # type: ignore[call-overload]
        return '<span class="tt-suppressed">n &lt; 10</span>' if pd.isna(n) else "—"  # type: ignore[call-overload]
    return f"{fmt_pct(value)}<span class='tt-small'>n = {fmt_number(n)}</span>"


def _cell_number(value: object, decimals: int = 0, signed: bool = False,
                 count: object = None) -> str:
    if value is None or pd.isna(value):  # type: ignore[call-overload]
        if count is not None and pd.isna(count):  # type: ignore[call-overload]
            return '<span class="tt-suppressed">n &lt; 10</span>'
        return "—"
    text = fmt_number(value, decimals)
    if signed and float(value) > 0:  # type: ignore[arg-type]
        text = f"+{text}"
    if count is not None:
        text += f"<span class='tt-small'>n = {fmt_number(count)}</span>"
    return text


def summary_table(summary: pd.DataFrame, by: list[str], min_n: int | None,
                  method_names: Mapping[str, str] | None = None,
                  limit: int = TABLE_ROWS) -> str:
    """Return the per-group summary as an HTML table: percentages with "x van y" beneath,
    suppressed groups as "n < 10" (the largest ``limit`` groups)."""
    if summary.empty:
        return "<p class='tt-note'>Geen trajecten in deze periode.</p>"
    data = summary.copy()
    data["_label"] = group_labels(data, by, method_names)
    shown = data
    if len(data) > limit:
        size = pd.to_numeric(data["registered"], errors="coerce").fillna(0)
        shown = data.loc[size.sort_values(ascending=False, kind="stable").index[:limit]]
        shown = shown.sort_index()
    small = f"n &lt; {min_n}" if min_n else ""
    horizons = [int(c.removeprefix("eligible_").removesuffix("m")) for c in summary.columns
                if c.startswith("eligible_") and c.endswith("m")]
    head = ["Groep" if by else "", "Aangemeld", "Aan het werk binnen 12 mnd",
            "Tijdelijk", "Onder niveau", *[f"Duurzaam na {m} mnd" for m in horizons],
            "Draaideur (12 mnd)", "Rechten geopend na art. 60", "ZRM verandering"]
    rows = []
    for _, row in shown.iterrows():
        if pd.isna(row["registered"]) and pd.isna(row["first_jobs"]):
            cells = [esc(row["_label"])] + [
                f'<span class="tt-suppressed">{small}</span>'] * (len(head) - 1)
        else:
            cells = [
                esc(row["_label"]),
                _cell_number(row["registered"]) if not pd.isna(row["registered"]) else
                f'<span class="tt-suppressed">{small}</span>',
                _cell_share(row["work_12m_pct"], row["registered"]),
                _cell_pct(row, "temporary_pct", "temporary", "temporary_known"),
                _cell_pct(row, "below_level_pct", "below_level", "below_level_known"),
                *[_cell_pct(row, f"sustained_{m}m_pct", f"sustained_{m}m", f"eligible_{m}m")
                  for m in horizons],
                _cell_pct(row, "returned_pct", "returned", "placed"),
                _cell_pct(row, "rights_opened_pct", "rights_opened", "rights_ended"),
                _cell_number(row["zrm_change"], 2, signed=True, count=row["zrm_n"]),
            ]
        rows.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    note = ""
    if len(data) > limit:
        note = (f"<p class='tt-note'>De {limit} grootste van {len(data)} groepen; alle groepen "
                "staan in de Excel-export.</p>")
    return ("<table class='tt-table'><thead><tr>" + "".join(f"<th>{esc(h)}</th>" for h in head)
            + "</tr></thead><tbody>" + "".join(rows) + "</tbody></table>" + note)


def _tile(label: str, value: str, note: str = "", css: str = "") -> str:
    return (f"<div class='tt-tile {css}'><div class='tt-tile-label'>{esc(label)}</div>"
            f"<div class='tt-tile-value'>{value}</div>"
            f"<div class='tt-tile-note'>{esc(note)}</div></div>")


def tiles_html(total: pd.Series, min_n: int | None, status: pd.DataFrame | None = None) -> str:
    """Return the headline figures of the whole selection as large tiles: work and each step
    apart (from ``status``, :func:`~trajecttools.reads.outcomes.work_status` of the total),
    time to work, sustainable work per horizon, revolving door and rights opened."""
    small = f"n &lt; {min_n}"

    def pct(p: str, c: str, d: str) -> tuple[str, str]:
        if pd.isna(total.get(p)):
            return (small if pd.isna(total.get(d)) else "—"), ""
        return fmt_pct(total[p]), f"{fmt_number(total[c])} van {fmt_number(total[d])}"

    registered = total.get("registered")
    tiles = [_tile("Aangemeld in de periode",
                   small if pd.isna(registered) else fmt_number(registered),
                   "" if pd.isna(total.get("found_job")) else
                   f"{fmt_number(total['found_job'])} kwamen aan het werk")]
    if status is not None:
        for _, row in status.iterrows():
            if row["status"] == outcomes.NEITHER:
                continue
            value = small if pd.isna(row["now_pct"]) else fmt_pct(row["now_pct"])
            note = "" if pd.isna(row["now_pct"]) else \
                f"{fmt_number(row['now'])} van {fmt_number(row['n'])}"
            tiles.append(_tile(f"Nu {row['status']}", value, note, "tt-tile-status"))
    work = total.get("work_12m_pct")
    tiles.append(_tile("Binnen 12 mnd aan het werk",
                       "—" if work is None or pd.isna(work) else fmt_pct(work),
                       "Aalen-Johansen: uitval telt mee"))
    horizons = [int(str(c)[len("eligible_"):-1]) for c in total.index
                if str(c).startswith("eligible_") and str(c).endswith("m")]
    for months in horizons:
        value, note = pct(f"sustained_{months}m_pct", f"sustained_{months}m",
                          f"eligible_{months}m")
        tiles.append(_tile(f"Duurzaam na {months} mnd", value,
                           f"{note} (termijn bereikt)" if note else ""))
    value, note = pct("returned_pct", "returned", "placed")
    tiles.append(_tile("Draaideur binnen 12 mnd", value, note))
    value, note = pct("rights_opened_pct", "rights_opened", "rights_ended")
    tiles.append(_tile("Rechten geopend na art. 60", value, note or "apart van de draaideur"))
    return "<div class='tt-tiles'>" + "".join(tiles) + "</div>"


#: Measures by register content and choice (see :meth:`MonitoringDashboard.compute`).
_MEASURES: dict[tuple[Any, ...], dict[str, pd.DataFrame]] = {}
_MEASURES_KEEP = 8
#: The six drawn charts (SVG) by the same key: the charts follow from the measures, so a visitor
#: who finds the measures kept also finds the charts drawn, without building them again.
_DRAWN: dict[tuple[Any, ...], dict[str, str]] = {}


def register_digest(register: Register) -> str:
    """Return a digest of what a register holds: equal content, equal digest."""
    digest = hashlib.sha256()
    for frame in (register.trajectories, register.placements, register.benefit_periods,
                  register.zrm_assessments, register.ladder_steps):
        digest.update(",".join(map(str, frame.columns)).encode())
        digest.update(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes())
    digest.update(repr((str(register.as_of), sorted(register.method_names.items()),
                        sorted(register.rules.items(), key=lambda item: item[0]))).encode())
    return digest.hexdigest()


class ChartPanel(widgets.VBox):
    """A titled chart with one sentence on how to read it.

    The chart is drawn in the kernel as SVG (vl-convert) and shown as an image in the page: the
    monitoring screen has six charts and nothing to click in them, and six interactive Altair
    widgets would each send and start the whole Vega bundle (0.9 MB) in the browser, which made
    the first screen miss its 2 s. The price: no hover tooltips; the charts carry their figures
    as labels, and analysts explore the same frames in ``notebooks/outcomes.ipynb``.
    """

    def __init__(self, key: str) -> None:
        title, note = PANELS[key]
        self.key = key
        self.title = widgets.HTML(f"<div class='tt-chart-title'>{esc(title)}</div>")
        self.note = widgets.HTML(f"<div class='tt-chart-note'>{esc(note)}</div>")
        self.chart = widgets.HTML(
            "<div class='tt-chart-loading'>Gegevens worden geladen …</div>")
        self.chart.add_class("tt-chart")
        self.chart.add_class(f"tt-chart-{key}")
        self._spec: Any = None
        self._make_spec: Callable[[], Any] | None = None
        super().__init__([self.title, self.note, self.chart])
        self.add_class("tt-panel")

    @property
    def spec(self) -> Any:
        """The Altair chart shown (built when first asked for after a drawing was reused)."""
        if self._spec is None and self._make_spec is not None:
            self._spec = self._make_spec()
        return self._spec

    def draw(self, chart: Any) -> None:
        """Show a new chart (an Altair chart built from aggregates)."""
        self._spec, self._make_spec = chart, None
        self.chart.value = chart_svg(chart)

    def show(self, svg: str, make_spec: Callable[[], Any]) -> None:
        """Show a chart drawn before; ``make_spec`` builds its Altair chart when asked for."""
        self._spec, self._make_spec = None, make_spec
        self.chart.value = svg


class MonitoringDashboard(MeetingScreen):
    """Outcomes and sustainable work of a register, for a period and a split."""

    def __init__(
        self,
        register: Register,
        *,
        as_of: dt.date | str | None = None,
        by: str | None = None,
        period: str = "24m",
        min_n: int | None = MIN_N,
        export_dir: str | os.PathLike[str] | None = None,
    ) -> None:
        self.register = register
        self.as_of = outcomes.as_day(as_of) if as_of is not None else register.as_of
        self.min_n = min_n
        self.export_dir = Path(export_dir) if export_dir is not None else None
        self.frames: dict[str, pd.DataFrame] = {}
        self.status = Status()
        self._build_privacy(self.status, what="cijfers")
        self.periods = period_options(register, self.as_of)
        if period not in self.periods:
            period = "24m"
        split_options = [("Geen (totaal)", "")] + [
            (label, key) for key, label in GROUPS.items() if key in register.trajectories.columns
        ]
        self.period_picker = widgets.Dropdown(
            options=[(label, key) for key, (label, _) in self.periods.items()], value=period,
            description="Periode", layout=widgets.Layout(width="520px"),
        )
        self.period_picker.add_class("tt-period")
        self.by_picker = widgets.Dropdown(
            options=split_options, value=by if by in dict(split_options).values() else "",
            description="Uitsplitsen naar", layout=widgets.Layout(width="480px"),
        )
        self.by_picker.add_class("tt-by")
        self.excel_button = button("Exporteer naar Excel", kind="primary", css="tt-export-excel",
                                   tooltip="Maak een Excel-bestand met alle tabellen")
        self.charts_button = button("Grafieken opslaan (PNG en SVG)", css="tt-export-charts",
                                    tooltip="Maak een zip met de grafieken voor een rapport")
        self.export = widgets.HTML("")
        self.export.add_class("tt-export")
        self.tiles = widgets.HTML("")
        self.tiles.add_class("tt-headline")
        self.panels = {key: ChartPanel(key) for key in PANELS}
        self.table = widgets.HTML("")
        self.table.add_class("tt-summary")
        self.title = widgets.HTML(
            "<div class='tt-subtitle'>Blijven mensen echt aan het werk? Peildatum "
            f"{dutch_date(self.as_of)} · alleen totalen per groep · groepen kleiner dan "
            f"{min_n or 0} worden niet getoond (\"n &lt; {min_n or 0}\")</div>",
            layout=widgets.Layout(flex="1 1 auto", width="auto"),
        )
        titlebar = widgets.HBox([self.title, self.hide_button, self.show_button],
                                layout=widgets.Layout(width="100%", align_items="center"))
        titlebar.add_class("tt-titlebar")
        controls = widgets.HBox([self.period_picker, self.by_picker, self.excel_button,
                                 self.charts_button], layout=widgets.Layout(flex_flow="row wrap"))
        controls.add_class("tt-controls")
        grid = widgets.HBox(list(self.panels.values()),
                            layout=widgets.Layout(flex_flow="row wrap", width="100%"))
        grid.add_class("tt-panels")
        table_title = widgets.HTML("<div class='tt-chart-title'>Per groep</div>")
        style = style_sheet("monitoring")
        self.content = widgets.VBox([controls, self.export, self.tiles, grid, table_title,
                                     self.table], layout=widgets.Layout(width="100%"))
        self.content.add_class("tt-content")
        super().__init__([style, titlebar, self.status, self.hidden_notice, self.content],
                         layout=widgets.Layout(width="100%"))
        self.add_class("tt-monitoring")

        self.period_picker.observe(lambda _change: self.refresh(), names="value")
        self.by_picker.observe(lambda _change: self.refresh(), names="value")
        self.excel_button.on_click(lambda _b: self.export_excel())
        self.charts_button.on_click(lambda _b: self.export_charts())
        self.refresh()

    # -- state -------------------------------------------------------------------------------
    @property
    def by(self) -> list[str]:
        """The chosen split (empty: the total)."""
        value = self.by_picker.value
        if value and value not in GROUPS:  # the browser can set any value: check it here
            raise TrajecttoolsError(f"Onbekende uitsplitsing '{value}'.")
        return [value] if value else []

    @property
    def period(self) -> Period | None:
        """The chosen period."""
        key = self.period_picker.value
        if key not in self.periods:
            raise TrajecttoolsError(f"Onbekende periode '{key}'.")
        return self.periods[key][1]

    def _km_grid(self) -> range:
        lo = self.period[0] if self.period else None
        start = outcomes.as_day(lo) if lo is not None else self.register.trajectories[
            "registered_at"].min()
        span = int((self.as_of - pd.Timestamp(start)).days) if not pd.isna(start) else 0
        step = max(7, int(np.ceil(max(span, 1) / 150)))
        return range(0, max(span, 0) + step, step)

    def compute(self) -> dict[str, pd.DataFrame]:
        """Return every measure for the chosen period and split, suppressed for showing.

        Computed once per register content and choice: a preheated kernel's rehearsal leaves
        them for the visitor who arrives before the register changes.
        """
        key = self.measures_key()
        frames = _MEASURES.get(key)
        if frames is None:
            frames = self._compute()
            while len(_MEASURES) >= _MEASURES_KEEP:
                _DRAWN.pop(next(iter(_MEASURES)), None)
                _MEASURES.pop(next(iter(_MEASURES)))
            _MEASURES[key] = frames
        return dict(frames)

    def measures_key(self) -> tuple[Any, ...]:
        """Return what the measures (and so the charts) depend on: register content and choice."""
        return (register_digest(self.register), tuple(self.by), repr(self.period),
                str(self.as_of), self.min_n)

    def _compute(self) -> dict[str, pd.DataFrame]:
        reg, by, period = self.register, self.by, self.period
        kw: dict[str, Any] = {"period": period, "as_of": self.as_of, "min_n": None}
        raw = {
            "summary": outcomes.summary(reg, by, **kw),
            "total": outcomes.summary(reg, None, **kw),
            "flow": outcomes.flow(reg, by, **kw),
            "time_to_first_job": outcomes.time_to_first_job(reg, by, **kw),
            "km_curve": outcomes.km_curve(reg, by, grid=self._km_grid(), **kw),
            "cumulative_incidence": outcomes.cumulative_incidence(reg, by, grid=self._km_grid(),
                                                                  **kw),
            "work_status": outcomes.work_status(reg, by, **kw),
            "status_total": outcomes.work_status(reg, None, **kw),
            "first_job_quality": outcomes.first_job_quality(reg, by, **kw),
            "retention_curve": outcomes.retention_curve(reg, by, **kw),
            "revolving_door": outcomes.revolving_door(reg, by, **kw),
            "zrm_change": outcomes.zrm_change(reg, by, **kw),
            "zrm_domain_change": outcomes.zrm_domain_change(reg, by, **kw),
            "ladder_change": outcomes.ladder_change(reg, by, **kw),
        }
        return {name: outcomes.suppress(df, self.min_n) for name, df in raw.items()}

    def chart_specs(self) -> dict[str, Any]:
        """Return the six Altair charts of the current frames."""
        return self._specs(self.frames, list(self.by))

    def _spec(self, frames: Mapping[str, pd.DataFrame], by: list[str], key: str) -> Any:
        """Return one Altair chart of given frames and split (for a drawing that was reused)."""
        return self._specs(frames, by)[key]

    def _specs(self, f: Mapping[str, pd.DataFrame], by: list[str]) -> dict[str, Any]:
        names = self.register.method_names
        return {
            "flow": charts.flow_chart(f["flow"], by, method_names=names, as_of=self.as_of),
            "status": charts.status_chart(f["work_status"], by, method_names=names),
            "incidence": charts.incidence_chart(f["cumulative_incidence"], by,
                                                method_names=names,
                                                min_at_risk=self.min_n or 0),
            "retention": charts.retention_chart(f["retention_curve"], by, method_names=names,
                                                horizons=self.register.horizons),
            "quality": charts.quality_chart(f["first_job_quality"], by, method_names=names),
            "progress": charts.progress_chart(f["zrm_domain_change"], f["zrm_change"],
                                              f["ladder_change"], by, method_names=names),
        }

    # -- actions (each one a programmatic trigger; errors: server log + Dutch status) ----------
    def refresh(self) -> None:
        """Recompute and redraw everything for the chosen period and split."""
        guarded(self.status, "Bijwerken")(self._refresh)()

    def export_excel(self) -> str | None:
        """Offer the tables as an Excel download; return the file name (None on failure)."""
        return guarded(self.status, "Excel-export")(self._export_excel)()

    def export_charts(self) -> str | None:
        """Offer the charts as PNG and SVG in a zip; return the file name (None on failure)."""
        return guarded(self.status, "Grafieken opslaan")(self._export_charts)()

    def _refresh(self) -> None:
        """Recompute and redraw everything for the chosen period and split."""
        self.status.info("Bezig met berekenen …")
        self.export.value = ""
        self.frames = self.compute()
        measures = self.measures_key()
        drawn = _DRAWN.get(measures)
        with self.hold_sync():
            if drawn is None:
                for key, chart in self.chart_specs().items():
                    self.panels[key].draw(chart)
                _DRAWN[measures] = {key: panel.chart.value for key, panel in self.panels.items()}
            else:
                frames, by = dict(self.frames), list(self.by)
                for key, svg in drawn.items():
                    self.panels[key].show(svg, partial(self._spec, frames, by, key))
            total = self.frames["total"].iloc[0]
            self.tiles.value = tiles_html(total, self.min_n, self.frames["status_total"])
            self.table.value = summary_table(self.frames["summary"], self.by, self.min_n,
                                             self.register.method_names)
        split = GROUPS.get(self.by[0], "") if self.by else "geen uitsplitsing"
        self.status.info(f"Periode: {period_text(self.period, self.as_of)} · {split}.")
        log.info("Monitoring bijgewerkt: periode=%s, uitsplitsing=%s", self.period_picker.value,
                 self.by or "totaal")

    def _stem(self) -> str:
        split = f"_{self.by[0]}" if self.by else ""
        return f"uitkomsten_{self.period_picker.value}{split}_{self.as_of:%d-%m-%Y}"

    def excel_bytes(self) -> bytes:
        """Return the Excel workbook of the current selection."""
        if not self.frames:
            raise TrajecttoolsError("Er zijn nog geen cijfers berekend.")
        frames = {k: v for k, v in self.frames.items() if k not in ("total", "status_total")}
        return write_excel(frames, by=self.by, as_of=self.as_of, period=self.period,
                           min_n=self.min_n, method_names=self.register.method_names)

    def _export_excel(self) -> str:
        """Offer the tables as an Excel download; return the file name."""
        self.status.info("Excel-bestand wordt gemaakt …")
        content = self.excel_bytes()
        name = f"{self._stem()}.xlsx"
        self._offer(content, name, XLSX_TYPE, f"Download Excel: {name}")
        self.status.info(f"Excel-bestand klaar: {name} (klik op de groene knop).")
        log.info("Excel-export gemaakt: %s (%d bytes)", name, len(content))
        return name

    def charts_zip(self, ppi: int = 200) -> bytes:
        """Return a zip with every chart as PNG (at ``ppi``) and SVG."""
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
            for key, panel in self.panels.items():
                if panel.spec is None:
                    continue
                zf.writestr(f"{key}.png", charts.to_bytes(panel.spec, "png", ppi=ppi))
                zf.writestr(f"{key}.svg", charts.to_bytes(panel.spec, "svg"))
        return buffer.getvalue()

    def _export_charts(self) -> str:
        """Offer the charts as PNG and SVG (one zip) for a report; return the file name."""
        self.status.info("Grafieken worden gemaakt …")
        content = self.charts_zip()
        name = f"grafieken_{self._stem()}.zip"
        self._offer(content, name, "application/zip", f"Download grafieken: {name}")
        self.status.info(f"Grafieken klaar: {name} (PNG en SVG; klik op de groene knop).")
        log.info("Grafieken opgeslagen: %s (%d bytes)", name, len(content))
        return name

    def _offer(self, content: bytes, name: str, mime: str, text: str) -> None:
        links = [link for link in self.export.value.split("\n") if link and name not in link]
        links.append(data_link(content, name, mime, text))
        if self.export_dir is not None:
            self.export_dir.mkdir(parents=True, exist_ok=True)
            (self.export_dir / name).write_bytes(content)
        self.export.value = "\n".join(links[-2:])


__all__ = ["MonitoringDashboard", "summary_table", "tiles_html"]
