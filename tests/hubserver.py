"""A JupyterHub for tests: ``deploy/jupyterhub/jupyterhub_config.py`` on loopback ports, on a
PostgreSQL register of its own, with the shared-password login.

Used by ``tests/test_hub.py`` and ``benchmarks/bench_hub_load.py``. The hub is started the way
the deployment page says (``jupyterhub -f deploy/jupyterhub/jupyterhub_config.py`` with the
``TRAJECTTOOLS_HUB_*`` settings); the test's own config file only loads that file and adds an
API token for the test (a service with the right to start servers), so servers can be started
before the browser logs in.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, make_url, text

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy" / "jupyterhub"
CONFIG = DEPLOY / "jupyterhub_config.py"
PROXY = DEPLOY / "node_modules" / ".bin" / "configurable-http-proxy"
JUPYTERHUB = Path(sys.executable).parent / "jupyterhub"
PASSWORD = "proef-" + secrets.token_hex(8)
#: A service token may start, stop and read users' servers, and ask their dashboards' pools.
TEST_CONFIG = """
load_subconfig({config!r})
c.JupyterHub.services = [{{"name": "tt-test", "api_token": {token!r}}}]
c.JupyterHub.load_roles = [{{
    "name": "tt-test",
    "scopes": ["admin:users", "admin:servers", "list:users", "read:hub", "access:servers"],
    "services": ["tt-test"],
}}]
"""


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that is free now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def postgres_database(admin_url: str, name: str) -> Iterator[str]:
    """Create a fresh PostgreSQL database ``name`` (dropped first if left over); yield its URL;
    drop it afterwards (connections still open are ended)."""
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@dataclass
class Hub:
    """A running JupyterHub: where users browse, the test's API token, the register, the log."""

    base: str
    api_token: str
    db_url: str
    state: Path
    log: Path
    proc: subprocess.Popen[bytes] = field(repr=False)

    def url(self, path: str) -> str:
        """Return the address of ``path`` (``"hub/login"``, ``"user/jet/voila/tree"``)."""
        return f"{self.base}/{path.lstrip('/')}"

    def render(self, user: str, notebook: str) -> str:
        """Return the address of a notebook rendered by the trajecttools Voilà of a user."""
        return self.url(f"user/{user}/trajecttools/voila/render/{notebook}")

    def pools(self, user: str) -> dict[str, Any]:
        """Return the preheated kernels of a user's dashboards (``/trajecttools/api/pools``)."""
        request = urllib.request.Request(
            self.url(f"user/{user}/trajecttools/trajecttools/api/pools"),
            headers={"Authorization": f"token {self.api_token}"})
        with urllib.request.urlopen(request, timeout=120) as answer:
            return dict(json.loads(answer.read()))

    def wait_pools(self, users: list[str], timeout: float = 300.0) -> None:
        """Wait until every user's preheated kernels are ready (or fail with the hub's log)."""
        deadline = time.monotonic() + timeout
        waiting = set(users)
        while waiting and time.monotonic() < deadline:
            for user in sorted(waiting):
                try:
                    states = self.pools(user)
                except (urllib.error.URLError, OSError):
                    continue
                if states and all(p["ready"] == p["size"] for p in states.values()):
                    waiting.discard(user)
            if waiting:
                time.sleep(1)
        if waiting:
            raise AssertionError(f"dashboards not preheated: {sorted(waiting)}\n"
                                 f"{self.log_text()[-4000:]}")

    def api(self, method: str, path: str, body: Mapping[str, Any] | None = None) -> Any:
        """Call the hub's REST API with the test's token; return the decoded answer (or None)."""
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(
            self.url(f"hub/api/{path.lstrip('/')}"), data=data, method=method,
            headers={"Authorization": f"token {self.api_token}",
                     "Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=60) as answer:
            payload = answer.read()
        return json.loads(payload) if payload else None

    def start_servers(self, users: list[str]) -> None:
        """Create the users (if new) and ask the hub to start their servers (all at once)."""
        existing = {u["name"] for u in self.api("GET", "users")}
        new = [u for u in users if u not in existing]
        if new:
            self.api("POST", "users", {"usernames": new})
        for user in users:
            try:
                self.api("POST", f"users/{user}/server")
            except urllib.error.HTTPError as exc:
                if exc.code != 400:  # 400: already running
                    raise

    def wait_ready(self, users: list[str], timeout: float = 240.0) -> None:
        """Wait until every user's server runs (or fail with the hub's log)."""
        deadline = time.monotonic() + timeout
        waiting = set(users)
        while waiting and time.monotonic() < deadline:
            for user in sorted(waiting):
                info = self.api("GET", f"users/{user}")
                server = (info.get("servers") or {}).get("", {})
                if server.get("ready"):
                    waiting.discard(user)
            if waiting:
                if self.proc.poll() is not None:
                    break
                time.sleep(0.5)
        if waiting:
            raise AssertionError(f"servers not ready: {sorted(waiting)}\n{self.log_text()[-4000:]}")

    def log_text(self) -> str:
        """Return what the hub (and the users' servers) wrote so far."""
        return self.log.read_text("utf-8", errors="replace")


def _hub_answers(url: str) -> bool:
    """Tell whether the hub answers through the proxy (the proxy alone answers 404)."""
    try:
        with urllib.request.urlopen(url, timeout=5) as answer:
            return "version" in json.loads(answer.read())
    except (urllib.error.URLError, ConnectionError, TimeoutError, ValueError):
        return False


def _stop(proc: subprocess.Popen[bytes], state: Path) -> None:
    """Stop the hub; it stops the users' servers and the proxy. A proxy left running (a hub
    stopped before it finished starting) is stopped by the pid in its pid file."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)  # the session started for this hub only
        proc.wait()
    pid_file = state / "jupyterhub-proxy.pid"
    try:
        pid = int(pid_file.read_text().strip())
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except (OSError, ValueError):
        return
    if str(PROXY.parent.parent).encode() in cmdline or b"configurable-http-proxy" in cmdline:
        os.kill(pid, signal.SIGTERM)  # our own proxy, named in our hub's state folder


@contextmanager
def run_hub(db_url: str, pages: Path, workdir: Path, *, env: Mapping[str, str] | None = None,
            timeout: float = 120.0) -> Iterator[Hub]:
    """Run JupyterHub with the deployment config on free loopback ports until the block ends.

    ``pages`` holds the ``dashboards/`` and ``notebooks/`` every user gets; ``env`` adds to the
    hub's environment (a test sets ``TRAJECTTOOLS_ROLE`` there to show it never reaches a user).
    """
    if not PROXY.exists():
        raise AssertionError(f"{PROXY} ontbreekt: installeer de proxy met 'make hub'")
    token = secrets.token_hex(32)
    config = workdir / "hub_test_config.py"
    config.write_text(TEST_CONFIG.format(config=str(CONFIG), token=token), "utf-8")
    port = free_port()
    hub_env = {
        **os.environ,
        "TRAJECTTOOLS_DATABASE_URL": db_url,
        "TRAJECTTOOLS_HUB_PORT": str(port),
        "TRAJECTTOOLS_HUB_API_PORT": str(free_port()),
        "TRAJECTTOOLS_HUB_PROXY_API_PORT": str(free_port()),
        "TRAJECTTOOLS_HUB_STATE": str(workdir / "state"),
        "TRAJECTTOOLS_HUB_PAGES": str(pages),
        "TRAJECTTOOLS_HUB_PASSWORD": PASSWORD,
        **(env or {}),
    }
    log = workdir / "jupyterhub.log"
    with log.open("wb") as out:
        proc = subprocess.Popen([str(JUPYTERHUB), "-f", str(config)], env=hub_env, cwd=workdir,
                                stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    hub = Hub(f"http://127.0.0.1:{port}", token, db_url, workdir / "state", log, proc)
    try:
        deadline = time.monotonic() + timeout
        while not _hub_answers(hub.url("hub/api")):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"JupyterHub did not start: {hub.log_text()[-4000:]}")
            time.sleep(0.3)
        yield hub
    finally:
        _stop(proc, workdir / "state")


def login(page: Any, hub: Hub, user: str, timeout: float = 180_000) -> None:
    """Log in through the hub's login form (shared password) and wait for the user's server."""
    page.goto(hub.url("hub/login"))
    page.fill("#username_input", user)
    page.fill("#password_input", PASSWORD)
    page.click("#login_submit")
    page.wait_for_url(f"**/user/{user}/**", timeout=timeout)


__all__ = ["CONFIG", "DEPLOY", "PASSWORD", "PROXY", "Hub", "login", "postgres_database",
           "run_hub"]
