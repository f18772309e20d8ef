"""JupyterHub for a team on one server: trajecttools dashboards and notebooks per user.

Start (from this folder, after ``make hub`` in the repository):

    export TRAJECTTOOLS_DATABASE_URL=postgresql+psycopg://trajecttools@127.0.0.1/trajecttools
    export TRAJECTTOOLS_HUB_PASSWORD=...   # try-out only: one shared password (see below)
    jupyterhub -f jupyterhub_config.py

What it sets up (docs/deployment.md, section JupyterHub, has the whole procedure):

- JupyterHub with ``configurable-http-proxy`` from ``node_modules`` next to this file (installed
  by ``make hub``: ``npm ci`` from ``package-lock.json``), on 127.0.0.1 only unless
  ``TRAJECTTOOLS_HUB_IP`` says otherwise (then put TLS in front: ``ssl_cert``/``ssl_key`` or a
  reverse proxy);
- one server per user started by :class:`TeamSpawner` (a local process under the hub's own
  system account, home folder ``<state>/home/<name>``), running ``jupyterhub-singleuser`` from
  the Python environment the hub runs in (where trajecttools and voila are installed);
- every user's server gets ``TRAJECTTOOLS_DATABASE_URL`` (the hub's) and ``TRAJECTTOOLS_USER``
  (the name the hub authenticated) from the hub; ``TRAJECTTOOLS_ROLE`` is set empty, so a role
  in the hub's environment never reaches a user: the role comes from the register's user mapping
  (``trajecttools.register.access.set_user_role``), users without a mapping are analysts;
- dashboards at ``/user/<name>/trajecttools/voila/render/dashboards/mdo.ipynb``: the user's
  server runs the same Voilà as ``trajecttools serve`` (``singleuser/jupyter_server_config.py``,
  through ``jupyter-server-proxy``), with the package's safe settings (template, sources stripped,
  no tracebacks, no template or theme switch from the URL, idle kernels culled after an hour)
  and **preheated kernels**: the hub starts it as soon as the user's server runs, so the first
  visit finds a kernel that has imported everything and waits (pools per dashboard:
  ``TRAJECTTOOLS_HUB_POOLS``); one kernel at a time preheats on the whole server (the users'
  kernels share ``state/preheat.lock``); the landing page is Voilà's list of dashboards and
  notebooks (``/user/<name>/trajecttools/voila/tree``);
- the dashboards and notebooks are copied into every user's home folder at each start, from
  ``TRAJECTTOOLS_HUB_PAGES`` (a folder with ``dashboards/`` and ``notebooks/``; default: this
  repository), so every user starts from the organisation's version.

Login. ``TRAJECTTOOLS_HUB_PASSWORD`` turns on JupyterHub's ``SharedPasswordAuthenticator``: any
name with that one password. That is for a try-out and for the tests, never for real cases. A real
organisation puts its own login in ``jupyterhub_auth.py`` next to this file (loaded when present,
after this file), e.g. OAuth against its identity provider (``pip install oauthenticator``)::

    from oauthenticator.generic import GenericOAuthenticator
    c.JupyterHub.authenticator_class = GenericOAuthenticator
    c.GenericOAuthenticator.client_id = "trajecttools"
    c.GenericOAuthenticator.client_secret = "..."          # from the secret store
    c.GenericOAuthenticator.oauth_callback_url = "https://hub.example.nl/hub/oauth_callback"
    c.GenericOAuthenticator.authorize_url = "https://login.example.nl/authorize"
    c.GenericOAuthenticator.token_url = "https://login.example.nl/token"
    c.GenericOAuthenticator.userdata_url = "https://login.example.nl/userinfo"
    c.GenericOAuthenticator.username_claim = "preferred_username"
    c.GenericOAuthenticator.allowed_groups = {"trajecttools"}

or LDAP (``pip install jupyterhub-ldapauthenticator``, ``c.JupyterHub.authenticator_class =
"ldapauthenticator.LDAPAuthenticator"`` with ``server_address``, ``bind_dn_template``,
``allowed_groups``). The login name the authenticator gives is the name the register's user
mapping must use.

Settings (environment of the hub process):

=================================  ===========================================================
``TRAJECTTOOLS_DATABASE_URL``      the register (required), passed to every user's server
``TRAJECTTOOLS_HUB_IP``            address of the proxy (default 127.0.0.1)
``TRAJECTTOOLS_HUB_PORT``          port of the proxy, where users browse (default 8000)
``TRAJECTTOOLS_HUB_API_PORT``      the hub's own port, loopback (default 8081)
``TRAJECTTOOLS_HUB_PROXY_API_PORT``  the proxy's API port, loopback (default 8001)
``TRAJECTTOOLS_HUB_STATE``         folder for the hub's database, cookie secret and the users'
                                   home folders (default ``state/`` next to this file)
``TRAJECTTOOLS_HUB_PAGES``         folder with ``dashboards/`` and ``notebooks/`` (default: the
                                   repository this file is in)
``TRAJECTTOOLS_HUB_PASSWORD``      try-out login: one shared password, at least 8 characters
                                   (SharedPasswordAuthenticator)
``TRAJECTTOOLS_HUB_ADMINS``        hub administrators, comma-separated login names
``TRAJECTTOOLS_HUB_POOLS``         preheated kernels per user and page, e.g.
                                   ``dashboards/mdo.ipynb=1,dashboards/matchtafel.ipynb=1``
                                   (default: one for the MDO dashboard; every kernel costs
                                   about 370 MB per user)
``TRAJECTTOOLS_HUB_FILL_DELAY``    seconds before a kernel a visitor took is replaced
                                   (default 15: the pages of a team that opens its dashboards
                                   together are mostly up by then; the replacements then start
                                   one at a time, see ``TRAJECTTOOLS_PREHEAT_LOCK``)
=================================  ===========================================================
"""

# ruff: noqa: F821  (``c`` and ``load_subconfig`` are given by JupyterHub's config loader)

from __future__ import annotations

import asyncio
import os
import shutil
import sys
from pathlib import Path
from typing import Any

from jupyterhub.spawner import SimpleLocalProcessSpawner
from tornado.httpclient import AsyncHTTPClient, HTTPClientError

from trajecttools import serving
from trajecttools.core.startup import ENV_PREHEAT_LOCK
from trajecttools.register.access import ENV_ROLE
from trajecttools.register.database import ENV_URL

HERE = Path(__file__).resolve().parent
ENV_USER = "TRAJECTTOOLS_USER"
#: The folders of ``TRAJECTTOOLS_HUB_PAGES`` copied into every user's home at each start.
PAGE_FOLDERS = ("dashboards", "notebooks")
#: Seconds the hub keeps asking a new user's server to start its dashboards.
WARM_TIMEOUT = 240.0


def setting(name: str, default: str | None = None) -> str:
    """Return a ``TRAJECTTOOLS_HUB_*`` (or other) setting of the hub's environment."""
    value = os.environ.get(name, "").strip()
    if value:
        return value
    if default is None:
        raise SystemExit(f"jupyterhub_config.py: zet {name} in de omgeving van de hub "
                         "(zie docs/deployment.md, JupyterHub).")
    return default


def port(name: str, default: int) -> int:
    """Return a port setting, or stop with a Dutch message naming it."""
    text = setting(name, str(default))
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise SystemExit(f"jupyterhub_config.py: {name}={text!r} is geen poortnummer "
                         "(1-65535).")
    return int(text)


def copy_pages(source: Path, home: Path) -> None:
    """Copy the organisation's dashboards and notebooks into a user's home folder.

    The shipped files are replaced at every start; a user's own notebooks stay.
    """
    for folder in PAGE_FOLDERS:
        if not (source / folder).is_dir():
            continue
        target = home / folder
        target.mkdir(parents=True, exist_ok=True)
        for item in (source / folder).iterdir():
            if item.suffix in (".ipynb", ".json") and item.is_file():
                shutil.copyfile(item, target / item.name)


class TeamSpawner(SimpleLocalProcessSpawner):
    """A local server per user under the hub's own account, with the register and the user's
    name from the hub and the organisation's dashboards in the home folder."""

    pages: Path = HERE.parents[1]

    def user_env(self, env: dict[str, str]) -> dict[str, str]:
        """Return the environment of the user's server (home folder set)."""
        env = super().user_env(env)
        env.pop(ENV_ROLE, None)
        return env

    async def start(self) -> Any:
        """Copy the pages into the user's home folder, start the server, then its dashboards."""
        home = Path(self.home_dir)
        home.mkdir(parents=True, exist_ok=True)
        copy_pages(self.pages, home)
        ip, port = await super().start()
        self._warm_task = asyncio.ensure_future(self.warm(f"http://{ip}:{port}"))
        return ip, port

    async def warm(self, address: str) -> None:
        """Ask the new server for its dashboards' pools, which starts its Voilà and preheats.

        ``jupyter-server-proxy`` starts the Voilà at the first request; without this, the first
        visitor would wait for it to start and for the kernel to import and read the register.
        """
        url = f"{address}{self.user.url}{serving.HUB_APP}/trajecttools/api/pools"
        client = AsyncHTTPClient()
        deadline = asyncio.get_running_loop().time() + WARM_TIMEOUT
        while asyncio.get_running_loop().time() < deadline:
            try:
                await client.fetch(url, headers={"Authorization": f"token {self.api_token}"},
                                   request_timeout=WARM_TIMEOUT)
                self.log.info("trajecttools dashboards of %s started", self.user.name)
                return
            except (HTTPClientError, OSError) as exc:
                self.log.debug("dashboards of %s not started yet: %s", self.user.name, exc)
                await asyncio.sleep(2)
        self.log.warning("trajecttools dashboards of %s did not start within %.0f s",
                         self.user.name, WARM_TIMEOUT)


def user_name(spawner: Any) -> str:
    """The name the hub authenticated: what the audit log and the role mapping use."""
    return str(spawner.user.name)


state = Path(setting("TRAJECTTOOLS_HUB_STATE", str(HERE / "state"))).resolve()
state.mkdir(parents=True, exist_ok=True)
ip = setting("TRAJECTTOOLS_HUB_IP", "127.0.0.1")
proxy = HERE / "node_modules" / ".bin" / "configurable-http-proxy"
if not proxy.exists():
    raise SystemExit(f"jupyterhub_config.py: {proxy} ontbreekt; installeer de proxy met "
                     "'make hub' (npm ci in deploy/jupyterhub).")
singleuser = Path(sys.executable).parent / "jupyterhub-singleuser"

c = get_config()  # type: ignore[name-defined]

# -- network: the proxy where users browse, everything else on loopback ----------------------
c.JupyterHub.bind_url = f"http://{ip}:{port('TRAJECTTOOLS_HUB_PORT', 8000)}"
c.JupyterHub.hub_bind_url = f"http://127.0.0.1:{port('TRAJECTTOOLS_HUB_API_PORT', 8081)}"
c.ConfigurableHTTPProxy.command = [str(proxy)]
c.ConfigurableHTTPProxy.api_url = (
    f"http://127.0.0.1:{port('TRAJECTTOOLS_HUB_PROXY_API_PORT', 8001)}")
c.ConfigurableHTTPProxy.should_start = True

# -- the hub's own state (not the register) -------------------------------------------------
c.JupyterHub.db_url = f"sqlite:///{state / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(state / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(state / "jupyterhub.pid")
c.ConfigurableHTTPProxy.pid_file = str(state / "jupyterhub-proxy.pid")
c.JupyterHub.cleanup_servers = True

# -- one server per user ------------------------------------------------------------------
TeamSpawner.pages = Path(setting("TRAJECTTOOLS_HUB_PAGES", str(HERE.parents[1]))).resolve()
c.JupyterHub.spawner_class = TeamSpawner
c.SimpleLocalProcessSpawner.home_dir_template = str(state / "home" / "{username}")
c.Spawner.cmd = [str(singleuser)]
c.Spawner.args = []
if os.geteuid() == 0:  # a container run as root (as in CI); Jupyter refuses root otherwise
    c.Spawner.args.append("--ServerApp.allow_root=True")
c.Spawner.default_url = f"/{serving.HUB_APP}/voila/tree"
try:
    hub_pools = serving.hub_pools(setting("TRAJECTTOOLS_HUB_POOLS", serving.HUB_POOLS))
except ValueError as exc:
    raise SystemExit(f"jupyterhub_config.py: TRAJECTTOOLS_HUB_POOLS: {exc}") from exc
fill_delay = setting("TRAJECTTOOLS_HUB_FILL_DELAY", str(serving.HUB_FILL_DELAY))
if not fill_delay.isdigit():
    raise SystemExit("jupyterhub_config.py: TRAJECTTOOLS_HUB_FILL_DELAY: "
                     f"{fill_delay!r} is geen aantal seconden.")
voila_config = serving.write_hub_pools(state / "voila", hub_pools, int(fill_delay))
c.Spawner.environment = {
    ENV_URL: setting(ENV_URL),
    ENV_USER: user_name,
    "JUPYTER_PATH": os.pathsep.join(
        p for p in (str(serving.jupyter_data_dir()), os.environ.get("JUPYTER_PATH", "")) if p),
    "JUPYTER_CONFIG_PATH": os.pathsep.join(
        p for p in (str(HERE / "singleuser"), os.environ.get("JUPYTER_CONFIG_PATH", "")) if p),
    "TRAJECTTOOLS_VOILA_CONFIG": str(voila_config),
    # one preheating kernel at a time on this server, whoever's it is (trajecttools.core.startup)
    ENV_PREHEAT_LOCK: str(state / "preheat.lock"),
    "PYTHONUNBUFFERED": "1",
}
c.Spawner.start_timeout = 180  # a 2-core server starting several users at 9:00
c.Spawner.http_timeout = 180
c.JupyterHub.allow_named_servers = False

# -- login --------------------------------------------------------------------------------
admins = {a.strip() for a in setting("TRAJECTTOOLS_HUB_ADMINS", "").split(",") if a.strip()}
if admins:
    c.Authenticator.admin_users = admins
password = os.environ.get("TRAJECTTOOLS_HUB_PASSWORD", "")
own_login = HERE / "jupyterhub_auth.py"
if own_login.exists():
    load_subconfig(str(own_login))  # type: ignore[name-defined]
elif password:
    c.JupyterHub.authenticator_class = "shared-password"
    c.SharedPasswordAuthenticator.user_password = password
    c.Authenticator.allow_all = True
else:
    raise SystemExit("jupyterhub_config.py: geen inlogmethode. Zet de eigen inlog (OAuth, "
                     f"LDAP) in {own_login}, of voor een proef TRAJECTTOOLS_HUB_PASSWORD.")
