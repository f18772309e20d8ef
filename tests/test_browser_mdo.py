"""The MDO dashboard in real Chromium, served by ``trajecttools.serving`` on a demo register.

Screenshots go to ``artifacts/screenshots/`` (kept by CI). The page must work offline: no
request leaves 127.0.0.1, and the console shows no errors at all.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from conftest import real_console_errors
from trajecttools.workspace import Workspace

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
DASHBOARDS = ROOT / "dashboards"
SHOTS = ROOT / "artifacts" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
DEMO_AS_OF = dt.date(2026, 11, 2)
#: Generous: CI machines are slow and a kernel may still be warming up.
PAGE_TIMEOUT_MS = 180_000
SERVE = ("import sys; from trajecttools.serving import serve; "
         "sys.exit(serve(sys.argv[1], dashboards_dir=sys.argv[2], port=int(sys.argv[3]), "
         "token=sys.argv[4]))")


@dataclass
class Server:
    base: str
    token: str
    log: Path
    names: list[str]
    bsns: list[str]
    proc: subprocess.Popen[bytes] = field(repr=False)

    def url(self, path: str = "voila/render/mdo.ipynb", **query: str) -> str:
        extra = "".join(f"&{k}={v}" for k, v in query.items())
        return f"{self.base}/{path}?token={self.token}{extra}"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_until_up(server: Server, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.proc.poll() is not None:
            raise RuntimeError(f"server stopped: {server.log.read_text('utf-8')[-2000:]}")
        try:
            with urllib.request.urlopen(server.url("voila/api/themes/"), timeout=5):
                return
        except urllib.error.HTTPError:
            return  # it answers
        except OSError:
            time.sleep(0.5)
    raise TimeoutError("Voilà did not start")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A Voilà server started by ``serving.serve`` on a 300-trajectory demo register."""
    from trajecttools.outputs import demo

    folder = tmp_path_factory.mktemp("browser")
    db = folder / "demo.db"
    with Workspace(db, actor="demo", today=DEMO_AS_OF, role="beheer") as store:
        demo.build(store, size=300, seed=7, as_of=DEMO_AS_OF)
        store.set_info("synthetic", "true")
        clients = store.frame("clients")
    names = [f"{g} {f}" for g, f in zip(clients["given_name"], clients["family_name"],
                                        strict=True)]
    bsns = [str(b) for b in clients["bsn"].dropna()]
    port, token = _free_port(), secrets.token_urlsafe(16)
    log = folder / "server.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-c", SERVE, f"sqlite:///{db}", str(DASHBOARDS), str(port), token],
            stdout=out, stderr=subprocess.STDOUT, cwd=ROOT, start_new_session=True,
        )
    srv = Server(f"http://127.0.0.1:{port}", token, log, names, bsns, proc)
    try:
        _wait_until_up(srv)
        yield srv
    finally:
        proc.send_signal(signal.SIGTERM)  # serve() stops Voilà and its kernels
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)  # the session started above, nothing else
            proc.wait()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} ontbreekt")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


def _shot(target: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    target.screenshot(path=str(SHOTS / name))


def _visible_rows(page: Any) -> Any:
    return page.locator(".tt-signal-row:visible")


def test_mdo_dashboard_in_chromium(server: Server, browser: Any) -> None:
    page = browser.new_page(viewport={"width": 1920, "height": 1080})
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

    log = server.log.read_text("utf-8", errors="replace")
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
