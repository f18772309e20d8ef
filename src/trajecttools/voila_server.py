"""Voilà that says "klaar" only when every dashboard's preheated kernel is waiting for a visitor.

Run by :func:`trajecttools.serving.serve` as ``python -m trajecttools.voila_server FOLDER
--Voila.…``. Voilà runs in this process, so its kernel pools can be watched where they live:

* a pooled kernel is **ready** when it has executed its notebook up to
  :func:`trajecttools.apps.base.wait_for_request` and opened Voilà's request-info socket
  (``/voila/query/<kernel id>``) to wait for a visitor; that socket is registered in Voilà's own
  server, so nothing has to be written by the notebook (a marker file written by the notebook
  would say nothing when the notebook breaks before writing it, nor go away when the kernel
  dies);
* it has **failed** when its kernel could not start or died, or when its notebook finished
  without waiting for a visitor: a dashboard (one call of :mod:`trajecttools.apps`) waits in its
  last cell, so a notebook that ends stopped at an error. The traceback goes to the server log
  (Voilà logs the cell error), a Dutch message to the terminal, and the server stops with exit
  code 1 when this happens before "klaar";
* a visitor who arrives while no ready kernel is in the pool (the refill after another visitor
  is still under way) gets a Dutch "even geduld" page that reloads itself, instead of a blank
  page that waits for the refill.

The progress is printed on stdout ("Dashboards voorbereiden: MDO ✓, Matchtafel …"), then the
address (see :func:`trajecttools.serving.ready_lines`).
"""

from __future__ import annotations

import asyncio
import html
import json
import sys
import time
import webbrowser
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import tornado.web
from jupyter_core.utils import ensure_async
from jupyter_server.base.handlers import JupyterHandler
from jupyter_server.utils import url_path_join
from traitlets import Bool, Float
from voila.app import Voila
from voila.request_info_handler import RequestInfoSocketHandler
from voila.tornado.handler import TornadoVoilaHandler

from trajecttools.core.startup import ENV_REFILL
from trajecttools.serving import ready_lines

#: Seconds every dashboard gets to preheat before the server gives up (a 2-core machine under
#: load with four kernels importing pandas, Altair and the widgets at once needs about a minute).
PREHEAT_TIMEOUT = 600.0
#: Seconds between two looks at the pools.
POLL = 0.25
#: Seconds between two looks at the pools once the server is ready.
REFILL_POLL = 2.0
#: Failed refills of a dashboard after which its pool is no longer refilled.
REFILL_LIMIT = 3
#: Seconds after which the "even geduld" page reloads itself.
RETRY_AFTER = 2
#: Address (below the server's base) of the pool states, JSON (see :class:`PoolsHandler`).
POOLS_PATH = "/trajecttools/api/pools"
#: Names of the dashboards in the progress line (others: the file name without ``.ipynb``).
NAMES = {"mdo.ipynb": "MDO", "matchtafel.ipynb": "Matchtafel", "monitoring.ipynb": "Monitoring"}

READY, PENDING, FAILED = "ready", "pending", "failed"


@dataclass(frozen=True)
class KernelState:
    """The state of one pooled kernel: ready, pending or failed (with a Dutch reason)."""

    state: str
    kernel_id: str | None = None
    reason: str = ""


def display_name(notebook: str) -> str:
    """Return the name a dashboard has in the progress line.

    >>> display_name("mdo.ipynb"), display_name("team/eigen.ipynb")
    ('MDO', 'eigen')
    """
    return NAMES.get(notebook, notebook.rsplit("/", 1)[-1].removesuffix(".ipynb"))


def kernel_state(manager: Any, item: asyncio.Future[Any]) -> KernelState:
    """Return the state of one item of a Voilà kernel pool."""
    if not item.done():
        return KernelState(PENDING)
    if item.cancelled():
        return KernelState(FAILED, reason="de kernel werd afgebroken")
    if item.exception() is not None:
        return KernelState(FAILED, reason=f"de kernel startte niet ({item.exception()})")
    content = item.result()
    kernel_id, render = content["kernel_id"], content["task"]
    if render.done():
        # A preheated dashboard waits for its visitor inside its last cell; one that ran to its
        # end (or broke off) without waiting stopped at an error (Voilà logged the traceback).
        return KernelState(FAILED, kernel_id, "een cel van het dashboard gaf een fout (of het "
                           "dashboard wacht niet op een bezoeker met "
                           "trajecttools.apps.base.wait_for_request)")
    if kernel_id not in manager:
        return KernelState(FAILED, kernel_id, "de kernel is gestopt")
    if kernel_id in RequestInfoSocketHandler._waiters:  # Voilà's own registry of waiters
        return KernelState(READY, kernel_id)
    return KernelState(PENDING, kernel_id)


def pool(manager: Any, notebook: str) -> list[asyncio.Future[Any]]:
    """Return the (live) kernel pool of a notebook; empty when it is not preheated."""
    pools = getattr(manager, "_pools", None) or {}
    return pools.get(notebook, [])


def pool_states(manager: Any) -> dict[str, list[KernelState]]:
    """Return the state of every pooled kernel, by notebook (notebooks with a pool only)."""
    pools = getattr(manager, "_pools", None) or {}
    order = list(NAMES)
    names = sorted(pools, key=lambda nb: (order.index(nb) if nb in order else len(order), nb))
    return {nb: [kernel_state(manager, item) for item in pools[nb]]
            for nb in names if pools[nb]}


def put_ready_first(manager: Any, notebook: str) -> str | None:
    """Move a ready kernel to the front of a notebook's pool (Voilà hands out the first one).

    Return READY when one was found, PENDING when none is ready but one is on its way, None
    when the pool is empty or holds only failed kernels (Voilà then starts a kernel as usual).
    """
    items = pool(manager, notebook)
    pending = False
    for i, item in enumerate(items):
        state = kernel_state(manager, item).state
        if state == READY:
            if i:
                items.insert(0, items.pop(i))
            return READY
        pending = pending or state == PENDING
    return PENDING if pending else None


def drop_failed(manager: Any, failures: dict[str, int] | None = None,
                limit: int = REFILL_LIMIT) -> list[tuple[str, KernelState]]:
    """Take failed kernels out of the pools and start replacements; return what was dropped.

    ``failures`` counts the failures per notebook; after ``limit`` of them a notebook is no
    longer refilled (its visitors get a kernel started for them, as without preheating).
    """
    counts = {} if failures is None else failures
    dropped = []
    for notebook, items in (getattr(manager, "_pools", None) or {}).items():
        failed = [item for item in items if kernel_state(manager, item).state == FAILED]
        for item in failed:
            dropped.append((notebook, kernel_state(manager, item)))
            items.remove(item)
        if failed:
            counts[notebook] = counts.get(notebook, 0) + len(failed)
            if counts[notebook] < limit:
                manager.fill_if_needed(notebook_name=notebook)
    return dropped


def mark_refills(manager: Any) -> None:
    """Give every kernel that replaces one a visitor took ``TRAJECTTOOLS_REFILL=1``.

    Such a kernel waits for a core to spare before its heavy start-up
    (:func:`trajecttools.core.startup.wait_for_quiet`), so it does not slow down the page of the
    visitor who just took its predecessor (unless it holds the hub's preheat turn); the first
    fill is not marked. Voilà refills a pool with ``delay=None`` (its ``fill_delay``). A server
    without preheated kernels has no pools to refill: nothing to mark.
    """
    fill = getattr(manager, "fill_if_needed", None)
    if fill is None:
        return

    def fill_if_needed(delay: float | None = None, notebook_name: str | None = None,
                       extra_kernel_env_variables: dict[str, str] | None = None,
                       **kwargs: Any) -> None:
        extra = dict(extra_kernel_env_variables or {})
        if delay is None:
            extra[ENV_REFILL] = "1"
        fill(delay=delay, notebook_name=notebook_name, extra_kernel_env_variables=extra,
             **kwargs)

    manager.fill_if_needed = fill_if_needed


def waiting_page(notebook: str) -> str:
    """Return the Dutch "even geduld" page that reloads itself."""
    name = html.escape(display_name(notebook))
    return f"""<!DOCTYPE html>
<html lang="nl"><head><meta charset="utf-8">
<meta http-equiv="refresh" content="{RETRY_AFTER}">
<title>Even geduld - {name}</title>
<style>
body {{ font-family: "DejaVu Sans", Arial, sans-serif; background: #f5f7fa; color: #1d2733;
       display: flex; align-items: center; justify-content: center; height: 100vh; margin: 0; }}
.tt-wait {{ max-width: 46rem; padding: 2.5rem 3rem; background: #fff; border-radius: 8px;
           border-left: 10px solid #1f6fb2; box-shadow: 0 2px 8px rgba(0,0,0,.12); }}
.tt-wait h1 {{ font-size: 2.6rem; margin: 0 0 1rem; }}
.tt-wait p {{ font-size: 1.6rem; line-height: 1.4; margin: .4rem 0; }}
</style></head>
<body><div class="tt-wait" role="status" aria-live="polite">
<h1>Even geduld&hellip;</h1>
<p>Het dashboard <strong>{name}</strong> wordt voorbereid voor de volgende bezoeker.</p>
<p>Deze pagina ververst vanzelf en toont het dashboard zodra het klaarstaat.</p>
</div></body></html>"""


class PatientVoilaHandler(TornadoVoilaHandler):
    """Voilà's notebook page, or the "even geduld" page while the notebook's pool is refilling."""

    @tornado.web.authenticated
    async def get(self, path: str | None = None) -> None:
        """Serve the dashboard from a ready kernel, or the waiting page when none is ready."""
        notebook = str(self.notebook_path or path or "")
        manager = self.kernel_manager
        if put_ready_first(manager, notebook) == PENDING:
            self.set_status(503)
            self.set_header("Retry-After", str(RETRY_AFTER))
            self.set_header("Content-Type", "text/html; charset=utf-8")
            self.set_header("Cache-Control", "no-cache, no-store, must-revalidate")
            self.finish(waiting_page(notebook))
            return
        await super().get(path)


class PoolsHandler(JupyterHandler):
    """``GET /trajecttools/api/pools``: the preheated kernels of every dashboard, as JSON.

    ``{"mdo.ipynb": {"size": 2, "ready": 2, "pending": 0, "failed": 0, "kernels": [id, ...]}}``
    (token needed);
    for tests, benchmarks and a health check before a meeting.
    """

    @tornado.web.authenticated
    def get(self) -> None:
        """Answer with the pool states."""
        states = pool_states(self.settings["kernel_manager"])
        self.set_header("Content-Type", "application/json")
        self.set_header("Cache-Control", "no-store")
        self.finish(json.dumps({
            nb: {"size": len(ks), **{st: sum(k.state == st for k in ks)
                                     for st in (READY, PENDING, FAILED)},
                 "kernels": [k.kernel_id for k in ks if k.kernel_id]}
            for nb, ks in states.items()}))


class DashboardVoila(Voila):
    """Voilà with a watch on its kernel pools: progress, "klaar" when ready, exit on failure."""

    open_when_ready = Bool(False, config=True,
                           help="Open the dashboards in a browser once they are ready.")
    preheat_timeout = Float(PREHEAT_TIMEOUT, config=True,
                            help="Seconds the dashboards get to preheat.")
    announce = Bool(True, config=True,
                    help="Print the address (with its token) once ready; off behind JupyterHub, "
                         "where users come in through the hub.")

    exit_code = 0
    refill_failures: dict[str, int]

    def init_handlers(self) -> list[Any]:
        """Voilà's handlers, the notebook page replaced by the patient one; start the watch."""
        handlers: list[Any] = [(url_path_join(self.server_url, POOLS_PATH), PoolsHandler)]
        for spec in super().init_handlers():
            patient = len(spec) > 1 and spec[1] is TornadoVoilaHandler
            handlers.append((spec[0], PatientVoilaHandler, *spec[2:]) if patient else spec)
        mark_refills(self.kernel_manager)
        self._watch_task = asyncio.get_event_loop().create_task(self.watch())
        return handlers

    async def watch(self) -> None:
        """Report the preheat progress; print the address when every pool is ready."""
        await asyncio.sleep(0)  # the server listens once the loop runs
        self.refill_failures = {}
        started = time.monotonic()
        deadline = started + self.preheat_timeout
        shown = ""
        while True:
            states = pool_states(self.kernel_manager)
            failed = [(nb, s) for nb, ks in states.items() for s in ks if s.state == FAILED]
            if failed:
                self.fail(failed[0][0], failed[0][1].reason)
                return
            line = "Dashboards voorbereiden: " + ", ".join(
                f"{display_name(nb)} {'✓' if all(s.state == READY for s in ks) else '…'}"
                for nb, ks in states.items())
            if line != shown:
                print(line, flush=True)
                shown = line
            if states and all(s.state == READY for ks in states.values() for s in ks):
                break
            if not states:  # nothing is preheated: there is nothing to wait for
                break
            if time.monotonic() > deadline:
                waiting = [display_name(nb) for nb, ks in states.items()
                           if any(s.state != READY for s in ks)]
                self.fail(waiting[0], f"niet klaar binnen {self.preheat_timeout:.0f} s")
                return
            await asyncio.sleep(POLL)
        print(f"Alle dashboards voorbereid in {time.monotonic() - started:.0f} s.", flush=True)
        if self.announce:
            for text in ready_lines(self.ip, self.port, self.token, self.root_dir):
                print(text, flush=True)
        if self.open_when_ready:
            webbrowser.open(self.display_url)
        while True:  # a refill that fails later is logged and replaced; the server goes on
            await asyncio.sleep(REFILL_POLL)
            for notebook, state in drop_failed(self.kernel_manager, self.refill_failures):
                self.log.error("Preheating %s failed (%s); starting a new kernel",
                               notebook, state.reason)
                print(f"Let op: een nieuwe kernel voor {display_name(notebook)} kon niet worden "
                      f"voorbereid: {state.reason}. Zie het serverlog.", file=sys.stderr,
                      flush=True)
                if state.kernel_id and state.kernel_id in self.kernel_manager:
                    await ensure_async(self.kernel_manager.shutdown_kernel(state.kernel_id))

    def fail(self, notebook: str, reason: str) -> None:
        """Report a dashboard that could not be preheated and stop the server (exit code 1)."""
        print(f"Fout: het dashboard {display_name(notebook)} kon niet worden voorbereid: "
              f"{reason}. De foutmelding staat in het serverlog hierboven; de server stopt.",
              file=sys.stderr, flush=True)
        self.log.error("Preheating %s failed: %s", notebook, reason)
        self.exit_code = 1
        self.ioloop.add_callback(self.ioloop.stop)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the dashboards server until stopped; return the exit code."""
    app = DashboardVoila.instance()
    app.initialize(list(sys.argv[1:] if argv is None else argv))
    app.start()
    return int(app.exit_code)


__all__ = ["POOLS_PATH", "DashboardVoila", "KernelState", "PatientVoilaHandler", "PoolsHandler",
           "display_name", "drop_failed", "kernel_state", "main", "mark_refills", "pool_states",
           "put_ready_first", "waiting_page"]

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
