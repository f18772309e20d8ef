"""Random and hostile input at every form path: record validation, the store's write path and
the intake and follow-up forms driven in-process.

Each input either gets a clear Dutch error naming the field, or is stored as typed (leading and
trailing spaces trimmed) and read back equal, and shown escaped where it appears in HTML.
Nothing may raise an unexpected exception.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from pydantic.functional_validators import BeforeValidator
from sqlalchemy import text

from conftest import TODAY, Staff, add_staff, make_store
from formdriver import REGISTRATION, counts, fill, follow, register, walk
from trajecttools.core.errors import InvalidRecord, TrajecttoolsError
from trajecttools.core.validation import RECORDS, validate
from trajecttools.widgets.intake import IntakeApp
from trajecttools.workspace import Workspace

SETTINGS = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])
HOSTILE = [
    "<script>alert('x')</script>",
    '"><img src=x onerror=alert(1)>',
    "Robert'); DROP TABLE clients;--",
    "' OR '1'='1",
    'O\'Brien "de Jong" \\ %_',
    "\u202eredro\u202c RTL \u05e9\u05dc\u05d5\u05dd \u0645\u0631\u062d\u0628\u0627",
    "👩‍🔧 Zoë 🇳🇱 \U0001f600",
    "nul\x00byte",
    "tab\there\r\nnew line",
    "\u200b\ufeffzero width",
    "&amp; &lt;b&gt; {{ 7*7 }} ${x} %s",
    "e" * 9000,
    "€" * 300,
    "  ",
]
#: Text of any kind: hostile samples, random unicode (all planes), long repetitions.
TEXT = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(max_size=120),
    st.text(st.characters(codec="utf-8"), max_size=40),
    st.builds(lambda s, n: s * n, st.sampled_from(["a", "é", "<b>", "'", "😀", " "]),
              st.integers(1, 9000)),
)
#: Anything a caller could pass: text, numbers (also NaN/inf), booleans, dates, lists, dicts.
ANYTHING = st.one_of(
    TEXT,
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.none(),
    st.dates(),
    st.datetimes(),
    st.lists(st.one_of(st.integers(), TEXT), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
    st.binary(max_size=10),
)
ENGLISH = re.compile(r"\b(should|Input|valid|must|field|required|error|Value)\b")


def _plain_text_fields(entity: str) -> set[str]:
    """Return the free-text fields of an entity: stored as typed (trimmed), no other checks."""
    model = RECORDS[entity]
    checked = {f for dec in model.__pydantic_decorators__.field_validators.values()
               for f in dec.info.fields}
    out = set()
    for name, info in model.model_fields.items():
        befores = [m for m in info.metadata if isinstance(m, BeforeValidator)]
        if (name not in checked and befores
                and getattr(befores[0].func, "__name__", "") == "_clean_text"):
            out.add(name)
    return out


def assert_dutch(exc: InvalidRecord, fields: set[str]) -> None:
    """Every problem names a known field by its Dutch label and says what is wrong in Dutch."""
    assert exc.problems
    message = str(exc)
    for p in exc.problems:
        assert p.field in fields or p.field == "", p
        assert p.label and p.message, p
        assert p.label in message and p.message in message
        assert not ENGLISH.search(p.message), p


# -- records.validate ------------------------------------------------------------------------
@SETTINGS
@given(data=st.data())
def test_validate_returns_clean_values_or_a_dutch_error(data: st.DataObject) -> None:
    entity = data.draw(st.sampled_from(sorted(RECORDS)), label="entity")
    model = RECORDS[entity]
    fields = sorted(model.model_fields)
    chosen = data.draw(st.lists(st.sampled_from(fields), unique=True, max_size=len(fields)),
                       label="fields")
    values = {f: data.draw(ANYTHING, label=f) for f in chosen}
    try:
        clean = validate(entity, values, today=TODAY)
    except InvalidRecord as exc:
        assert_dutch(exc, set(fields))
        return
    for name in _plain_text_fields(entity) & set(values):
        typed = values[name]
        if isinstance(typed, str):
            assert clean[name] == (typed.strip() or None), name


@SETTINGS
@given(data=st.data())
def test_a_hostile_value_in_one_text_field_is_kept_or_named(data: st.DataObject) -> None:
    entity = data.draw(st.sampled_from(sorted(e for e in RECORDS if _plain_text_fields(e))))
    name = data.draw(st.sampled_from(sorted(_plain_text_fields(entity))))
    value = data.draw(TEXT)
    try:
        clean = validate(entity, {name: value}, today=TODAY)
    except InvalidRecord as exc:
        assert_dutch(exc, set(RECORDS[entity].model_fields))
        mine = [p for p in exc.problems if p.field == name]
        max_length = next((getattr(m, "max_length", None) for m in
                           RECORDS[entity].model_fields[name].metadata
                           if getattr(m, "max_length", None)), None)
        if max_length is not None and len(value.strip()) > max_length:
            assert mine and "te lang" in mine[0].message
        elif re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]", value.strip()):
            assert mine and "stuurteken" in mine[0].message
        else:
            assert not mine or mine[0].message == "is verplicht", mine
        return
    assert clean[name] == (value.strip() or None)


# -- the store's write path (SQLite, and PostgreSQL when configured) ------------------------
@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Workspace, Staff]]:
    with make_store(request.param, tmp_path) as store:
        yield store, add_staff(store)


def _stored(store: Workspace, table: str, row_id: int, column: str) -> Any:
    """Read one value as the database holds it (not through any view of a role)."""
    with store.engine.connect() as conn:
        return conn.execute(text(f"SELECT {column} FROM {table} WHERE id = :i"),
                            {"i": row_id}).scalar_one()


CLIENT = {"given_name": "Amira", "family_name": "Proefstra", "target_group": "young_people",
          "birth_date": "14-03-2001"}
CLIENT_TEXT = ("given_name", "family_name", "municipality", "region", "education_field",
               "wishes", "external_id")


@SETTINGS
@given(data=st.data())
def test_store_writes_as_typed_or_refuses_in_dutch(db: tuple[Workspace, Staff],
                                                   data: st.DataObject) -> None:
    store, staff = db
    path = data.draw(st.sampled_from(["add", "register", "update"]), label="path")
    field = data.draw(st.sampled_from(CLIENT_TEXT), label="field")
    value = data.draw(st.one_of(TEXT, ANYTHING), label="value")
    before = counts(store)
    try:
        if path == "add":
            team_field = data.draw(st.sampled_from(["region", "name"]))
            values = {"name": f"Team {before['teams']}", team_field: value}
            row_id = store.add("teams", values)
            table, column = "teams", team_field
        elif path == "register":
            row_id = store.register({**CLIENT, field: value}, method="opstapbaan",
                                    registered_at="01-06-2026 09:00",
                                    coach_id=staff.coach, coach_assigned_at="02-06-2026 09:00")
            row_id = int(store.get("trajectories", row_id)["client_id"])
            table, column = "clients", field
        else:
            if not store.count("clients"):
                store.register(CLIENT, method="opstapbaan", registered_at="01-06-2026 09:00")
            with store.engine.connect() as conn:
                row_id, version = conn.execute(
                    text("SELECT id, version FROM clients ORDER BY id LIMIT 1")).one()
            store.update("clients", row_id, {field: value}, expected_version=version)
            table, column = "clients", field
    except InvalidRecord as exc:
        assert_dutch(exc, set(RECORDS["teams" if path == "add" else "clients"].model_fields))
        assert counts(store) == before  # nothing half-written
        return
    except TrajecttoolsError as exc:  # e.g. a duplicate team name: refused in Dutch
        refused = str(exc)
        assert not ENGLISH.search(refused) and counts(store)["teams"] == before["teams"]
        return
    if value is None:  # an optional text left empty
        assert _stored(store, table, row_id, column) is None
        return
    assert isinstance(value, str), f"{value!r} ({type(value).__name__}) was accepted as text"
    assert _stored(store, table, row_id, column) == (value.strip() or None)


# -- the forms, driven as a person (or a browser) would ------------------------------------
REG_TEXT = ("given_name", "family_name", "birth_date", "education_field", "postcode",
            "municipality", "region", "bsn", "registered_at", "coach_assigned_at", "goals",
            "rules", "signed_case_manager_on", "signed_coach_on", "signed_client_on")
REG_STORED = {"given_name": "clients", "family_name": "clients", "education_field": "clients",
              "municipality": "clients", "region": "clients", "goals": "trajectory_plans",
              "rules": "trajectory_plans"}


def assert_escaped(root: Any, value: str) -> None:
    """A typed value with markup appears in HTML widgets only escaped."""
    if "<" not in value and "&" not in value:
        return
    for w in walk(root):
        if type(w).__name__ == "HTML" and "tt-style" not in w._dom_classes:
            for line in value.splitlines():
                if "<" in line.strip() and len(line.strip()) > 3:
                    assert line.strip() not in w.value, (line, w.value[:300])


@pytest.fixture
def form_store(tmp_path: Path) -> Iterator[tuple[Workspace, Staff]]:
    with make_store("sqlite", tmp_path) as store:
        yield store, add_staff(store)


@SETTINGS
@given(data=st.data())
def test_registration_form_saves_as_typed_or_names_the_field(
    form_store: tuple[Workspace, Staff], data: st.DataObject
) -> None:
    store, staff = form_store
    key = data.draw(st.sampled_from(REG_TEXT), label="key")
    value = data.draw(TEXT, label="value")
    app = IntakeApp(store, actor="jet.coach", today=TODAY)
    before = counts(store)
    fill(app.registration.fields, {**REGISTRATION, "bsn": "", "coach_id": staff.coach,
                                   "case_manager_id": staff.case_manager, key: value})
    app.registration.save_button.click()
    status = app.registration.status
    assert "fout in het programma" not in status.message, status.message
    if status.kind == "ok":
        assert app.dossier is not None
        if key in REG_STORED:
            table = REG_STORED[key]
            tid = app.dossier.trajectory_id
            row = (store.get("trajectories", tid)["client_id"] if table == "clients" else
                   int(store.frame("trajectory_plans").set_index("trajectory_id")
                       .loc[tid, "id"]))
            assert _stored(store, table, int(row), key) == (value.strip() or None)
        assert_escaped(app, value)
        return
    errors = app.registration.fields.errors()
    assert status.kind == "error", status.message
    assert set(errors) == {key}, (errors, status.message)
    assert not ENGLISH.search(errors[key]), errors[key]
    assert counts(store) == before


@pytest.fixture
def case_app(tmp_path: Path) -> Iterator[tuple[Workspace, Any]]:
    with make_store("sqlite", tmp_path) as store:
        staff = add_staff(store)
        intake = IntakeApp(store, actor="jet.coach", today=TODAY)
        tid = register(intake, staff.coach, staff.case_manager)
        yield store, follow(store, tid, actor="jet.coach", today=TODAY)


def assert_refused_naming(store: Workspace, part: Any, key: str, before: dict[str, int]) -> None:
    """Assert a form refused exactly the field ``key`` in Dutch and wrote nothing."""
    errors = part.fields.errors()
    assert set(errors) == {key}, (errors, part.status.message)
    assert not ENGLISH.search(errors[key]), errors[key]
    assert counts(store) == before


CONTACT = {"kind": "progress", "held_on": "10-06-2026", "location": "Kantoor",
           "participants": "klant, jobcoach", "notes": "Voortgang besproken."}


@SETTINGS
@given(data=st.data())
def test_contact_form_saves_as_typed_or_names_the_field(case_app: tuple[Workspace, Any],
                                                        data: st.DataObject) -> None:
    store, app = case_app
    key = data.draw(st.sampled_from(["held_on", "location", "participants", "notes"]))
    value = data.draw(TEXT, label="value")
    app.steps.buttons["contact"].click()
    part = app.contact
    before = counts(store)
    fill(part.fields, {**CONTACT, key: value})
    part.save_button.click()
    assert "fout in het programma" not in part.status.message, part.status.message
    if part.status.kind == "ok":
        assert counts(store)["contacts"] == before["contacts"] + 1
        if key != "held_on":
            with store.engine.connect() as conn:
                stored = conn.execute(text(f"SELECT {key} FROM contacts ORDER BY id DESC "
                                           "LIMIT 1")).scalar_one()
            assert stored == (value.strip() or None)
        assert_escaped(app, value)
        return
    assert_refused_naming(store, part, key, before)


def test_esc_of_the_dashboards_escapes_markup_and_quotes() -> None:
    from trajecttools.outputs.report.document import esc

    for value in HOSTILE:
        out = esc(value)
        assert "<" not in out and ">" not in out and '"' not in out
        assert html.unescape(out) == value
    assert esc(dt.date(2026, 1, 2)) == "2026-01-02"


INTAKE_TEXT = {  # where -> (key, table, column)
    "contact": ("notes", "contacts", "notes"),
    "wishes": ("wishes", "clients", "wishes"),
    "barrier": ("notes", "barriers", "notes"),
    "agency": ("agency", "referrals", "agency"),
    "network": ("note", "network_members", "note"),
    "plan": ("what", "agreements", "what"),
}


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_intake_form_saves_as_typed_or_names_the_field(form_store: tuple[Workspace, Staff],
                                                       data: st.DataObject) -> None:
    from formdriver import add_row

    store, staff = form_store
    where = data.draw(st.sampled_from(sorted(INTAKE_TEXT)), label="where")
    value = data.draw(TEXT, label="value")
    key, table, column = INTAKE_TEXT[where]
    app = IntakeApp(store, actor="jet.coach", today=TODAY)
    register(app, staff.coach, staff.case_manager)
    app.steps.buttons["intake"].click()
    i = app.intake
    contact = {"held_on": "10-03-2026", "kind": "home_visit", "notes": "Kennismaking."}
    barrier = {"domain": "debts", "severity": 2, "notes": "Achterstand huur",
               "agency": "Schuldhulp", "referred_on": "10-03-2026", "referral_status": "in_care"}
    network = {"relation": "parent", "involved": True, "note": "Moeder helpt"}
    plan = {"what": "Schuldhulp bellen", "who": "client", "due_on": "17-03-2026"}
    if where == "contact":
        contact[key] = value
    elif where in ("barrier", "agency"):
        barrier[key] = value
    elif where == "network":
        network[key] = value
    elif where == "plan":
        plan[key] = value
    fill(i.contact, contact)
    fill(i.wishes, {"wishes": value if where == "wishes" else "Buiten werken."})
    rows = {"barrier": add_row(i.barriers, barrier), "agency": None,
            "network": add_row(i.network, network), "plan": add_row(i.plan, plan)}
    rows["agency"] = rows["barrier"]
    before = counts(store)
    i.save_button.click()
    assert "fout in het programma" not in i.status.message, i.status.message
    if i.status.kind == "ok":
        if where == "agency" and not value.strip():  # no agency: no referral at all
            assert counts(store)["referrals"] == before["referrals"]
            return
        assert counts(store)[table] == before[table] + (0 if table == "clients" else 1)
        with store.engine.connect() as conn:
            stored = conn.execute(text(f"SELECT {column} FROM {table} ORDER BY id DESC "
                                       "LIMIT 1")).scalar_one()
        assert stored == (value.strip() or None)
        assert_escaped(app, value)
        return
    fields = i.contact if where == "contact" else (
        i.wishes if where == "wishes" else rows[where].fields)  # type: ignore[union-attr]
    errors = fields.errors()
    assert key in errors, (errors, i.status.message)
    assert not ENGLISH.search(errors[key]), errors[key]
    assert counts(store) == before


END_REPORT_TEXTS = ["aftercare_summary", "results", "remaining_points", "actions_taken",
                    "continuation"]


@SETTINGS
@given(data=st.data())
def test_aftercare_and_end_report_forms_save_as_typed_or_name_the_field(
        case_app: tuple[Workspace, Any], data: st.DataObject) -> None:
    store, app = case_app
    form, key = data.draw(st.sampled_from(
        [("aftercare", "notes"), ("aftercare", "held_on")]
        + [("end_report", k) for k in [*END_REPORT_TEXTS, "written_on"]]))
    value = data.draw(TEXT, label="value")
    app.steps.buttons[form].click()
    if form == "aftercare":
        part, table = app.aftercare, "aftercare_contacts"
        values = {"held_on": "14-06-2026", "party": "both", "notes": "Gaat goed.", key: value}
    else:
        part, table = app.end_report, "end_reports"
        values = {"written_on": "12-06-2026", "close": False,
                  **{k: "Tekst." for k in END_REPORT_TEXTS}, key: value}
    before = counts(store)
    fill(part.fields, values)
    part.save_button.click()
    assert "fout in het programma" not in part.status.message, part.status.message
    event(f"{form}: {part.status.kind}")
    if part.status.kind == "ok":
        if key not in ("held_on", "written_on"):
            with store.engine.connect() as conn:
                stored = conn.execute(text(f"SELECT {key} FROM {table} ORDER BY id DESC "
                                           "LIMIT 1")).scalar_one()
            assert stored == (value.strip() or None)
        assert_escaped(app, value)
        return
    assert_refused_naming(store, part, key, before)


PLACEMENT = {"kind": "secondment", "employer_name": "Proefbedrijf", "employer_sector": "green",
             "employer_municipality": "Rotterdam", "start_on": "01-06-2026", "end_on": "",
             "hours_per_week": "24"}


@SETTINGS
@given(data=st.data())
def test_placement_form_saves_as_typed_or_names_the_field(case_app: tuple[Workspace, Any],
                                                          data: st.DataObject) -> None:
    store, app = case_app
    key = data.draw(st.sampled_from(["employer_name", "employer_municipality", "start_on",
                                     "hours_per_week"]))
    value = data.draw(TEXT, label="value")
    app.steps.buttons["placement"].click()
    part = app.placement
    before = counts(store)
    fill(part.fields, {**PLACEMENT, key: value})
    part.save_button.click()
    assert "fout in het programma" not in part.status.message, part.status.message
    event(f"placement: {part.status.kind}")
    if part.status.kind == "ok":
        assert counts(store)["placements"] == before["placements"] + 1
        if key == "employer_name" and not value.strip():  # no name: no new employer
            assert counts(store)["employers"] == before["employers"]
        elif key in ("employer_name", "employer_municipality"):
            column = key.removeprefix("employer_")
            with store.engine.connect() as conn:
                stored = conn.execute(text(f"SELECT {column} FROM employers ORDER BY id DESC "
                                           "LIMIT 1")).scalar_one()
            assert stored == (value.strip() or None)
        assert_escaped(app, value)
        return
    assert_refused_naming(store, part, key, before)
