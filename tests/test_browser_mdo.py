"""The MDO dashboard in real Chromium, served by ``trajecttools.serving`` on a demo register.

Screenshots go to ``artifacts/screenshots/`` (kept by CI). The page must work offline: no
request leaves 127.0.0.1, and the console shows no errors at all.
"""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

import pytest

from browser import SHOTS, Voila
from conftest import real_console_errors
from trajecttools.workspace import Workspace

pytestmark = pytest.mark.browser

#: Generous: CI machines are slow and a kernel may still be warming up.
PAGE_TIMEOUT_MS = 180_000


@dataclass
class Server:
    """The shared demo server, and the names and BSNs of its register (never on the page)."""

    voila: Voila
    names: list[str]
    bsns: list[str]

    @property
    def base(self) -> str:
        return self.voila.base

    @property
    def token(self) -> str:
        return self.voila.token

    def url(self, path: str = "voila/render/mdo.ipynb", **query: str) -> str:
        return self.voila.url(path, **query)


@pytest.fixture(scope="module")
def server(demo_server: Voila) -> Server:
    """The dashboards served by ``trajecttools serve`` on the 300-trajectory demo register."""
    with Workspace(demo_server.db, role="beheer", migrate=False) as store:
        clients = store.frame("clients")
    names = [f"{g} {f}" for g, f in zip(clients["given_name"], clients["family_name"],
                                        strict=True)]
    bsns = [str(b) for b in clients["bsn"].dropna()]
    return Server(demo_server, names, bsns)


def _shot(target: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    target.screenshot(path=str(SHOTS / name))


def _visible_rows(page: Any) -> Any:
    return page.locator(".tt-signal-row:visible")


def test_mdo_dashboard_in_chromium(server: Server, page: Any) -> None:
    errors: list[str] = []
    outside: list[str] = []

    def on_console(msg: Any) -> None:
        if msg.type == "error":
            errors.append(msg.text)

    def on_request(request: Any) -> None:
        if not request.url.startswith((server.base, "data:", "blob:")):
            outside.append(request.url)

    page.on("console", on_console)
    page.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))
    page.on("request", on_request)

    page.goto(server.url(), wait_until="commit", timeout=PAGE_TIMEOUT_MS)
    page.locator(".tt-signals").wait_for(timeout=PAGE_TIMEOUT_MS)
    rows = _visible_rows(page)
    rows.first.wait_for(timeout=PAGE_TIMEOUT_MS)
    assert rows.count() >= 3
    assert re.search(r"\b(HOOG|MIDDEL|LAAG)\b", rows.first.inner_text())
    bars = page.locator(".tt-chart svg .mark-rect path")
    bars.first.wait_for(timeout=60_000)
    assert bars.count() >= 3  # phase funnel and caseload drawn
    _shot(page, "mdo-1920x1080-overview.png")
    page.set_viewport_size({"width": 1280, "height": 800})
    page.wait_for_timeout(300)  # layout only
    _shot(page, "mdo-1280x800-overview.png")
    page.set_viewport_size({"width": 1920, "height": 1080})

    # The coach filter: pick the first coach and wait for the table to follow.
    select = page.locator(".tt-coach-filter select")
    coach = select.locator("option").nth(1).inner_text().replace("\xa0", " ").strip()
    select.select_option(index=1)
    page.locator(".tt-title", has_text=coach).wait_for(timeout=30_000)
    page.wait_for_function(
        "coach => [...document.querySelectorAll('.tt-signal-row')]"
        ".filter(r => r.offsetParent !== null)"
        ".every(r => r.innerText.includes(coach))", arg=coach, timeout=30_000)
    assert rows.count() >= 1

    # Open the first case: its card shows the same pseudonym, charts included.
    first = rows.first.inner_text()
    pseudonym = first.split("·")[0].split()[-1]
    rows.first.locator(".tt-open-case").click()
    card = page.locator(".tt-case-card")
    card.locator("h2", has_text=pseudonym).wait_for(timeout=30_000)
    assert card.locator(".tt-timeline").count() == 1
    _shot(page, "mdo-1920x1080-card.png")
    if card.locator(".tt-zrm svg").count():
        assert card.locator(".tt-zrm svg .mark-line path, .tt-zrm svg .mark-symbol path").count()
    page.set_viewport_size({"width": 1920, "height": 2000})  # the whole card, ZRM included
    page.wait_for_timeout(300)
    card.screenshot(path=str(SHOTS / "mdo-card-full.png"))

    page.set_viewport_size({"width": 1280, "height": 800})
    page.wait_for_timeout(300)  # layout only; the data is there already
    _shot(page, "mdo-1280x800-card.png")
    page.locator(".tt-close-case").click()
    rows.first.wait_for(timeout=30_000)
    _shot(page, "mdo-1280x800-filtered.png")

    # Agenda, then "Alles verbergen" when a visitor walks in.
    rows.first.locator(".tt-agenda-toggle").click()
    page.locator(".tt-agenda .tt-agenda-item").first.wait_for(timeout=30_000)
    page.locator(".tt-hide-all").click()
    page.locator(".tt-hidden-notice").wait_for(timeout=30_000)
    assert not page.locator(".tt-content").is_visible()
    assert page.locator(".tt-signal-row:visible").count() == 0
    _shot(page, "mdo-hidden.png")
    page.locator(".tt-show-all").click()
    rows.first.wait_for(timeout=30_000)

    # Privacy: no real names, BSNs or sources anywhere in the page.
    text = page.locator("body").inner_text()
    html = page.content()
    leaked = [n for n in server.names if n in text or n in html]
    assert not leaked, leaked[:5]
    leaked_bsn = [b for b in server.bsns if re.search(rf"(?<!\d){b}(?!\d)", text + html)]
    assert not leaked_bsn, leaked_bsn[:5]
    assert "wait_for_request" not in html and "from trajecttools" not in html  # sources stripped

    assert not outside, f"requests outside the server: {outside}"
    assert not real_console_errors(errors), errors

    # The kernel goes away (shut down here): the room sees a clear banner, not a frozen page.
    kernel = page.evaluate(
        "JSON.parse(document.getElementById('jupyter-config-data').textContent).kernelId")
    request = urllib.request.Request(f"{server.base}/api/kernels/{kernel}?token={server.token}",
                                     method="DELETE")
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 204
    banner = page.locator("#tt-disconnected")
    banner.wait_for(timeout=30_000)
    assert "Verbinding met de server verbroken" in banner.inner_text()
    _shot(page, "mdo-disconnected.png")
    page.close()

    log = server.voila.log_text()
    assert "Kernel pool of mdo.ipynb is filled" in log
    assert "Using pre-heated kernel" in log


def _get(url: str) -> tuple[int, str, str]:
    """Return status, final address and body of a GET (errors included)."""
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.url, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return exc.code, url, exc.read().decode("utf-8", "replace")


def test_server_requires_the_token_and_ignores_template_switches(server: Server) -> None:
    for path in ("voila/render/mdo.ipynb", ""):
        status, final_url, body = _get(f"{server.base}/{path}")
        assert status in (401, 403) or final_url.split("?")[0].endswith("/login"), final_url
        assert "tt-signals" not in body
    url = server.url(template="classic", theme="dark")
    with urllib.request.urlopen(url, timeout=PAGE_TIMEOUT_MS / 1000) as response:
        body = response.read().decode("utf-8", errors="replace")
    assert "ttShowDisconnected" in body  # still the trajecttools template
    assert 'data-jp-theme-light="true"' in body
    assert "wait_for_request" not in body and "Traceback" not in body
