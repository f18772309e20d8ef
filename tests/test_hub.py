"""A team on one server: JupyterHub (``deploy/jupyterhub``) on a PostgreSQL register, driven in
headless Chromium.

One hub for the module, on loopback ports, with four users: ``jet`` (mapped to a coach),
``anna`` (team lead of Jet's team), ``ali`` (analyst) and ``nora`` (no mapping). The hub itself
runs with ``TRAJECTTOOLS_ROLE=beheer`` in its environment: no user may get that role from it.
The register is a PostgreSQL database of its own (``tt_hub_test``), created and dropped here.
Screenshots go to ``artifacts/screenshots/hub-*.png``.
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from browser import (
    ACTION_TIMEOUT,
    DASHBOARDS,
    NOTEBOOKS,
    SHOTS,
    VIEWPORT,
    copy_notebooks,
    pinned_as_of,
)
from conftest import DEMO_AS_OF, PG_SKIP, PG_URL
from hubserver import Hub, login, postgres_database, run_hub
from trajecttools.outputs import demo
from trajecttools.reads.case.dossier import load_dossier
from trajecttools.register.access import set_user_role
from trajecttools.workspace import Workspace

pytestmark = [pytest.mark.hub, pytest.mark.browser]

DATABASE = "tt_hub_test"
USERS = ["jet", "anna", "ali", "nora"]
RENDER = 240_000
PSEUDONYM = re.compile(r"K-\d{6}")
#: A notebook an analyst might write: open the register as the hub says, show who and what.
FRAMES_NOTEBOOK = {
    "cells": [
        {"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [],
         "source": [
             "import trajecttools as tt\n",
             "from IPython.display import HTML, display\n",
             "ws = tt.open()\n",
             "display(HTML(f'<p class=\"tt-who\">{ws.actor} | {ws.access.role}</p>'))\n",
             "display(HTML('<p class=\"tt-columns\">' + ' '.join(ws.frame('clients').columns)"
             " + '</p>'))\n",
             "ws.cases().head(25)",
         ]},
    ],
    "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                "language": "python"}},
    "nbformat": 4, "nbformat_minor": 5,
}


@dataclass
class Team:
    """The hub, and what the register says each user may see."""

    hub: Hub
    coach_name: str
    team_name: str
    coach_pseudonyms: set[str]
    team_pseudonyms: set[str]
    team_coaches: set[str]
    names: list[str]
    case: int  # a case of Jet's that can move to another phase
    case_pseudonym: str
    phases: list[tuple[str, str]]  # (code, label) of the plain phase changes it allows


def _demo_register(url: str) -> dict[str, Any]:
    """Build a 300-trajectory demo on PostgreSQL and map the users; return what they may see."""
    with Workspace(url, actor="demo", role="beheer", today=DEMO_AS_OF) as store:
        demo.build(store, size=300, seed=7, as_of=DEMO_AS_OF)
        traj = store.frame("trajectories")
        clients = store.frame("clients").set_index("id")
        coaches = store.frame("coaches").set_index("id")
        teams = store.frame("teams").set_index("id")
        open_ = traj[traj["closed_on"].isna() & traj["coach_id"].notna()]
        per_team = coaches.groupby("team_id").size()
        candidates = open_[open_["coach_id"].map(coaches["team_id"]).map(per_team) >= 2]
        coach_id = int(candidates["coach_id"].value_counts().index[0])
        team_id = int(coaches.loc[coach_id, "team_id"])
        team_coach_ids = set(coaches.index[coaches["team_id"] == team_id])
        set_user_role(store, "jet", f"coach:{coaches.loc[coach_id, 'code']}")
        set_user_role(store, "anna", f"team_lead:{teams.loc[team_id, 'name']}")
        set_user_role(store, "ali", "analyst")
        mine = open_[open_["coach_id"] == coach_id]
        case, phases = 0, []
        for tid in mine["id"]:
            d = load_dossier(store, int(tid))
            # phases a plain phase change reaches: no recorded choice and no placement the
            # change must find (aftercare only after a regular contract)
            allowed = [(c, lbl) for c, lbl in d.allowed_next()
                       if c != d.method.closed_phase and not d.method.phase(c).choices
                       and d.method.phase(c).stage != "aftercare"]
            if allowed:
                case, phases = int(tid), allowed
                break
        assert case, "no case of the coach with a plain phase change"
        pseudonym = lambda ids: {str(p) for p in clients.loc[  # noqa: E731
            traj.set_index("id").loc[list(ids), "client_id"], "pseudonym"]}
        return {
            "coach_name": str(coaches.loc[coach_id, "name"]),
            "team_name": str(teams.loc[team_id, "name"]),
            "coach_pseudonyms": pseudonym(traj["id"][traj["coach_id"] == coach_id]),
            "team_pseudonyms": pseudonym(traj["id"][traj["coach_id"].isin(team_coach_ids)]),
            "team_coaches": {str(coaches.loc[c, "name"]) for c in team_coach_ids},
            "names": [f"{g} {f}" for g, f in zip(clients["given_name"], clients["family_name"],
                                                strict=True)],
            "case": case,
            "case_pseudonym": pseudonym([case]).pop(),
            "phases": phases,
        }


@pytest.fixture(scope="module")
def team(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Team]:
    """JupyterHub with the four users' servers started, on a fresh PostgreSQL register."""
    if not PG_URL:
        pytest.skip(PG_SKIP)
    tmp = tmp_path_factory.mktemp("hub")
    pages = tmp / "pages"
    copy_notebooks(DASHBOARDS, pages / "dashboards", ["mdo.ipynb"],
                   pinned_as_of(f"{DEMO_AS_OF:%d-%m-%Y}"))
    copy_notebooks(NOTEBOOKS, pages / "notebooks", ["follow_up.ipynb"])
    (pages / "notebooks" / "frames.ipynb").write_text(json.dumps(FRAMES_NOTEBOOK), "utf-8")
    with postgres_database(PG_URL, DATABASE) as url:
        seen = _demo_register(url)
        with run_hub(url, pages, tmp, env={"TRAJECTTOOLS_ROLE": "beheer"}) as hub:
            hub.start_servers(USERS)
            hub.wait_ready(USERS)
            hub.wait_pools(USERS)  # the hub starts every user's dashboards with the server
            # the users' preheating kernels took turns on the server's lock file
            assert (hub.state / "preheat.lock").is_file()
            yield Team(hub=hub, **seen)


@pytest.fixture
def contexts(browser: Any) -> Iterator[list[Any]]:
    """Fresh browser contexts (own cookies: one user each), closed after the test."""
    made: list[Any] = []

    class Factory(list):  # type: ignore[type-arg]
        def new(self) -> Any:
            ctx = browser.new_context(viewport=VIEWPORT)
            ctx.set_default_timeout(ACTION_TIMEOUT)
            made.append(ctx)
            return ctx.new_page()

    try:
        yield Factory()
    finally:
        for ctx in made:
            ctx.close()


def _rows_text(page: Any) -> str:
    return "\n".join(page.locator(".tt-signal-row:visible").all_inner_texts())


def _coach_options(page: Any) -> set[str]:
    texts = page.locator(".tt-coach-filter select option").all_inner_texts()
    options = {t.replace("\xa0", " ").strip() for t in texts}
    return {t for t in options if not t.startswith("Alle ")}  # "Alle jobcoaches" and the like


def _text(locator: Any) -> str:
    return str(locator.inner_text()).replace("\xa0", " ").strip()


def _shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / name))


def test_coach_and_team_lead_see_their_cases_through_the_hub(team: Team, contexts: Any) -> None:
    hub = team.hub
    jet, anna = contexts.new(), contexts.new()
    login(jet, hub, "jet")
    login(anna, hub, "anna")
    waiting = {user: hub.pools(user)["dashboards/mdo.ipynb"] for user in ("jet", "anna")}
    for page, user in ((jet, "jet"), (anna, "anna")):
        page.goto(hub.render(user, "dashboards/mdo.ipynb"), wait_until="commit")
    for page in (jet, anna):
        page.locator(".tt-signal-row:visible").first.wait_for(timeout=RENDER)
    # each page came from the user's preheated kernel: it left the pool (a new one is made)
    for user, before in waiting.items():
        assert before["ready"] == before["size"] == 1, before
        assert not set(before["kernels"]) & set(hub.pools(user)["dashboards/mdo.ipynb"]["kernels"])

    # the coach: only own cases, the coach filter knows one coach
    assert _coach_options(jet) == {team.coach_name}
    shown = set(PSEUDONYM.findall(_rows_text(jet)))
    assert shown and shown <= team.coach_pseudonyms, shown - team.coach_pseudonyms
    # the team lead: the team's cases (more than one coach), pseudonyms and initials only
    assert _coach_options(anna) == team.team_coaches and len(team.team_coaches) >= 2
    team_filter = {t.replace("\xa0", " ").strip() for t in
                   anna.locator(".tt-team-filter select option").all_inner_texts()} - {"Alle teams"}
    assert team_filter == {team.team_name}
    shown = set(PSEUDONYM.findall(_rows_text(anna)))
    assert shown and shown <= team.team_pseudonyms, shown - team.team_pseudonyms
    for page in (jet, anna):
        text = page.locator("body").inner_text()
        leaked = [n for n in team.names if n in text]
        assert not leaked, leaked[:5]
    _shot(jet, "hub-mdo-coach-jet.png")
    _shot(anna, "hub-mdo-teamlead-anna.png")
    # Voilà's usual address leads to the preheated Voilà, the peildatum of the URL kept
    answer = jet.context.request.get(
        hub.url("user/jet/voila/render/dashboards/mdo.ipynb?as_of=01-10-2026"), max_redirects=0)
    assert answer.status == 302, answer.status
    assert answer.headers["location"] == (
        "/user/jet/trajecttools/voila/render/dashboards/mdo.ipynb?as_of=01-10-2026")
    # the team lead's coach filter works through the hub: one coach, then the team again
    anna.locator(".tt-coach-filter select").select_option(label=team.coach_name)
    anna.locator(".tt-title", has_text=team.coach_name).wait_for(timeout=60_000)
    anna.wait_for_function(
        "coach => [...document.querySelectorAll('.tt-signal-row')]"
        ".filter(r => r.offsetParent !== null).every(r => r.innerText.includes(coach))",
        arg=team.coach_name, timeout=60_000)


def test_analyst_and_unmapped_user_get_pseudonymised_frames(team: Team, contexts: Any) -> None:
    hub = team.hub
    pages = {}
    for user in ("ali", "nora"):
        page = contexts.new()
        login(page, hub, user)
        page.goto(hub.render(user, "notebooks/frames.ipynb"), wait_until="commit")
        pages[user] = page
    for user, page in pages.items():
        who = page.locator(".tt-who")
        who.wait_for(timeout=RENDER)
        # the hub named the user; the role came from the mapping (nora: none, so analyst),
        # not from the hub's own environment (TRAJECTTOOLS_ROLE=beheer)
        assert who.inner_text().strip() == f"{user} | analyst"
        columns = page.locator(".tt-columns").inner_text().split()
        assert "pseudonym" in columns
        assert not {"given_name", "family_name", "bsn", "phone", "email"} & set(columns)
        table = page.locator("table.dataframe")
        table.wait_for(timeout=60_000)
        text = table.inner_text()
        assert len(set(PSEUDONYM.findall(text))) == 25  # 25 rows, every one a pseudonym
        assert not [n for n in team.names if n in page.locator("body").inner_text()]
        _shot(page, f"hub-frames-{user}.png")


def test_a_user_cannot_read_another_users_server(team: Team, contexts: Any) -> None:
    hub = team.hub
    jet = contexts.new()
    login(jet, hub, "jet")
    for path in ("user/anna/trajecttools/voila/render/dashboards/mdo.ipynb",
                 "user/anna/voila/render/dashboards/mdo.ipynb", "user/anna/voila/tree",
                 "user/anna/trajecttools/trajecttools/api/pools", "user/anna/api/contents",
                 "user/anna/lab"):
        answer = jet.goto(hub.url(path))
        assert answer is not None and answer.status == 403, (path, answer and answer.status)
        assert "Forbidden" in jet.locator("body").inner_text() or \
            "403" in jet.locator("body").inner_text()
        if path.endswith("mdo.ipynb"):
            _shot(jet, "hub-403-jet-at-anna.png")
    # nor by the loopback port of Anna's Voilà, through jupyter-server-proxy's /proxy/<port> in
    # Jet's own server: that Voilà wants the token only Anna's server adds
    port = _voila_port("anna")
    answer = jet.context.request.get(
        hub.url(f"user/jet/proxy/{port}/user/anna/trajecttools/trajecttools/api/pools"),
        max_redirects=0)
    assert answer.status in (302, 403), answer.status  # to Voilà's login, or refused
    assert answer.status == 403 or "/login" in answer.headers["location"]
    assert "kernels" not in answer.text()
    # without any login the API refuses too (no cookie, no token)
    request = urllib.request.Request(hub.url("user/anna/api/contents"))
    try:
        urllib.request.urlopen(request, timeout=30)
        refused = False
    except urllib.error.HTTPError as exc:
        refused = exc.code in (401, 403)
    assert refused


def _voila_port(user: str) -> int:
    """Return the loopback port of a user's trajecttools Voilà (from its command line)."""
    marker = f"--Voila.base_url=/user/{user}/trajecttools/".encode()
    for proc in Path("/proc").iterdir():
        try:
            args = (proc / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if marker in args:
            port = next(a for a in args if a.startswith(b"--Voila.port="))
            return int(port.split(b"=", 1)[1])
    raise AssertionError(f"no Voilà of {user} running")


def _open_phase_form(page: Any, hub: Hub, user: str, pseudonym: str) -> None:
    """Open the follow-up form's phase step of ``pseudonym``'s case as ``user``.

    A step that times out fails with what the page showed and the end of the hub's log (the
    users' servers log there), and leaves a screenshot.
    """
    from playwright.sync_api import Error  # heavy optional dependency: browser tests only

    try:
        _phase_form_steps(page, hub, user, pseudonym)
    except Error as exc:
        _shot(page, f"hub-failed-follow-up-{user}.png")
        raise AssertionError(
            f"follow-up form of {user}: {exc}\n--- page ---\n"
            f"{page.locator('body').inner_text()[:3000]}\n--- hub log ---\n"
            f"{hub.log_text()[-6000:]}") from exc


def _phase_form_steps(page: Any, hub: Hub, user: str, pseudonym: str) -> None:
    from playwright.sync_api import TimeoutError  # heavy optional dependency: browser tests only

    page.goto(hub.render(user, "notebooks/follow_up.ipynb"), wait_until="commit")
    search = page.locator(".tt-search input")
    search.wait_for(timeout=RENDER)
    search.fill(pseudonym)
    search.press("Tab")
    picker = page.locator(".tt-case-pick select")
    page.wait_for_function(
        "p => [...document.querySelectorAll('.tt-case-pick select option')]"
        ".some(o => o.textContent.includes(p))", arg=pseudonym, timeout=60_000)
    picker.select_option(index=1)
    page.locator(".tt-case-head", has_text=pseudonym).wait_for(timeout=60_000)
    # the phase step is drawn by the user's kernel; on a loaded machine (CI: the other worker
    # runs its own browser tests beside four users' servers) that can take longer than one
    # click's wait: look every 30 s, and click again as a user would, up to the render time
    select = page.locator(".tt-phase-form .tt-f-to_phase select")
    for _ in range(RENDER // 30_000 - 1):
        page.locator(".tt-step-phase").click()
        try:
            select.wait_for(timeout=30_000)
            return
        except TimeoutError:
            continue
    page.locator(".tt-step-phase").click()
    select.wait_for(timeout=30_000)


def test_second_save_of_the_same_case_is_refused_and_nothing_is_lost(
    team: Team, contexts: Any
) -> None:
    from playwright.sync_api import expect  # heavy optional dependency: browser tests only

    hub = team.hub
    with Workspace(hub.db_url, role="beheer", migrate=False) as store:
        before = store.get("trajectories", team.case)
        audit_before = len(store.audit())
    jet, anna = contexts.new(), contexts.new()
    login(jet, hub, "jet")
    login(anna, hub, "anna")
    _open_phase_form(jet, hub, "jet", team.case_pseudonym)
    _open_phase_form(anna, hub, "anna", team.case_pseudonym)
    # both choose the same plain move (the methods offer few that need no recorded choice or
    # placement); Anna's save comes second, on the version Jet has just changed
    (code, mine), theirs = team.phases[0], team.phases[0][1]
    jet.locator(".tt-phase-form .tt-f-to_phase select").select_option(label=mine)
    anna.locator(".tt-phase-form .tt-f-to_phase select").select_option(label=theirs)
    jet.locator(".tt-save-phase").click()
    expect(jet.locator(".tt-phase-status")).to_contain_text("opgeslagen door jet",
                                                            timeout=60_000)
    anna.locator(".tt-save-phase").click()
    status = anna.locator(".tt-phase-status")
    expect(status).to_contain_text("intussen gewijzigd door jet", timeout=60_000)
    expect(status).to_contain_text("Uw wijziging is niet opgeslagen")
    stale = anna.locator(".tt-stale")
    expect(stale).to_be_visible()
    expect(stale).to_contain_text("De versie die door jet")
    rows = {_text(r.locator("th")): _text(r.locator("td").first) for r in stale.locator("tr").all()}
    assert rows["Fase"] == mine, rows
    # Anna's choice is still in her form, to compare and enter again
    chosen = anna.locator(".tt-phase-form .tt-f-to_phase select option:checked").inner_text()
    assert chosen.replace("\xa0", " ").strip() == theirs
    _shot(jet, "hub-stale-jet-saved.png")
    _shot(anna, "hub-stale-anna-refused.png")

    with Workspace(hub.db_url, role="beheer", migrate=False) as store:
        after = store.get("trajectories", team.case)
        audit = store.audit().iloc[audit_before:]
    assert after["phase"] == code != before["phase"]
    assert int(after["version"]) == int(before["version"]) + 1
    assert set(audit["actor"]) == {"jet"}  # Jet's save only; nothing of Anna's written
