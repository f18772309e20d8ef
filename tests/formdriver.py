"""Driving the case forms from code: fill fields as a person would, click, and read back."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import ipywidgets as widgets

from trajecttools.core.model import ENTITIES
from trajecttools.widgets.fields import Field, FieldSet, Row, RowList
from trajecttools.widgets.follow_up import FollowUpApp
from trajecttools.widgets.intake import IntakeApp
from trajecttools.workspace import Workspace

BSN = "111222333"


def fill(target: FieldSet | Row, values: Mapping[str, Any]) -> None:
    """Set widget values as a person (or a browser) would: text as typed, codes as chosen."""
    for key, value in values.items():
        f: Field = target[key]
        if hasattr(f, "boxes"):  # several check boxes
            for code, box in f.boxes.items():
                box.value = code in value
        else:
            f.control.value = value


def add_row(rows: RowList, values: Mapping[str, Any]) -> Row:
    """Click "add" and fill the new row."""
    rows.add_button.click()
    row = rows.rows[-1]
    fill(row, values)
    return row


def counts(store: Workspace) -> dict[str, int]:
    """Return the number of rows of every table."""
    return {name: store.count(name) for name in ENTITIES}


def walk(widget: widgets.Widget) -> Iterator[widgets.Widget]:
    """Yield a widget and every widget inside it."""
    yield widget
    for child in getattr(widget, "children", ()) or ():
        yield from walk(child)


def shown_texts(widget: widgets.Widget) -> list[str]:
    """Return every value, option label and description a person could see in the app."""
    out: list[str] = []
    for w in walk(widget):
        value = getattr(w, "value", None)
        if isinstance(value, str):
            out.append(value)
        for label in getattr(w, "_options_labels", ()) or ():
            out.append(str(label))
        out.append(str(getattr(w, "description", "") or ""))
        out.append(str(getattr(w, "placeholder", "") or ""))
    return out


def field_errors(target: FieldSet | Row) -> dict[str, str]:
    """Return {key: message} of the fields that show an error."""
    fs = target.fields if isinstance(target, Row) else target
    return fs.errors()


REGISTRATION = {
    "given_name": "Amira",
    "family_name": "van der Proef",
    "birth_date": "14-03-2001",
    "target_group": "young_people",
    "education_level": "mbo2",
    "education_field": "Logistiek",
    "postcode": "3011ab",
    "municipality": "Rotterdam",
    "region": "Rijnmond",
    "bsn": BSN,
    "method": "opstapbaan",
    "registered_at": "02-03-2026 09:30",
    "coach_assigned_at": "03-03-2026 10:00",
    "goals": "Binnen 6 maanden regulier werk in de logistiek.",
    "rules": "Klant meldt zich af bij ziekte; afspraken nakomen.",
    "signed_case_manager_on": "04-03-2026",
    "signed_coach_on": "04-03-2026",
    "signed_client_on": "05-03-2026",
}


def register(app: IntakeApp, coach: int, case_manager: int, **overrides: Any) -> int:
    """Fill the registration form (new case) and click save; return the trajectory id."""
    app.new_button.click()
    values = {**REGISTRATION, "coach_id": coach, "case_manager_id": case_manager, **overrides}
    fill(app.registration.fields, values)
    app.registration.save_button.click()
    assert app.registration.status.kind == "ok", (app.registration.status.message,
                                                  app.registration.fields.errors())
    assert app.dossier is not None
    return int(app.dossier.trajectory_id)


def do_intake(app: IntakeApp) -> None:
    """Fill the whole intake form of the open case and click save."""
    app.steps.buttons["intake"].click()
    i = app.intake
    fill(i.contact, {
        "held_on": "10-03-2026",
        "kind": "home_visit",
        "location": "Bij de klant thuis",
        "participants": "klant, moeder, jobcoach",
        "notes": "Gemotiveerd; schulden <zorg> & geen rijbewijs.",
    })
    add_row(i.barriers, {
        "domain": "debts", "severity": 3, "notes": "Betalingsachterstand huur",
        "agency": "Schuldhulpverlening Rotterdam", "referred_on": "10-03-2026",
        "last_followed_up_on": "12-03-2026", "referral_status": "in_care",
    })
    add_row(i.barriers, {"domain": "transport", "severity": 1, "status": "in_progress"})
    fill(i.zrm, {"finances": 2, "work_education": 2, "time_use": 3, "housing": 4,
                 "mental_health": 4, "social_network": 3})
    fill(i.ladder, {"rung": 3})
    add_row(i.diplomas, {"kind": "diploma", "name": "Mbo-2 Logistiek"})
    add_row(i.diplomas, {"kind": "work_experience", "name": "1 jaar orderpicker"})
    add_row(i.languages, {"name": "Nederlands", "level": 4})
    add_row(i.languages, {"name": "Arabisch", "level": 5})
    fill(i.skills, {"driving_licence": True, "driving_category": "AM", "computer": 3,
                    "basic_punctuality": 4, "basic_social": 4, "basic_communication": 3,
                    "basic_reliability": 4, "motivation": 5})
    fill(i.wishes, {"wishes": "Werken met de handen, liefst buiten.",
                    "preferred_hours": "32", "preferred_sectors": ["logistics", "green"]})
    add_row(i.network, {"relation": "parent", "involved": True,
                        "note": "Moeder helpt met vervoer"})
    add_row(i.plan, {"what": "Schuldhulp bellen voor tweede gesprek", "who": "client",
                     "due_on": "17-03-2026"})
    i.save_button.click()
    assert i.status.kind == "ok", (i.status.message, [fs.errors() for fs in i.fieldsets()])


def follow(store: Workspace, trajectory_id: int, **kw: Any) -> FollowUpApp:
    """Open the follow-up app on a case."""
    app = FollowUpApp(store, **kw)
    app.picker.pick(trajectory_id)
    assert app.dossier is not None and app.dossier.trajectory_id == trajectory_id
    return app
