"""Serving the dashboards with Voilà, safely by default, and "klaar" only when they are.

The server binds to this computer only (127.0.0.1) and always asks for a token (a new one is
made when none is given); notebook sources are stripped, tracebacks hidden, template and theme
cannot be switched from the address bar, kernels of closed tabs are culled after an hour, and a
preheated kernel waits for the next visitor (``voila.json`` in the dashboards folder). The pool
is refilled 5 s after a visitor took its kernel (``fill_delay``), so the new kernel's start-up
does not compete with that visitor's page on a 2-core machine; a visitor within those seconds
gets a Dutch "even geduld" page until the refill is ready. Kernels find the register through
``TRAJECTTOOLS_DATABASE_URL``.

Voilà runs in a child process (:mod:`trajecttools.voila_server`) that watches its kernel pools:
it prints the progress ("Dashboards voorbereiden: MDO ✓, Matchtafel …") and the address only
when every dashboard's preheated kernel has run its notebook up to the wait for a visitor; a
dashboard that fails to preheat stops the server with a Dutch message and exit code 1.
"""

from __future__ import annotations

import ipaddress
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sqlalchemy.engine import make_url

from trajecttools.core.errors import TrajecttoolsError
from trajecttools.register.database import ENV_URL

#: The Voilà template shipped with the package (no CDN, Dutch loading text, lost-connection
#: banner); found through ``JUPYTER_PATH``.
TEMPLATE = "trajecttools"
#: An hour: a dashboard left open in a long meeting keeps its kernel; closed tabs are culled.
CULL_IDLE_TIMEOUT = 3600
CULL_INTERVAL = 300
DEFAULT_DASHBOARDS = "dashboards"
MAIN_DASHBOARD = "mdo.ipynb"
#: The module that runs Voilà and watches its kernel pools.
SERVER_MODULE = "trajecttools.voila_server"
#: The line that tells the dashboards are ready (scripts and tests wait for it).
READY_TEXT = "De dashboards staan klaar op"


class ServingError(TrajecttoolsError):
    """The dashboards cannot be served as asked (message in Dutch)."""


def jupyter_data_dir() -> Path:
    """Return the package's Jupyter data folder (holds the Voilà template)."""
    return Path(str(resources.files("trajecttools") / "jupyter"))


def is_loopback(ip: str) -> bool:
    """Tell whether an address only accepts connections from this computer."""
    if ip.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(ip.strip().strip("[]")).is_loopback
    except ValueError:
        return False


def check_bind(ip: str, token: str | None, allow_remote: bool) -> None:
    """Refuse a non-loopback address unless a token is given or remote access is allowed."""
    if is_loopback(ip):
        return
    if token is None and not allow_remote:
        raise ServingError(
            f"Weigering: het adres {ip} is bereikbaar vanaf andere computers. Geef een eigen "
            "toegangstoken (--token) of sta dit uitdrukkelijk toe met --allow-remote (alleen "
            "achter een beveiligde proxy of JupyterHub). Zonder die keuze draait het dashboard "
            "alleen op 127.0.0.1."
        )


#: Seconds Voilà waits for a cell's last output once the kernel has said the cell is done
#: (nbclient's default 4 s): on a busy server the page's widgets could arrive later than that and
#: be dropped, leaving a visitor in front of a page that never shows (seen in the soak test).
IOPUB_TIMEOUT = 60

#: JupyterLab extensions installed beside Voilà that a dashboard page must not load (the
#: proxy's launcher needs JupyterLab's file browser: an error in every page's console).
LAB_EXTENSIONS_OFF = ("@jupyterhub/jupyter-server-proxy",)


def safe_options(cull_idle_timeout: int = CULL_IDLE_TIMEOUT) -> list[str]:
    """Return Voilà's safe settings as command-line options (template, no sources, no
    tracebacks, no template or theme switch from the URL, kernels idle for
    ``cull_idle_timeout`` seconds culled, JupyterLab-only extensions left out, a page's last
    output waited for up to :data:`IOPUB_TIMEOUT` seconds).

    The same options configure the preheated Voilà in a JupyterHub user's server
    (:func:`hub_app`).
    """
    return [
        f"--VoilaConfiguration.template={TEMPLATE}",
        "--VoilaConfiguration.strip_sources=True",
        "--VoilaConfiguration.show_tracebacks=False",
        "--VoilaConfiguration.allow_template_override=NO",
        "--VoilaConfiguration.allow_theme_override=NO",
        f"--MappingKernelManager.cull_idle_timeout={int(cull_idle_timeout)}",
        f"--MappingKernelManager.cull_interval={cull_interval(cull_idle_timeout)}",
        *(f"--VoilaConfiguration.extension_denylist={name}" for name in LAB_EXTENSIONS_OFF),
        f"--VoilaExecutor.iopub_timeout={IOPUB_TIMEOUT}",
    ]


def build_command(
    dashboards_dir: str | os.PathLike[str],
    *,
    port: int = 8866,
    ip: str = "127.0.0.1",
    token: str | None = None,
    open_browser: bool = False,
    cull_idle_timeout: int = CULL_IDLE_TIMEOUT,
) -> list[str]:
    """Return the command line that serves a dashboards folder with Voilà and safe settings.

    ``token`` None leaves Voilà without a login: :func:`serve` always passes one. The browser
    (``open_browser``) is opened when the dashboards are ready, not when Voilà starts. A kernel
    idle for ``cull_idle_timeout`` seconds is stopped (looked for every
    ``min(CULL_INTERVAL, cull_idle_timeout // 4)`` seconds, at least 5).
    """
    folder = Path(dashboards_dir).resolve()
    cmd = [
        sys.executable, "-m", SERVER_MODULE, str(folder),
        f"--Voila.ip={ip}",
        f"--Voila.port={int(port)}",
        "--Voila.port_retries=0",
        "--Voila.open_browser=False",
        f"--DashboardVoila.open_when_ready={open_browser}",
        f"--Voila.config_file_paths={folder}",
        *safe_options(cull_idle_timeout),
    ]
    if token is not None:
        cmd.append(f"--Voila.token={token}")
    return cmd


#: Name (and address below a JupyterHub user's server) of the preheated Voilà there.
HUB_APP = "trajecttools"


def hub_app(root: str | os.PathLike[str], config_dir: str | os.PathLike[str], token: str, *,
            cull_idle_timeout: int = CULL_IDLE_TIMEOUT, timeout: float = 120.0) -> dict[str, Any]:
    """Return the ``jupyter-server-proxy`` server that runs the preheated Voilà in a user's server.

    Under JupyterHub every user's own server (``jupyterhub-singleuser``) starts this Voilà on a
    free loopback port and passes the requests of ``/user/<name>/trajecttools/`` on to it, after
    the hub's login: the same server as :func:`serve` (pools from ``config_dir/voila.json``,
    "even geduld" while a pool refills, the safe settings), serving ``root`` (the user's home:
    ``dashboards/`` and ``notebooks/``). Voilà asks for ``token``, which only the user's own server
    adds to the requests it passes on, so no other process on the machine opens it by its port.
    ``deploy/jupyterhub/singleuser/jupyter_server_config.py`` uses it.
    """
    folder = Path(root).resolve()
    return {
        "command": [
            sys.executable, "-m", SERVER_MODULE, str(folder),
            "--Voila.ip=127.0.0.1", "--Voila.port={port}", "--Voila.port_retries=0",
            "--Voila.open_browser=False", "--DashboardVoila.announce=False",
            f"--Voila.base_url={{base_url}}{HUB_APP}/",
            f"--Voila.config_file_paths={Path(config_dir).resolve()}",
            f"--Voila.token={token}",
            *safe_options(cull_idle_timeout),
        ],
        "absolute_url": True,
        "timeout": float(timeout),
        "request_headers_override": {"Authorization": f"token {token}"},
        "launcher_entry": {"title": "Dashboards", "path_info": f"{HUB_APP}/voila/tree"},
    }


#: Preheated kernels per user under JupyterHub when the hub is not told otherwise.
HUB_POOLS = "dashboards/mdo.ipynb=1"
#: Seconds before a taken kernel is replaced under JupyterHub (organisation's default): when a
#: team opens its dashboards at the same moment, the replacements start once most pages are up,
#: and then one at a time on the whole server (``TRAJECTTOOLS_PREHEAT_LOCK``,
#: :mod:`trajecttools.core.startup`; benchmarks/bench_hub_load.py, CHANGELOG).
HUB_FILL_DELAY = 15


def hub_pools(text: str) -> dict[str, int]:
    """Read preheated kernels per page (``dashboards/mdo.ipynb=1,...``) for the hub's users.

    >>> hub_pools("dashboards/mdo.ipynb=1, dashboards/matchtafel.ipynb=0")
    {'dashboards/mdo.ipynb': 1, 'dashboards/matchtafel.ipynb': 0}

    A part that is not ``page.ipynb=number`` raises :class:`ValueError` with a Dutch message.
    """
    sizes: dict[str, int] = {}
    for part in (p.strip() for p in text.split(",") if p.strip()):
        page, _, size = (x.strip() for x in part.partition("="))
        if not page.endswith(".ipynb") or not size.isdigit():
            raise ValueError(f"{part!r} is geen 'map/pagina.ipynb=aantal' "
                             "(bijv. dashboards/mdo.ipynb=1)")
        sizes[page] = int(size)
    return sizes


def write_hub_pools(folder: str | os.PathLike[str], sizes: dict[str, int],
                    fill_delay: int = HUB_FILL_DELAY) -> Path:
    """Write the ``voila.json`` of the users' Voilà under the hub (no kernel for other pages);
    return the folder, for :func:`hub_app`'s ``config_dir``.

    ``fill_delay``: seconds after a kernel is taken before its replacement starts.
    """
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    config = {
        "VoilaConfiguration": {"preheat_kernel": True},
        "VoilaKernelManager": {
            "kernel_pools_config": {"default": {"pool_size": 0},
                                    **{page: {"pool_size": n} for page, n in sizes.items()}},
            "fill_delay": fill_delay,
        },
    }
    (out / "voila.json").write_text(json.dumps(config, indent=2), "utf-8")
    return out


def cull_interval(cull_idle_timeout: int) -> int:
    """Return how often (s) idle kernels are looked for: a quarter of the idle time, 5 to 300 s.

    >>> cull_interval(3600), cull_interval(60)
    (300, 15)
    """
    return max(5, min(CULL_INTERVAL, int(cull_idle_timeout) // 4))


def environment(db_url: str, base: dict[str, str] | None = None) -> dict[str, str]:
    """Return the server's environment: the register's URL for kernels and the template path."""
    env = dict(os.environ if base is None else base)
    env[ENV_URL] = db_url
    paths = [str(jupyter_data_dir())]
    if env.get("JUPYTER_PATH"):
        paths.append(env["JUPYTER_PATH"])
    env["JUPYTER_PATH"] = os.pathsep.join(paths)
    env.setdefault("PYTHONUNBUFFERED", "1")
    return env


def dashboard_url(ip: str, port: int, token: str | None, path: str = "") -> str:
    """Return the address of the server (or of a dashboard in it), token included."""
    host = ip
    if not is_loopback(ip) and ip in ("0.0.0.0", "::", ""):
        host = socket.gethostname()
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    url = f"http://{host}:{int(port)}/{path}"
    return f"{url}?token={quote(token, safe='')}" if token else url


def ready_lines(ip: str, port: int, token: str | None,
                dashboards_dir: str | os.PathLike[str]) -> list[str]:
    """Return what the server prints once every dashboard is ready: the address and advice."""
    lines = [f"{READY_TEXT} {dashboard_url(ip, port, token)}"]
    if (Path(dashboards_dir) / MAIN_DASHBOARD).exists():
        main = dashboard_url(ip, port, token, f"voila/render/{MAIN_DASHBOARD}")
        lines.append(f"MDO-overleg: {main}")
    if not is_loopback(ip):
        lines.append("Let op: dit adres is bereikbaar vanaf andere computers. Gebruik het alleen "
                     "achter een beveiligde verbinding (https-proxy of JupyterHub).")
    lines.append("Deel de link met token alleen met wie het dashboard mag zien. Stoppen: Ctrl+C.")
    return lines


def _safe_url(db_url: str) -> str:
    try:
        return make_url(db_url).render_as_string(hide_password=True)
    except Exception:
        return "(database)"


def serve(
    db_url: str,
    *,
    dashboards_dir: str | os.PathLike[str] | None = None,
    port: int = 8866,
    ip: str = "127.0.0.1",
    token: str | None = None,
    open_browser: bool = False,
    allow_remote: bool = False,
    cull_idle_timeout: int = CULL_IDLE_TIMEOUT,
) -> int:
    """Serve the dashboards until stopped (Ctrl+C); return the exit code.

    ``dashboards_dir`` None means ``./dashboards``. Refuses (exit code 2, Dutch message) a
    non-loopback ``ip`` without a token and without ``allow_remote``. Prints the address only
    when every dashboard is preheated; exit code 1 when one fails to preheat.
    """
    try:
        check_bind(ip, token, allow_remote)
        folder = Path(dashboards_dir or Path.cwd() / DEFAULT_DASHBOARDS)
        if not folder.is_dir():
            raise ServingError(f"De map met dashboards bestaat niet: {folder}.")
        if cull_idle_timeout < 10:
            raise ServingError("--cull-idle moet minstens 10 seconden zijn.")
        if not any(folder.glob("*.ipynb")):
            raise ServingError(f"In {folder} staan geen dashboards (.ipynb).")
    except ServingError as exc:
        print(f"Fout: {exc}", file=sys.stderr)
        return 2
    key = token if token is not None else secrets.token_urlsafe(32)
    cmd = build_command(folder, port=port, ip=ip, token=key, open_browser=open_browser,
                        cull_idle_timeout=cull_idle_timeout)
    print(f"Register: {_safe_url(db_url)}", flush=True)
    proc = subprocess.Popen(cmd, env=environment(db_url))
    previous = _stop_on_sigterm()
    try:
        return proc.wait()
    except (KeyboardInterrupt, _Stopped):
        print("De dashboards worden gestopt...", flush=True)
        return 130
    finally:
        _stop_child(proc)
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


class _Stopped(Exception):
    """SIGTERM arrived: stop the server."""


def _raise_stopped(_signum: int, _frame: object) -> None:
    raise _Stopped


def _stop_on_sigterm() -> Any:
    """Turn SIGTERM into :class:`_Stopped` (main thread only); return the old handler."""
    try:
        return signal.signal(signal.SIGTERM, _raise_stopped)
    except ValueError:  # not the main thread
        return None


def _stop_child(proc: subprocess.Popen[bytes]) -> None:
    """Stop the Voilà process and its kernels (SIGTERM, then SIGKILL after 15 s)."""
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
