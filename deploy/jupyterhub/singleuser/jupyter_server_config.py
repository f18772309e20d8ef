"""Configuration of every user's own server under the hub (``jupyterhub-singleuser``).

``jupyterhub_config.py`` puts this folder on the user's ``JUPYTER_CONFIG_PATH``. It runs the
trajecttools Voilà of :func:`trajecttools.serving.hub_app` inside the user's server through
``jupyter-server-proxy``: dashboards at ``/user/<name>/trajecttools/voila/render/dashboards/
mdo.ipynb`` and the follow-up notebooks at ``.../trajecttools/voila/render/notebooks/...``, with
preheated kernels (the pools of ``TRAJECTTOOLS_VOILA_CONFIG``, written by the hub), so the first
visit does not wait for a kernel to start and read the register.

It also switches off Voilà's own server extension (a second, cold route to the same pages) and
switches on :mod:`trajecttools.hub_extension`, which leads Voilà's usual addresses
(``/user/<name>/voila/render/...``, ``/user/<name>/voila/tree``) to the preheated Voilà.
``jupyter-server-proxy`` also passes ``/user/<name>/proxy/<port>/`` on to any loopback port; the
Voilà of another user answers there with 403, as it wants a token that only its own user's
server adds (``tests/test_hub.py`` checks it).
"""

# ruff: noqa: F821  (``c`` is given by Jupyter's config loader)

from __future__ import annotations

import os
import secrets
from pathlib import Path

from trajecttools import serving

home = Path(os.environ.get("HOME") or Path.cwd())
config_dir = Path(os.environ.get("TRAJECTTOOLS_VOILA_CONFIG") or home)

c = get_config()  # type: ignore[name-defined]
c.ServerProxy.servers = {
    serving.HUB_APP: serving.hub_app(home, config_dir, secrets.token_urlsafe(32)),
}
c.ServerApp.jpserver_extensions = {"voila": False, "trajecttools.hub_extension": True}
