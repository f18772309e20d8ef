"""Browser test plumbing: Voilà servers on free loopback ports and one headless Chromium.

Registered as a pytest plugin by ``conftest.py``. A server is started the way an organisation
starts it (``trajecttools serve``: read models warmed, safe Voilà settings, a token) and is
ready when it prints "klaar" (every dashboard's preheated kernel waits for a visitor); Chromium
is launched once for a run of browser tests and every test
gets a fresh page in a fresh context. Servers that serve the same register are shared by the
test files (``demo_server``). Browser tests run in one pytest-xdist group, so they share one
Chromium and the servers also when the suite runs on several workers.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from conftest import DEMO_AS_OF
from trajecttools.serving import READY_TEXT
from trajecttools.voila_server import POOLS_PATH

ROOT = Path(__file__).resolve().parents[1]
DASHBOARDS = ROOT / "dashboards"
NOTEBOOKS = ROOT / "notebooks"
SHOTS = ROOT / "artifacts" / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
#: How long a server may take to answer: it warms the read models of a large register first.
READY_TIMEOUT = 300.0
#: ms: a cold Voilà kernel with pandas and widgets renders a form notebook.
RENDER_TIMEOUT = 120_000
#: ms: one click or field on a rendered page.
ACTION_TIMEOUT = 30_000
#: The default page: a projected meeting screen.
VIEWPORT = {"width": 1920, "height": 1080}
#: pytest-xdist group of a browser test module (+ its name): its module-wide servers on one
#: worker; the modules are spread over the workers (each worker starts its own Chromium).
XDIST_GROUP = "browser"
BINDER_GROUP = "binder"
NO_CHROMIUM = f"Chromium ontbreekt ({CHROMIUM}): installeer het pakket 'chromium'"


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that is free now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Voila:
    """A running Voilà server: its address, token, register and log."""

    base: str
    token: str
    db: Path
    log: Path
    proc: subprocess.Popen[bytes] = field(repr=False)
    #: The pool states (``/trajecttools/api/pools``) seen while waiting for "klaar", in order.
    pools_before_ready: list[dict[str, Any]] = field(default_factory=list, repr=False)
    #: The pool states asked right after "klaar" was printed.
    pools_at_ready: dict[str, Any] = field(default_factory=dict, repr=False)

    def url(self, path: str = "", **query: str) -> str:
        """Return the address of ``path`` on the server, token (and ``query``) included."""
        extra = "".join(f"&{k}={v}" for k, v in query.items())
        return f"{self.base}/{path}?token={self.token}{extra}"

    def render(self, notebook: str) -> str:
        """Return the address of a rendered notebook (``"mdo.ipynb"``)."""
        return self.url(f"voila/render/{notebook}")

    def log_text(self) -> str:
        """Return what the server wrote so far."""
        return self.log.read_text("utf-8", errors="replace")

    def pools(self) -> dict[str, Any] | None:
        """Return the server's pool states, or None while it does not answer."""
        try:
            with urllib.request.urlopen(self.url(POOLS_PATH.lstrip("/")), timeout=5) as answer:
                return json.loads(answer.read())  # type: ignore[no-any-return]
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            return None


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """Stop ``trajecttools serve`` (it stops Voilà and its kernels on SIGTERM)."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)  # the session started for this server only
        proc.wait()


def _start(db: Path, folder: Path, workdir: Path, env: Mapping[str, str],
           timeout: float) -> Voila:
    port, token = free_port(), secrets.token_urlsafe(16)
    log = workdir / f"voila-{port}.log"
    cmd = [sys.executable, "-m", "trajecttools.cli", "serve", "--db", f"sqlite:///{db}",
           "--dir", str(folder), "--port", str(port), f"--token={token}"]
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, env={**os.environ, **env}, stdout=out,
                                stderr=subprocess.STDOUT, cwd=workdir, start_new_session=True)
    server = Voila(f"http://127.0.0.1:{port}", token, db, log, proc)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return server  # the caller reads the log
        if READY_TEXT in server.log_text():
            server.pools_at_ready = server.pools() or {}
            return server
        pools = server.pools()
        if pools is not None:
            server.pools_before_ready.append(pools)
        time.sleep(0.3)
    _stop(proc)
    raise AssertionError(f"Voilà werd niet klaar binnen {timeout:.0f} s: "
                         f"{server.log_text()[-3000:]}")


@contextmanager
def serve_voila(db: Path, folder: Path, workdir: Path, *, env: Mapping[str, str] | None = None,
                timeout: float = READY_TIMEOUT) -> Iterator[Voila]:
    """Serve a folder of notebooks on a SQLite register with ``trajecttools serve``.

    The server listens on a free port of 127.0.0.1 and is ready (it printed "klaar": every
    preheated kernel waits for a visitor) when the block starts; it is stopped, kernels
    included, when the block ends. ``env`` adds variables for
    the kernels (``TRAJECTTOOLS_USER``, ``TRAJECTTOOLS_ROLE``).
    """
    for _attempt in range(3):  # another process may take the free port before Voilà binds it
        server = _start(db, folder, workdir, env or {}, timeout)
        if server.proc.poll() is None:
            break
        text = server.log_text()
        if "already in use" not in text:
            raise AssertionError(f"Voilà stopte: {text[-3000:]}")
    else:
        raise AssertionError(f"Geen vrije poort voor Voilà: {server.log_text()[-3000:]}")
    try:
        yield server
    finally:
        _stop(server.proc)


def copy_notebooks(source: Path, target: Path, names: Iterable[str],
                   parameters: Callable[[list[str]], list[str]] | None = None) -> Path:
    """Copy notebooks (and ``voila.json``) to ``target``; ``parameters`` rewrites the lines
    of each notebook's cell tagged ``parameters``. Return ``target``."""
    target.mkdir(parents=True, exist_ok=True)
    for name in names:
        nb = json.loads((source / name).read_text("utf-8"))
        for cell in nb["cells"]:
            if parameters and "parameters" in cell.get("metadata", {}).get("tags", []):
                cell["source"] = parameters(list(cell["source"]))
        (target / name).write_text(json.dumps(nb), "utf-8")
    if (source / "voila.json").exists():
        shutil.copy(source / "voila.json", target / "voila.json")
    return target


def pinned_as_of(day: str) -> Callable[[list[str]], list[str]]:
    """Return a ``parameters`` rewrite that sets ``as_of`` to a dd-mm-jjjj date."""
    def rewrite(lines: list[str]) -> list[str]:
        return [f'as_of = "{day}"\n' if line.startswith("as_of =") else line
                for line in lines]
    return rewrite


def shot_form(page: Any, name: str) -> None:
    """Save the whole form at 1280 wide in ``artifacts/screenshots/`` (Voilà scrolls inside a
    container, so the viewport is made as tall as the content for the shot, then set back to
    1280×800)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    height = page.evaluate(
        "Math.max(...[...document.querySelectorAll('body, body *')].map(e => e.scrollHeight))")
    page.set_viewport_size({"width": 1280, "height": min(int(height) + 40, 10_000)})
    page.screenshot(path=str(SHOTS / name))
    page.set_viewport_size({"width": 1280, "height": 800})


class Chromium:
    """One headless Chromium for consecutive browser tests, started at first use.

    Playwright's sync API keeps its event loop marked as running between calls, which breaks
    ``asyncio`` in other tests (notebook kernels); so Chromium is stopped as soon as the next
    test is not a browser test (``pytest_runtest_teardown``), and started again if needed.
    """

    def __init__(self) -> None:
        self._playwright: Any = None
        self._browser: Any = None

    def get(self) -> Any:
        """Return the running browser, launching it first if needed."""
        if self._browser is None:
            sync_api = pytest.importorskip("playwright.sync_api")
            if not CHROMIUM.exists():
                pytest.skip(NO_CHROMIUM)
            self._playwright = sync_api.sync_playwright().start()
            self._browser = self._playwright.chromium.launch(
                executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        return self._browser

    def stop(self) -> None:
        """Close the browser and Playwright (nothing when not running)."""
        if self._browser is not None:
            self._browser.close()
            self._browser = None
        if self._playwright is not None:
            self._playwright.stop()
            self._playwright = None


_CHROMIUM = Chromium()


def uses_browser(item: pytest.Item | None) -> bool:
    """Tell whether a test is a browser test (marked ``browser`` or using the browser)."""
    if item is None:
        return False
    return (item.get_closest_marker("browser") is not None
            or "browser" in getattr(item, "fixturenames", ()))


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Keep each browser test module on one xdist worker (its module-wide servers, such as the
    hub of ``test_hub.py`` on its own database, start once), and the modules that use the shared
    ``demo_server`` together on one; the groups are spread over the workers; the Binder build,
    which takes minutes, in a group of its own.

    It runs first: pytest-xdist reads the groups in its own hook of the same name, and a
    group added after that is ignored.
    """
    for item in items:
        if item.get_closest_marker("binder") is not None:
            item.add_marker(pytest.mark.xdist_group(BINDER_GROUP))
        elif uses_browser(item) and "demo_server" in getattr(item, "fixturenames", ()):
            # one group for the modules on the shared demo server: it starts once, not per worker
            item.add_marker(pytest.mark.xdist_group(f"{XDIST_GROUP}-demo_server"))
        elif uses_browser(item):
            module = item.module.__name__ if item.module is not None else item.nodeid
            item.add_marker(pytest.mark.xdist_group(f"{XDIST_GROUP}-{module}"))


@pytest.hookimpl(trylast=True)
def pytest_collection_finish(session: pytest.Session) -> None:
    """Stop the run when pytest-xdist has not taken the groups (``--dist loadgroup``).

    pytest-xdist marks a grouped test by a ``@group`` suffix on its node id; a pytest it does
    not fit (9.2, pytest-xdist#1386) drops the suffix without a word, and the tests of one
    browser module are then spread over the workers: two workers start the same module-wide
    servers (one JupyterHub dropping the other's register). Better no run than that one.
    """
    if not (os.environ.get("PYTEST_XDIST_WORKER") and session.config.getvalue("loadgroup")):
        return
    lost = [item.nodeid for item in session.items
            if item.get_closest_marker("xdist_group") is not None and "@" not in item.nodeid]
    if lost:
        message = (
            f"pytest-xdist heeft de groepen niet overgenomen ({len(lost)} tests, bv. {lost[0]}): "
            "browsertests zouden over de workers verspreid raken. Gebruik een pytest die bij "
            "pytest-xdist past (pyproject.toml: pytest<9.2).")
        print(message, file=sys.stderr, flush=True)  # a worker's error shows only as a crash
        raise pytest.UsageError(message)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    """Stop Chromium after the last of a run of browser tests (after its pages are closed)."""
    try:
        return (yield)
    finally:
        if uses_browser(item) and not uses_browser(nextitem):
            _CHROMIUM.stop()


@pytest.fixture
def browser() -> Any:
    """The headless Chromium of this run of browser tests (launched once, shared)."""
    return _CHROMIUM.get()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh page (own context: no cookies or storage of other tests) at 1920×1080 that
    accepts downloads; closed after the test."""
    context = browser.new_context(viewport=VIEWPORT, accept_downloads=True)
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture(scope="session")
def demo_server(demo_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Voila]:
    """The three dashboards (peildatum of the demo) served on a copy of the demo register.

    Shared by the MDO and privacy browser tests; tests that write (open a case, shut a kernel
    down) compare counts before and after, not absolute numbers.
    """
    tmp = tmp_path_factory.mktemp("demo-server")
    db = tmp / "demo.db"
    shutil.copy(demo_db, db)
    folder = copy_notebooks(DASHBOARDS, tmp / "dashboards",
                            ["mdo.ipynb", "matchtafel.ipynb", "monitoring.ipynb"],
                            pinned_as_of(f"{DEMO_AS_OF:%d-%m-%Y}"))
    with serve_voila(db, folder, tmp) as server:
        yield server
