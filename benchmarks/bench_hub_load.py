"""Load on the shared server: N users on one JupyterHub open the MDO dashboard and change filters.

A bounded, loopback-only load test (not run in CI). It builds (or reuses) one PostgreSQL register
of 20 000 demo trajectories, starts JupyterHub from ``deploy/jupyterhub/jupyterhub_config.py`` on
free 127.0.0.1 ports, and lets simulated users work in headless Chromium (one browser, one context
per user) for a fixed time. Every user logs in through the hub and, in a loop: opens the MDO
dashboard in their own server (``/user/<name>/trajecttools/voila/render/dashboards/mdo.ipynb``:
the preheated Voilà the hub starts with each server, one MDO kernel waiting), changes the
coach filter a few times (a few seconds' look between changes, as in a meeting), and opens the
page again. Users alternate between team lead (one team each, in turn) and analyst (the whole
register, the heaviest view).

Measured per user level (``--users 3,6,10`` runs each level in turn on the same hub):

* time to the first signal row: navigation to the first visible ``.tt-signal-row``;
* filter update: choosing a coach to the title and the rows showing that coach;
* kernel memory per user: peak resident memory of each user's kernels (and of their Voilà and
  their server),
  sampled every 5 s from ``/proc`` (only the hub's own descendants);
* errors: timeouts, a failure box on the page, page errors (must be 0).

The load generator (Chromium) runs on the same machine as the hub, so the figures are
pessimistic for the server alone. ``cat /proc/loadavg`` is printed before and after: on a
machine shared with other work the figures are not the server's.

Run (from the repository root, PostgreSQL on 127.0.0.1:5432, ``make hub`` done)::

    PYTHONPATH=src .venv/bin/python benchmarks/bench_hub_load.py              # 10 users, 5 min
    PYTHONPATH=src .venv/bin/python benchmarks/bench_hub_load.py --users 3 --minutes 1
    PYTHONPATH=src .venv/bin/python benchmarks/bench_hub_load.py --users 2,4,6,8,10 --minutes 3

Results also go to ``artifacts/bench-hub-load.json``. The register database (``tt_hub_load``)
is kept for the next run (``--rebuild`` makes it again; ``--drop`` removes it at the end).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from playwright.async_api import async_playwright
from sqlalchemy import create_engine, make_url, text

from trajecttools.outputs import demo
from trajecttools.register.access import set_user_role
from trajecttools.workspace import Workspace, warm

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from hubserver import PASSWORD, Hub, run_hub  # noqa: E402 (the tests' hub helper)

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
AS_OF = dt.date(2026, 11, 2)
DATABASE = "tt_hub_load"
PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
TARGET_P95 = 4.0
#: ms a page may take before it counts as an error
PAGE_TIMEOUT = 120_000
#: coach-filter changes per opened page, and the look between them (seconds)
CHANGES_PER_OPEN = 4  # the stress case: every page opening costs a kernel start
THINK = (2.0, 5.0)
SIZE_KEY = "bench_hub_load_size"


# -- the register ----------------------------------------------------------------------------


def register_url(admin_url: str, size: int, rebuild: bool) -> str:
    """Return the URL of the load register, building it when missing, of another size or asked."""
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    url = make_url(admin_url).set(database=DATABASE).render_as_string(hide_password=False)
    with admin.connect() as conn:
        exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :d"),
                              {"d": DATABASE}).first() is not None
        if exists and not rebuild:
            with Workspace(url, role="beheer", actor="bench", migrate=False) as store:
                if store.info().get(SIZE_KEY) == str(size):
                    print(f"register {DATABASE}: {size} trajectories (reused)", flush=True)
                    admin.dispose()
                    return url
        conn.execute(text(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{DATABASE}"'))
    admin.dispose()
    start = time.perf_counter()
    with Workspace(url, actor="bench", role="beheer", today=AS_OF) as store:
        demo.build(store, size=size, seed=1, as_of=AS_OF)
        store.set_info(SIZE_KEY, str(size))
        warm(store)
    print(f"register {DATABASE}: {size} trajectories built in "
          f"{time.perf_counter() - start:.0f} s", flush=True)
    return url


def map_users(url: str, users: list[str]) -> dict[str, str]:
    """Map the simulated users: even ones team lead of a team (in turn), odd ones analyst."""
    roles = {}
    with Workspace(url, actor="bench", role="beheer", migrate=False) as store:
        teams = sorted(str(t) for t in store.frame("teams")["name"])
        for i, user in enumerate(users):
            role = f"team_lead:{teams[(i // 2) % len(teams)]}" if i % 2 == 0 else "analyst"
            set_user_role(store, user, role)
            roles[user] = role
    return roles


def pages_folder(tmp: Path) -> Path:
    """The dashboards every user gets, the peildatum pinned to the demo's."""
    folder = tmp / "pages" / "dashboards"
    folder.mkdir(parents=True)
    nb = json.loads((ROOT / "dashboards" / "mdo.ipynb").read_text("utf-8"))
    for cell in nb["cells"]:
        if "parameters" in cell.get("metadata", {}).get("tags", []):
            cell["source"] = [f'as_of = "{AS_OF:%d-%m-%Y}"\n' if line.startswith("as_of =")
                              else line for line in cell["source"]]
    (folder / "mdo.ipynb").write_text(json.dumps(nb), "utf-8")
    return tmp / "pages"


# -- memory ------------------------------------------------------------------------------------


def _descendants(root: int) -> list[int]:
    parent: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent[int(entry.name)] = int(
                    (entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        kids = [p for p, pp in parent.items() if pp == pid]
        out += kids
        todo += kids
    return out


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _owner(pid: int) -> tuple[str, str] | None:
    """Return (user, "kernel", "voila" or "server") of one of the hub's processes, if a user's."""
    cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    env = dict(item.split("=", 1) for item in
               Path(f"/proc/{pid}/environ").read_bytes().decode(errors="replace").split("\0")
               if "=" in item)
    user = env.get("TRAJECTTOOLS_USER")
    if not user:
        return None
    if "ipykernel" in cmd:
        return user, "kernel"
    if "trajecttools.voila_server" in cmd:
        return user, "voila"
    if "jupyterhub-singleuser" in cmd:
        return user, "server"
    return None


@dataclass
class Memory:
    """Peak resident memory (MB) per (user, kind, pid), sampled while the users work."""

    hub_pid: int
    peaks: dict[tuple[str, str, int], float] = field(default_factory=dict)
    stop: threading.Event = field(default_factory=threading.Event)

    def sample(self) -> None:
        for pid in _descendants(self.hub_pid):
            try:
                owner = _owner(pid)
                if owner is None:
                    continue
                key = (owner[0], owner[1], pid)
                self.peaks[key] = max(self.peaks.get(key, 0.0), _rss_mb(pid))
            except OSError:
                continue

    def run(self) -> None:
        while not self.stop.wait(5.0):
            self.sample()

    def per_user(self, kind: str) -> list[float]:
        """Peak MB per user of one kind of process (kernels: the largest kernel of a user)."""
        out: dict[str, float] = {}
        for (user, k, _pid), mb in self.peaks.items():
            if k == kind:
                out[user] = max(out.get(user, 0.0), mb)
        return list(out.values())


# -- the simulated users -----------------------------------------------------------------------


@dataclass
class Figures:
    first_row: list[float] = field(default_factory=list)
    filter_update: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


async def _login(page: Any, hub: Hub, user: str) -> None:
    await page.goto(hub.url("hub/login"))
    await page.fill("#username_input", user)
    await page.fill("#password_input", PASSWORD)
    await page.click("#login_submit")
    await page.wait_for_url(f"**/user/{user}/**", timeout=PAGE_TIMEOUT)


async def _open(page: Any, hub: Hub, user: str, fig: Figures) -> bool:
    start = time.perf_counter()
    await page.goto(hub.render(user, "dashboards/mdo.ipynb"), wait_until="commit",
                    timeout=PAGE_TIMEOUT)
    row = page.locator(".tt-signal-row:visible, .tt-status-error").first
    await row.wait_for(timeout=PAGE_TIMEOUT)
    failure = page.locator(".tt-status-error")
    if await failure.count():
        fig.errors.append(f"{user}: failure box: {await failure.first.inner_text()}")
        return False
    fig.first_row.append(time.perf_counter() - start)
    return True


async def _change_filter(page: Any, user: str, rng: random.Random, fig: Figures) -> None:
    select = page.locator(".tt-coach-filter select")
    options = [o.replace("\xa0", " ").strip()
               for o in await select.locator("option").all_inner_texts()][1:]
    if not options:
        fig.errors.append(f"{user}: no coach to choose")
        return
    current = (await page.locator(".tt-title h2").inner_text()).replace("\xa0", " ")
    choices = [o for o in options if not current.endswith(o)] or options
    coach = rng.choice(choices)
    start = time.perf_counter()
    await select.select_option(label=coach)
    await page.locator(".tt-title h2", has_text=coach).wait_for(timeout=PAGE_TIMEOUT)
    await page.wait_for_function(
        "coach => [...document.querySelectorAll('.tt-signal-row')]"
        ".filter(r => r.offsetParent !== null)"
        ".every(r => r.innerText.replace(/\\u00a0/g, ' ').includes(coach))",
        arg=coach, timeout=PAGE_TIMEOUT)
    fig.filter_update.append(time.perf_counter() - start)


async def _user(browser: Any, hub: Hub, user: str, until: float, fig: Figures,
                seed: int, changes: int) -> None:
    rng = random.Random(seed)
    context = await browser.new_context(viewport={"width": 1920, "height": 1080})
    page = await context.new_page()
    page.on("pageerror", lambda exc: fig.errors.append(f"{user}: pageerror {exc}"))
    try:
        await asyncio.sleep(rng.uniform(0, 3))  # not all at the same second
        await _login(page, hub, user)
        while time.monotonic() < until:
            if not await _open(page, hub, user, fig):
                await asyncio.sleep(5)
                continue
            for _ in range(changes):
                if time.monotonic() >= until:
                    break
                await asyncio.sleep(rng.uniform(*THINK))
                await _change_filter(page, user, rng, fig)
    except Exception as exc:  # a timeout or a lost page: counted, the run goes on
        fig.errors.append(f"{user}: {type(exc).__name__}: {str(exc).splitlines()[0][:200]}")
    finally:
        await context.close()


async def _level(hub: Hub, users: list[str], minutes: float, changes: int) -> Figures:
    fig = Figures()
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS,
                                           headless=True)
        until = time.monotonic() + minutes * 60
        await asyncio.gather(*(_user(browser, hub, u, until, fig, i, changes)
                               for i, u in enumerate(users)))
        await browser.close()
    return fig


# -- report ------------------------------------------------------------------------------------


def _stats(values: list[float]) -> dict[str, float | int | None]:
    if not values:
        return {"n": 0, "median": None, "p95": None, "max": None}
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"n": len(values), "median": round(statistics.median(values), 2),
            "p95": round(p95, 2), "max": round(ordered[-1], 2)}


def _loadavg() -> str:
    return Path("/proc/loadavg").read_text().strip()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", default="10",
                        help="simulated users; a list (3,6,10) runs each level in turn")
    parser.add_argument("--minutes", type=float, default=5.0, help="duration of each level")
    parser.add_argument("--size", type=int, default=20_000, help="trajectories in the register")
    parser.add_argument("--changes-per-open", type=int, default=CHANGES_PER_OPEN,
                        help="filter changes before a user opens the page again (4: a new "
                             "page, so a new kernel, every ~16 s a user; 30: every ~2 minutes)")
    parser.add_argument("--pg", default=os.environ.get("TRAJECTTOOLS_TEST_DATABASE_URL",
                                                      PG_DEFAULT),
                        help="a PostgreSQL URL allowed to create databases")
    parser.add_argument("--rebuild", action="store_true", help="build the register again")
    parser.add_argument("--drop", action="store_true", help="drop the register at the end")
    args = parser.parse_args()
    levels = [int(n) for n in str(args.users).split(",") if n.strip()]
    cores = os.cpu_count()
    print(f"machine: {cores} cores; loadavg before: {_loadavg()}", flush=True)
    url = register_url(args.pg, args.size, args.rebuild)
    users = [f"gebruiker{i:02d}" for i in range(1, max(levels) + 1)]
    roles = map_users(url, users)
    results = []
    tmp = Path(tempfile.mkdtemp(prefix="tt-hub-load-"))
    with run_hub(url, pages_folder(tmp), tmp) as hub:
        started = time.perf_counter()
        hub.start_servers(users)
        hub.wait_ready(users, timeout=600)
        hub.wait_pools(users, timeout=900)  # every user's MDO kernel preheated
        preheat_s = round(time.perf_counter() - started, 1)
        print(f"{len(users)} servers started and preheated in {preheat_s} s "
              f"(loadavg {_loadavg()})", flush=True)
        memory = Memory(hub.proc.pid)
        sampler = threading.Thread(target=memory.run, daemon=True)
        sampler.start()
        for n in levels:
            load_before = _loadavg()
            start = time.perf_counter()
            fig = asyncio.run(_level(hub, users[:n], args.minutes, args.changes_per_open))
            memory.sample()
            result = {
                "users": n,
                "minutes": args.minutes,
                "changes_per_open": args.changes_per_open,
                "roles": {u: roles[u] for u in users[:n]},
                "first_signal_row_s": _stats(fig.first_row),
                "filter_update_s": _stats(fig.filter_update),
                "kernel_peak_mb_per_user": _stats(memory.per_user("kernel")),
                "voila_peak_mb_per_user": _stats(memory.per_user("voila")),
                "server_peak_mb_per_user": _stats(memory.per_user("server")),
                "errors": len(fig.errors),
                "error_samples": fig.errors[:10],
                "loadavg_before": load_before,
                "loadavg_after": _loadavg(),
                "wall_s": round(time.perf_counter() - start, 1),
            }
            results.append(result)
            _print(result)
        memory.stop.set()
    shutil.rmtree(tmp, ignore_errors=True)
    if args.drop:
        admin = create_engine(args.pg, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)'))
        admin.dispose()
    ok = [r["users"] for r in results if r["errors"] == 0
          and (r["first_signal_row_s"]["p95"] or 1e9) <= TARGET_P95
          and (r["filter_update_s"]["p95"] or 1e9) <= TARGET_P95]
    verdict = (f"largest level with p95 <= {TARGET_P95:.0f} s and no errors: {max(ok)} users"
               if ok else f"no level met p95 <= {TARGET_P95:.0f} s without errors")
    print(f"\n{verdict} (on {cores} cores, Chromium on the same machine; "
          f"loadavg after: {_loadavg()})")
    out = ROOT / "artifacts" / "bench-hub-load.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"size": args.size, "cores": cores, "preheat_s": preheat_s,
                               "levels": results,
                               "verdict": verdict}, indent=2), "utf-8")
    print(f"results: {out}")
    return 0 if all(r["errors"] == 0 for r in results) else 1


def _print(r: dict[str, Any]) -> None:
    def fmt(s: dict[str, Any], unit: str) -> str:
        if not s["n"]:
            return "no samples"
        return (f"median {s['median']}{unit}, p95 {s['p95']}{unit}, max {s['max']}{unit} "
                f"(n={s['n']})")

    print(f"\n== {r['users']} users, {r['minutes']} min, {r['changes_per_open']} changes an "
          f"opening (loadavg before {r['loadavg_before']}, "
          f"after {r['loadavg_after']})")
    print(f"  first signal row : {fmt(r['first_signal_row_s'], ' s')}")
    print(f"  filter update    : {fmt(r['filter_update_s'], ' s')}")
    print(f"  kernel memory    : {fmt(r['kernel_peak_mb_per_user'], ' MB')} per user (peak)")
    print(f"  Voilà memory     : {fmt(r['voila_peak_mb_per_user'], ' MB')} per user (peak)")
    print(f"  server memory    : {fmt(r['server_peak_mb_per_user'], ' MB')} per user (peak)")
    print(f"  errors           : {r['errors']} {r['error_samples'][:3]}", flush=True)


if __name__ == "__main__":
    raise SystemExit(main())
