"""One step of the trainer's walkthrough: title, Dutch text, table, chart and report as HTML."""

from __future__ import annotations

import datetime as dt
import html
import re
from dataclasses import dataclass
from importlib import resources
from typing import Any

import pandas as pd

from trajecttools.outputs.report import REPORT_CSS
from trajecttools.outputs.report import charts as outcome_charts

#: The style of a step (package file ``step.css``).
STEP_CSS = resources.files("trajecttools.training").joinpath("step.css").read_text("utf-8")
DATE_CELL = re.compile(r"<td>(\d{2}-\d{2}-\d{4}(?: \d{2}:\d{2})?)</td>")


def nl_date(day: object) -> str:
    """Return a date as dd-mm-jjjj, or a dash when missing."""
    if day is None or pd.isna(day):  # type: ignore[call-overload]
        return "—"
    return pd.Timestamp(day).strftime("%d-%m-%Y")  # type: ignore[arg-type]


def svg(chart: Any) -> str:
    """Return a chart drawn as inline SVG with Dutch formats (no browser scripts, no network)."""
    return outcome_charts.to_bytes(outcome_charts.configure(chart, font_size=15), "svg").decode()



@dataclass(frozen=True)
class Step:
    """One step of a walkthrough, shown as HTML in Jupyter, Voilà and exported notebooks."""

    title: str
    text: str
    on: dt.date | None = None
    table: pd.DataFrame | None = None
    empty: str = ""
    chart_svg: str | None = None
    report_html: str | None = None
    report_title: str = "Rapportage"
    report_open: bool = True

    def _repr_html_(self) -> str:
        parts = [f"<style>{STEP_CSS}{REPORT_CSS}</style><div class='tt-step'>",
                 f"<h3>{html.escape(self.title)}</h3>"]
        if self.on is not None:
            parts.append(f"<p class='tt-step-date'>Datum: {nl_date(self.on)}</p>")
        parts.append(f"<p>{html.escape(self.text)}</p>")
        if self.table is not None:
            if len(self.table):
                table = self.table.to_html(index=False, escape=True, border=0, na_rep="—",
                                           classes="tt-step-table")
                parts.append(DATE_CELL.sub(r"<td class='tt-nowrap'>\1</td>", table))
            else:
                parts.append(f"<p class='tt-step-none'>{html.escape(self.empty)}</p>")
        if self.chart_svg:
            parts.append(f"<div class='tt-step-chart'>{self.chart_svg}</div>")
        if self.report_html:
            state = " open" if self.report_open else ""
            parts.append(f"<details{state}><summary>{html.escape(self.report_title)}</summary>"
                         f"{self.report_html}</details>")
        parts.append("</div>")
        return "".join(parts)

    def __repr__(self) -> str:
        return f"Step({self.title!r}, {nl_date(self.on)})"


__all__ = ["DATE_CELL", "STEP_CSS", "Step", "nl_date", "svg"]
