"""Voilà's usual addresses in a JupyterHub user's server, led to the preheated dashboards.

Under the hub (``deploy/jupyterhub``) each user's server runs the trajecttools Voilà of
:func:`trajecttools.serving.hub_app` at ``/user/<name>/trajecttools/``, and Voilà's own server
extension (a second, cold route to the same pages) is switched off. This Jupyter server extension
keeps the addresses people know from Voilà: ``/user/<name>/voila/render/<page>`` and
``/user/<name>/voila/tree`` redirect (after the hub's login, so only for the user's own server)
to the same page of the preheated Voilà, with the query string (``?as_of=...``) kept.
``deploy/jupyterhub/singleuser/jupyter_server_config.py`` switches it on.
"""

from __future__ import annotations

import urllib.parse
from typing import Any

from jupyter_server.base.handlers import JupyterHandler
from jupyter_server.utils import url_path_join
from tornado import web

from trajecttools.serving import HUB_APP

#: The part of Voilà's address after ``voila/`` that is led on: its pages and its list.
VOILA_PAGES = r"voila/((?:render|tree)(?:/.*)?)"


class ToPreheatedVoila(JupyterHandler):
    """Redirect one of Voilà's addresses to the same address of the preheated Voilà."""

    @web.authenticated
    def get(self, rest: str) -> None:
        target = url_path_join(self.base_url, HUB_APP, "voila",
                               urllib.parse.quote(rest, safe="/"))
        if self.request.query:
            target += "?" + self.request.query
        self.redirect(target)


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    return [{"module": "trajecttools.hub_extension"}]


def _load_jupyter_server_extension(serverapp: Any) -> None:
    """Add the redirects to the user's server."""
    pattern = url_path_join(serverapp.base_url, VOILA_PAGES)
    serverapp.web_app.add_handlers(".*$", [(pattern, ToPreheatedVoila)])
