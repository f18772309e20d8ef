"""Every dashboard in real Voilà and Chromium on a demo register: nothing identifying reaches
the browser, neither on the page nor in any websocket message.

The forbidden values are read from the demo register itself (see ``privacy_values``): client
names, family names, BSNs, birth dates (dd-mm-jjjj and ISO), free-text notes and referral
agencies. Special-category domain labels (health, addiction, justice) may reach the MDO page
only after a case card is opened explicitly; the monitoring charts may name them as aggregates.
Screenshots go to ``artifacts/screenshots/privacy-*.png``.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from browser import SHOTS, Voila
from conftest import DEMO_AS_OF
from privacy_values import Forbidden, special_labels_in, unescape_json
from trajecttools.reads.matching import match
from trajecttools.workspace import Workspace

pytestmark = pytest.mark.browser

TIMEOUT = 180_000
PSEUDONYM = re.compile(r"K-\d{6}")


@dataclass
class Served:
    base: str
    token: str
    db: Path
    forbidden: Forbidden

    def page(self, name: str) -> str:
        return f"{self.base}/voila/render/{name}.ipynb?token={self.token}"


@dataclass
class Watch:
    """Everything a page received or sent over its websockets, as text."""

    frames: list[str] = field(default_factory=list)

    def attach(self, page: Any) -> None:
        def on_socket(ws: Any) -> None:
            ws.on("framereceived", self._add)
            ws.on("framesent", self._add)

        page.on("websocket", on_socket)

    def _add(self, payload: Any) -> None:
        if isinstance(payload, (bytes, bytearray)):
            payload = bytes(payload).decode("utf-8", "replace")
        self.frames.append(unescape_json(str(payload)))

    def text(self) -> str:
        return "\n".join(self.frames)


@pytest.fixture(scope="module")
def served(demo_server: Voila) -> Served:
    """The three dashboards (peildatum of the demo) served on the 300-trajectory demo register,
    with what they must never show."""
    with Workspace(demo_server.db, migrate=False) as store:
        forbidden = Forbidden.from_store(store)
    forbidden.check_size()
    return Served(demo_server.base, demo_server.token, demo_server.db, forbidden)


def _shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"privacy-{name}.png"))


def _page_text(page: Any) -> str:
    return page.inner_text("body") + "\n" + page.content()


def assert_clean(served: Served, text: str, where: str, *, labels: bool = False) -> None:
    leaks = served.forbidden.find(text)
    assert not leaks, f"{where}: {leaks[:10]}"
    if not labels:
        found = special_labels_in(text)
        assert not found, f"{where}: bijzondere categorie {found}"


def _open(page: Any, served: Served, name: str) -> tuple[Any, Watch]:
    watch = Watch()
    watch.attach(page)
    page.goto(served.page(name), wait_until="commit", timeout=TIMEOUT)
    return page, watch


def _opened_cases(served: Served) -> int:
    """Return how many case openings the audit log holds (read as stored)."""
    with sqlite3.connect(served.db) as con:
        row = con.execute("SELECT COUNT(*) FROM audit_log WHERE action = 'open_case'").fetchone()
    return int(row[0])


def _hide_and_check(page: Any, served: Served, name: str) -> None:
    """Click "Alles verbergen": nothing about a client stays on screen; "Tonen" restores."""
    page.locator(".tt-hide-all").click()
    page.locator(".tt-hidden-notice").wait_for(timeout=30_000)
    assert not page.locator(".tt-content").first.is_visible()
    visible = page.inner_text("body")
    assert "De gegevens zijn verborgen" in visible
    assert not PSEUDONYM.search(visible), visible[:500]
    assert not special_labels_in(visible)
    _shot(page, f"{name}-verborgen")
    page.locator(".tt-show-all").click()
    page.locator(".tt-content").first.wait_for(state="visible", timeout=30_000)


def test_mdo_shows_no_identities(served: Served, page: Any) -> None:
    page, watch = _open(page, served, "mdo")
    rows = page.locator(".tt-signal-row:visible")
    rows.first.wait_for(timeout=TIMEOUT)
    page.locator(".tt-chart svg .mark-rect path").first.wait_for(timeout=60_000)
    _shot(page, "mdo-overzicht")
    assert PSEUDONYM.search(watch.text()), "the websocket frames were not captured"
    assert_clean(served, _page_text(page), "MDO-pagina")
    assert_clean(served, watch.text(), "MDO-websocket")

    # filters: another team, then a coach
    page.locator(".tt-team-filter select").select_option(index=1)
    team = page.locator(".tt-team-filter select option").nth(1).inner_text().strip()
    page.locator(".tt-title", has_text=team).wait_for(timeout=30_000)
    page.locator(".tt-coach-filter select").select_option(index=1)
    coach = page.locator(".tt-coach-filter select option").nth(1).inner_text().strip()
    page.locator(".tt-title", has_text=coach).wait_for(timeout=30_000)
    page.wait_for_function(  # the list follows the filter (it may be empty for this coach)
        "coach => [...document.querySelectorAll('.tt-signal-row')]"
        ".filter(r => r.offsetParent !== null).every(r => r.innerText.includes(coach))",
        arg=coach, timeout=30_000)
    _shot(page, "mdo-gefilterd")
    assert_clean(served, _page_text(page), "MDO na filter")
    assert_clean(served, watch.text(), "MDO-websocket na filter")
    page.locator(".tt-team-filter select").select_option(index=0)
    page.locator(".tt-title", has_text="Alle teams").wait_for(timeout=30_000)
    page.locator(".tt-coach-filter select").select_option(index=0)
    rows.first.wait_for(timeout=30_000)

    # open a case explicitly: domain labels may show, never notes, names or agencies
    opened_before = _opened_cases(served)
    pseudonym = PSEUDONYM.search(rows.first.inner_text())
    assert pseudonym
    rows.first.locator(".tt-open-case").click()
    card = page.locator(".tt-case-card")
    card.locator("h2", has_text=pseudonym.group(0)).wait_for(timeout=30_000)
    card.locator(".tt-card-grid").wait_for(timeout=30_000)
    _shot(page, "mdo-dossier")
    assert_clean(served, _page_text(page), "MDO-dossier", labels=True)
    assert_clean(served, watch.text(), "MDO-websocket met dossier", labels=True)
    assert _opened_cases(served) == opened_before + 1  # the opening is in the audit log

    # closed again: the card's content is gone from the page, not only hidden
    page.locator(".tt-close-case").click()
    page.locator(".tt-case-card").wait_for(state="hidden", timeout=30_000)
    assert_clean(served, _page_text(page), "MDO na sluiten dossier")

    _hide_and_check(page, served, "mdo")
    page.close()


def test_matchtafel_shows_no_identities(served: Served, page: Any) -> None:
    page, watch = _open(page, served, "matchtafel")
    picker = page.locator(".tt-client-picker select")
    picker.wait_for(timeout=TIMEOUT)
    options = page.locator(".tt-client-picker select option")
    options.first.wait_for(state="attached", timeout=60_000)
    # the first client at the table has an allowed pair (which ones do depends on the demo)
    with Workspace(served.db, migrate=False, role="beheer", today=DEMO_AS_OF) as store:
        paired = set(match(store, as_of=DEMO_AS_OF)["pseudonym"])
    every = [options.nth(i).inner_text() for i in range(options.count())]
    first = next(i for i, label in enumerate(every)
                 if label.replace("\xa0", " ").split(" · ")[0] in paired)
    labels = every[first:first + 3]  # the list's order: the first chosen is shown first
    picker.select_option(label=labels)
    page.click(".tt-discuss")
    pseudonym = labels[0].replace("\xa0", " ").split(" · ")[0]
    page.locator(f".tt-pairs h2:has-text('{pseudonym}')").wait_for(timeout=60_000)
    page.locator(".tt-pairs .tt-pair-row:visible .tt-crit").first.wait_for(timeout=60_000)
    _shot(page, "matchtafel-aan-tafel")
    assert PSEUDONYM.search(watch.text())
    assert_clean(served, _page_text(page), "Matchtafel")
    assert_clean(served, watch.text(), "Matchtafel-websocket")

    # the assignment and a vacancy's candidates (all active clients)
    page.click(".tt-assign")
    page.locator(".tt-assignment table").wait_for(timeout=60_000)
    page.locator(".tt-pairs .tt-pair-row:visible .tt-flip").first.click()
    page.locator(".tt-pairs h2:has-text('Kandidaten voor')").wait_for(timeout=60_000)
    _shot(page, "matchtafel-kandidaten")
    assert_clean(served, _page_text(page), "Matchtafel kandidaten")
    assert_clean(served, watch.text(), "Matchtafel-websocket kandidaten")

    _hide_and_check(page, served, "matchtafel")
    page.close()


def test_monitoring_shows_no_identities(served: Served, page: Any) -> None:
    page, watch = _open(page, served, "monitoring")
    page.locator(".tt-monitoring").wait_for(timeout=TIMEOUT)
    page.locator(".tt-chart-flow svg .role-mark").first.wait_for(state="attached",
                                                                  timeout=TIMEOUT)
    _shot(page, "monitoring-totaal")
    text = _page_text(page)
    assert "Duurzaam" in text
    assert not PSEUDONYM.search(text) and not PSEUDONYM.search(watch.text())
    assert_clean(served, text, "Monitoring", labels=True)
    assert_clean(served, watch.text(), "Monitoring-websocket", labels=True)

    page.select_option(".tt-by select", label="Jobcoach")
    page.locator(".tt-status", has_text="Jobcoach").first.wait_for(timeout=120_000)
    page.locator(".tt-chart-flow svg .role-mark").first.wait_for(state="attached",
                                                                  timeout=TIMEOUT)
    _shot(page, "monitoring-jobcoach")
    text = _page_text(page)
    assert not PSEUDONYM.search(text) and not PSEUDONYM.search(watch.text())
    assert_clean(served, text, "Monitoring per jobcoach", labels=True)
    assert_clean(served, watch.text(), "Monitoring-websocket per jobcoach", labels=True)

    _hide_and_check(page, served, "monitoring")
    page.close()
