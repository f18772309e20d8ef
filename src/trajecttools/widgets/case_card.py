"""The case card of one client, opened explicitly in a meeting: phase timeline, ZRM over time,
ladder, open barriers and referrals, open agreements, last contacts and placement.

The card shows labels, dates and statuses only: no names, notes or other free text. It is the
only place where special-category ZRM and barrier domains appear, by their label.
"""

from __future__ import annotations

from collections.abc import Callable

import altair as alt
import ipywidgets as widgets
import pandas as pd

from trajecttools.core import vocab
from trajecttools.core.method import Words, builtin_methods
from trajecttools.outputs.report.document import esc
from trajecttools.reads.case.card import CaseFile
from trajecttools.widgets.overview_charts import INK, chart_svg, configure, empty_chart
from trajecttools.widgets.signal_table import (
    display_name,
    nowrap_dates,
    safe_message,
    severity_badge,
    sort_signals,
)
from trajecttools.widgets.toolkit import Status, button, date_html, days_text, guarded, show

ZRM_LINE = "#0b3d91"


def zrm_chart(zrm: pd.DataFrame, *, columns: int = 5) -> alt.FacetChart | alt.Chart:
    """Return the ZRM as small multiples: one panel a domain (all 13), score 1-5 over time."""
    if zrm.empty or zrm["score"].isna().all():
        return configure(empty_chart("Nog geen ZRM-meting."))
    data = pd.DataFrame({
        "date": pd.to_datetime(zrm["assessed_on"]),
        "domain": zrm["domain_label"].astype(str),
        "score": zrm["score"].astype("Float64").astype(float),
    })
    order = list(vocab.ZRM_DOMAINS.values())
    base = alt.Chart().encode(
        x=alt.X("date:T", title=None,
                axis=alt.Axis(format="%m-%Y", labelAngle=0, tickCount=3, labelFontSize=18,
                              labelOverlap=True)),
        y=alt.Y("score:Q", title=None, scale=alt.Scale(domain=[1, 5]),
                axis=alt.Axis(values=[1, 2, 3, 4, 5], labelFontSize=18)),
    )
    line = base.mark_line(color=ZRM_LINE, strokeWidth=3)
    points = base.mark_point(filled=True, size=140, color=ZRM_LINE)
    layered = alt.layer(line, points, data=data).properties(width=200, height=120)
    chart = layered.facet(
        facet=alt.Facet("domain:N", sort=order, title=None,
                        header=alt.Header(labelFontSize=18, labelFontWeight="bold",
                                          labelColor=INK, labelLimit=0,
                                          labelExpr="length(datum.label) > 18 ? "
                                                    "split(datum.label, ' ') : datum.label")),
        columns=columns,
    ).resolve_axis(x="independent")
    return configure(chart)


def _table(headers: list[str], rows: list[list[str]], empty: str) -> str:
    if not rows:
        return f'<p class="tt-note">{esc(empty)}</p>'
    head = "".join(f"<th>{esc(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>"
                   for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _section(title: str, content: str) -> str:
    return f'<section class="tt-card-section"><h3>{esc(title)}</h3>{content}</section>'


def timeline_html(card: CaseFile) -> str:
    """Return the phases the trajectory went through, oldest first, the current one marked."""
    steps = []
    last = len(card.phases) - 1
    for i, p in enumerate(card.phases.itertuples(index=False)):
        css = "tt-step tt-step-current" if i == last else "tt-step"
        duration = days_text(p.days)
        steps.append(
            f'<div class="{css}"><b>{esc(p.phase_label)}</b><br>vanaf {date_html(p.started_on)}'
            f'{"<br>" + duration if duration else ""}</div>'
        )
    if not steps:
        return '<p class="tt-note">Geen fasen vastgelegd.</p>'
    return '<div class="tt-timeline">' + '<span class="tt-arrow">→</span>'.join(steps) + "</div>"


def sections_html(card: CaseFile, signals: pd.DataFrame) -> str:
    """Return the card's facts as escaped HTML sections (labels, dates and statuses only)."""
    mine = sort_signals(signals[signals["trajectory_id"] == card.trajectory_id]) \
        if not signals.empty else signals
    signal_rows = [[severity_badge(s["severity"]), nowrap_dates(esc(safe_message(s)))]
                   for s in mine.to_dict("records")]
    barrier_rows = [
        [esc(b.domain_label), esc(b.severity_label), esc(b.status_label),
         esc(b.referral_status_label) or "geen"]
        for b in card.barriers.itertuples(index=False)
    ]
    agreement_rows = [
        [esc(a.who_label), date_html(a.due_on),
         '<span class="tt-overdue">te laat</span>' if a.overdue else "open"]
        for a in card.agreements.itertuples(index=False)
    ]
    contact_rows = [[date_html(c.held_on), esc(c.kind_label)]
                    for c in card.contacts.itertuples(index=False)]
    ladder_rows = [[date_html(s.assessed_on), f"{esc(s.rung)} — {esc(s.rung_label)}"]
                   for s in card.ladder.itertuples(index=False)]
    placement_rows = [
        [esc(p.kind_label), date_html(p.start_on), date_html(p.end_on) or "loopt",
         esc(p.sector_label)]
        for p in card.placements.itertuples(index=False)
    ]
    parts = [
        _section("Signalen", _table(["Ernst", "Waarom"], signal_rows, "Geen signalen.")),
        _section("Belemmeringen en doorverwijzingen",
                 _table(["Leefgebied", "Ernst", "Status", "Doorverwijzing"], barrier_rows,
                        "Geen open belemmeringen.")),
        _section("Open afspraken",
                 _table(["Wie", "Uiterlijk", "Stand"], agreement_rows, "Geen open afspraken.")),
        _section("Laatste contacten",
                 _table(["Datum", "Soort"], contact_rows, "Nog geen contacten.")),
        _section("Participatieladder",
                 _table(["Datum", "Trede"], ladder_rows, "Nog geen trede vastgelegd.")),
        _section("Plaatsing",
                 _table(["Soort", "Start", "Einde", "Sector"], placement_rows,
                        "Geen plaatsing.")),
    ]
    return ('<div class="tt-card-grid" style="display:grid;'
            'grid-template-columns:repeat(auto-fit,minmax(460px,1fr));gap:8px 28px;">'
            + "".join(parts) + "</div>")


class CaseCard(widgets.VBox):
    """The opened case card, with a button to close it again."""

    def __init__(self, status: Status, *, on_close: Callable[[], None] | None = None) -> None:
        self.status = status
        self._on_close = on_close
        self.card: CaseFile | None = None
        self.header = widgets.HTML(layout=widgets.Layout(flex="1 1 auto", width="auto"))
        self.close_button = button("Dossier sluiten", kind="danger", css="tt-close-case")
        self.close_button.on_click(guarded(status, "Dossier sluiten")(lambda _b: self.close_card()))
        top = widgets.HBox([self.header, self.close_button], layout=widgets.Layout(width="100%"))
        top.add_class("tt-card-top")
        self.timeline = widgets.HTML()
        self.sections = widgets.HTML()
        self.zrm_title = widgets.HTML("<h3>Zelfredzaamheid (ZRM) door de tijd</h3>")
        self.zrm = widgets.HTML()
        self.zrm.add_class("tt-chart")
        self.zrm.add_class("tt-zrm")
        super().__init__([top, self.timeline, self.sections, self.zrm_title, self.zrm])
        self.add_class("tt-case-card")
        self.add_class("tt-card")
        self.add_class("tt-panel")
        show(self, False)

    @property
    def is_open(self) -> bool:
        """Whether a card is shown."""
        return self.card is not None

    def show_card(self, card: CaseFile, signals: pd.DataFrame) -> None:
        """Show one client's card."""
        self.card = card
        method = builtin_methods().get(card.method)
        nobody = f"geen {method.words.coach if method is not None else Words().coach}"
        where = " · ".join(x for x in (esc(card.team), esc(card.coach)) if x) or nobody
        self.header.value = (
            f"<h2>Dossier {display_name(card.pseudonym, card.initials)}</h2>"
            f'<div class="tt-card-head">{esc(card.method_name)} — fase '
            f"<b>{esc(card.phase_label)}</b> — {where} — peildatum {date_html(card.as_of)}</div>"
        )
        self.timeline.value = _section("Fasen", timeline_html(card))
        self.sections.value = sections_html(card, signals)
        self.zrm.value = chart_svg(zrm_chart(card.zrm))
        show(self, True)

    def close_card(self) -> None:
        """Close the card: its content is removed from the page, not only hidden."""
        self.card = None
        self.header.value = ""
        self.timeline.value = ""
        self.sections.value = ""
        self.zrm.value = ""
        show(self, False)
        if self._on_close is not None:
            self._on_close()

