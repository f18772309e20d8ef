"""The functional administrator's page: teams, coaches, case managers and users with their role.

Four parts, each a table of what the register holds, a form to add one and a choice to deactivate
one; every button's ``click()`` does the work (tests drive it in-process). The changes go through
:mod:`trajecttools.register.organisation` (one transaction each, audited); only the role
``beheer`` may make them: for any other role the page shows the tables and its buttons are off.
Deactivating a coach with open cases needs a coach to take them over, chosen on the page; the
page says how many cases that are before anything changes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import ipywidgets as widgets
import pandas as pd

from trajecttools.core.errors import FieldProblem, InvalidRecord, TrajecttoolsError
from trajecttools.outputs.report.document import esc
from trajecttools.register import organisation as org
from trajecttools.register.access import ROLES
from trajecttools.widgets.contacts import table_html
from trajecttools.widgets.fields import BLANK, ChoiceField, Field, TextField, grid
from trajecttools.widgets.toolkit import (
    Status,
    button,
    form_style,
    guarded,
    html_block,
    style_sheet,
)
from trajecttools.workspace import Workspace

#: The roles the page offers (trainer is for the training register only), Dutch name first.
USER_ROLES: tuple[tuple[str, str], ...] = (
    ("Jobcoach (eigen caseload)", "coach"),
    ("Teamleider (eigen team)", "team_lead"),
    ("Analist (gepseudonimiseerd)", "analyst"),
    ("Functioneel beheerder", "beheer"),
)
_YES_NO = {True: "ja", False: "nee"}


def _cells(df: pd.DataFrame, columns: Sequence[str]) -> list[list[Any]]:
    rows = []
    for rec in df[list(columns)].itertuples(index=False):
        rows.append([_YES_NO.get(v, v) if isinstance(v, bool) else
                     "" if v is None or (isinstance(v, float) and pd.isna(v)) else v
                     for v in rec])
    return rows


class Part(widgets.VBox):
    """One kind of record: its table, an add form and a deactivate choice, with a status line."""

    def __init__(self, title: str, intro: str, css: str, fields: list[Field],
                 add_label: str, off: list[Field], off_label: str) -> None:
        self.status = Status(wide=True)
        self.table = html_block("", "tt-org-table")
        self.fields = {f.key: f for f in [*fields, *off]}
        self.add_button = button(add_label, kind="primary", css=f"{css}-add")
        self.off_button = button(off_label, kind="danger", css=f"{css}-off")
        self.off_note = html_block("", "tt-hint tt-off-note")
        super().__init__([
            html_block(f"<h3>{esc(title)}</h3>"), html_block(esc(intro), "tt-intro"),
            self.table,
            html_block("<h4>Toevoegen</h4>"), grid(fields), widgets.HBox([self.add_button]),
            html_block("<h4>Deactiveren</h4>"), grid(off), self.off_note,
            widgets.HBox([self.off_button]), self.status,
        ], layout=widgets.Layout(width="100%"))
        self.add_class("tt-section")
        self.add_class(css)

    def clear_errors(self) -> None:
        """Remove the messages under the fields."""
        for f in self.fields.values():
            f.clear_error()

    def act(self, work: Callable[[], str], after: Callable[[], None]) -> None:
        """Run ``work``; show its message, or the refusal under the fields it names."""
        self.clear_errors()
        try:
            message = work()
        except InvalidRecord as exc:
            for p in exc.problems:
                target = self.fields.get(p.field) or self.fields.get(_FIELD_OF.get(p.field, ""))
                if target is not None:
                    target.show_error(str(p))
            raise
        after()
        self.status.ok(message)

    def enable(self, allowed: bool) -> None:
        """Turn the forms on (beheer) or off (any other role)."""
        for f in self.fields.values():
            f.disabled = not allowed
        self.add_button.disabled = self.off_button.disabled = not allowed


#: Record field named in a refusal -> the page's field that shows it.
_FIELD_OF = {"team_id": "team", "name": "name", "hand_over_to": "hand_over_to"}


class OrganisationPanel(widgets.VBox):
    """Teams, coaches, case managers and users of one register (see the module docstring)."""

    def __init__(self, store: Workspace, *, actor: str | None = None) -> None:
        self.store, self.actor = store, actor
        self.allowed = store.role == "beheer"
        self.teams = Part(
            "Teams", "Een team van jobcoaches, meestal één per regio. Een team deactiveren kan "
            "pas als er geen actieve jobcoaches meer in zitten.", "tt-org-teams",
            [TextField("name", "Teamnaam", required=True), TextField("region", "Regio")],
            "Team toevoegen", [ChoiceField("off", "Team", [])], "Team deactiveren")
        self.coaches = Part(
            "Jobcoaches", "Code (bv. JB01), naam en team. Een jobcoach met open trajecten "
            "deactiveert u pas als een andere jobcoach ze overneemt.", "tt-org-coaches",
            [TextField("code", "Code", required=True), TextField("name", "Naam", required=True),
             ChoiceField("team", "Team", [])],
            "Jobcoach toevoegen",
            [ChoiceField("off", "Jobcoach", []), ChoiceField("hand_over_to",
                                                              "Open trajecten overdragen aan", [])],
            "Jobcoach deactiveren")
        self.case_managers = Part(
            "Casemanagers", "Consulenten van gemeente, UWV of OCMW die klanten aanmelden.",
            "tt-org-case-managers",
            [TextField("name", "Naam", required=True),
             TextField("organisation", "Organisatie", required=True)],
            "Casemanager toevoegen", [ChoiceField("off", "Casemanager", [])],
            "Casemanager deactiveren")
        self.users = Part(
            "Gebruikers en rollen", "De inlognaam van een medewerker en wat die ziet: een "
            "jobcoach de eigen caseload, een teamleider het eigen team (met initialen), een "
            "analist alles gepseudonimiseerd. Een gedeactiveerde gebruiker kan het register niet "
            "meer openen.", "tt-org-users",
            [TextField("login", "Gebruikersnaam", required=True),
             ChoiceField("role", "Rol", [("— kies —", BLANK), *USER_ROLES], required=True),
             ChoiceField("coach", "Jobcoach (bij rol jobcoach)", []),
             ChoiceField("team", "Team (bij rol teamleider)", [])],
            "Gebruiker opslaan", [ChoiceField("off", "Gebruiker", [])], "Gebruiker deactiveren")
        self.parts = (self.teams, self.coaches, self.case_managers, self.users)
        role = ROLES.get(store.role, store.role)
        self.role_line = html_block(
            f"<p>Uw rol: <b>{esc(role)}</b>. "
            + ("U kunt de organisatie wijzigen; elke wijziging komt in het auditlog.</p>"
               if self.allowed else
               "Alleen de functioneel beheerder (rol beheer) kan de organisatie wijzigen; u "
               "ziet de overzichten.</p>"), "tt-org-role")
        super().__init__([
            form_style(), style_sheet("organisation"),
            html_block("<h2>Organisatie: teams, jobcoaches, casemanagers en gebruikers</h2>"),
            self.role_line, *self.parts,
        ], layout=widgets.Layout(width="100%"))
        self.add_class("tt-form")
        self.add_class("tt-organisation")
        for part in self.parts:
            part.enable(self.allowed)
        self._wire()
        self.refresh()

    # -- wiring ---------------------------------------------------------------------------
    def _wire(self) -> None:
        pairs: list[tuple[Part, widgets.Button, str, Callable[[], str]]] = [
            (self.teams, self.teams.add_button, "Team toevoegen", self.add_team),
            (self.teams, self.teams.off_button, "Team deactiveren", self.deactivate_team),
            (self.coaches, self.coaches.add_button, "Jobcoach toevoegen", self.add_coach),
            (self.coaches, self.coaches.off_button, "Jobcoach deactiveren",
             self.deactivate_coach),
            (self.case_managers, self.case_managers.add_button, "Casemanager toevoegen",
             self.add_case_manager),
            (self.case_managers, self.case_managers.off_button, "Casemanager deactiveren",
             self.deactivate_case_manager),
            (self.users, self.users.add_button, "Gebruiker opslaan", self.save_user),
            (self.users, self.users.off_button, "Gebruiker deactiveren", self.deactivate_user),
        ]
        for part, btn, action, work in pairs:
            handler = guarded(part.status, action)(
                lambda _b, p=part, w=work: p.act(w, self.refresh))
            btn.on_click(handler)
        self.coaches.fields["off"].control.observe(lambda _c: self._hand_over_note(),
                                                   names="value")

    def _value(self, part: Part, key: str) -> Any:
        return part.fields[key].get()

    # -- actions (each returns the Dutch message of what it did) ----------------------------
    def add_team(self) -> str:
        """Add the team in the form."""
        name = self._value(self.teams, "name") or ""
        org.add_team(self.store, name, self._value(self.teams, "region"), actor=self.actor)
        self._reset(self.teams, "name", "region")
        return f"Team '{name}' toegevoegd."

    def deactivate_team(self) -> str:
        """Deactivate the chosen team."""
        return org.deactivate_team(self.store, self._chosen(self.teams, "team"),
                                   actor=self.actor).summary()

    def add_coach(self) -> str:
        """Add the coach in the form."""
        code, name = self._value(self.coaches, "code") or "", self._value(self.coaches, "name")
        org.add_coach(self.store, code, name or "", self._value(self.coaches, "team"),
                      actor=self.actor)
        self._reset(self.coaches, "code", "name")
        return f"Jobcoach {code} ({name}) toegevoegd."

    def deactivate_coach(self) -> str:
        """Deactivate the chosen coach, handing the open cases to the chosen other coach."""
        code = self._chosen(self.coaches, "jobcoach")
        other = self._value(self.coaches, "hand_over_to")
        try:
            done = org.deactivate_coach(self.store, code, hand_over_to=other, actor=self.actor)
        except org.OpenCasesError as exc:
            cases = "open traject" if exc.count == 1 else "open trajecten"
            self.coaches.fields["hand_over_to"].show_error(
                f"Kies wie de {exc.count} {cases} overneemt.")
            raise TrajecttoolsError(
                f"{exc} Kies bij 'Open trajecten overdragen aan' wie ze overneemt.") from None
        self._reset(self.coaches, "off", "hand_over_to")
        return done.summary()

    def add_case_manager(self) -> str:
        """Add the case manager in the form."""
        name = self._value(self.case_managers, "name") or ""
        where = self._value(self.case_managers, "organisation") or ""
        org.add_case_manager(self.store, name, where, actor=self.actor)
        self._reset(self.case_managers, "name", "organisation")
        return f"Casemanager {name} ({where}) toegevoegd."

    def deactivate_case_manager(self) -> str:
        """Deactivate the chosen case manager."""
        cm_id = self._chosen(self.case_managers, "casemanager")
        df = org.case_managers_frame(self.store).set_index("id")
        row = df.loc[int(cm_id)]
        return org.deactivate_case_manager(self.store, str(row["name"]),
                                           str(row["organisation"]), actor=self.actor).summary()

    def save_user(self) -> str:
        """Map the login in the form to the chosen role (adds the user or changes the role)."""
        login = self._value(self.users, "login") or ""
        role = self._value(self.users, "role")
        if role is None:
            raise InvalidRecord("Gebruiker", [FieldProblem("role", "Rol", "kies een rol")])
        scope = {"coach": self._value(self.users, "coach"),
                 "team_lead": self._value(self.users, "team")}.get(role)
        if role == "coach" and scope is None:
            raise InvalidRecord("Gebruiker", [FieldProblem(
                "coach", "Jobcoach (bij rol jobcoach)", "kies de jobcoach van deze gebruiker")])
        if role == "team_lead" and scope is None:
            raise InvalidRecord("Gebruiker", [FieldProblem(
                "team", "Team (bij rol teamleider)", "kies het team van deze teamleider")])
        stored, old = org.set_user(self.store, login, f"{role}:{scope}" if scope else role,
                                   actor=self.actor)
        self._reset(self.users, "login", "role", "coach", "team")
        if old is None:
            return f"Gebruiker {login} toegevoegd met rol {stored}."
        if old == stored:
            return f"Gebruiker {login} had al rol {stored}; niets gewijzigd."
        return f"Gebruiker {login}: rol gewijzigd van {old} naar {stored}."

    def deactivate_user(self) -> str:
        """Deactivate the chosen user."""
        return org.deactivate_user(self.store, self._chosen(self.users, "gebruiker"),
                                   actor=self.actor).summary()

    # -- helpers ----------------------------------------------------------------------------
    def _chosen(self, part: Part, what: str) -> Any:
        value = part.fields["off"].get()
        if value is None:
            raise InvalidRecord(what.capitalize(), [FieldProblem(
                "off", part.fields["off"].label, f"kies eerst een {what}")])
        return value

    @staticmethod
    def _reset(part: Part, *keys: str) -> None:
        for key in keys:
            part.fields[key].reset()

    def _hand_over_note(self) -> None:
        code = self.coaches.fields["off"].get()
        if code is None:
            self.coaches.off_note.value = ""
            return
        count = org.open_cases(self.store, str(code))
        cases = "open traject" if count == 1 else "open trajecten"
        self.coaches.off_note.value = (
            f"{esc(code)} heeft {count} {cases}"
            + ("; kies hieronder wie ze overneemt." if count else "; niets over te dragen."))

    def refresh(self) -> None:
        """Read the organisation again: tables and choices."""
        teams = org.teams_frame(self.store)
        coaches = org.coaches_frame(self.store)
        cms = org.case_managers_frame(self.store)
        users = org.users_frame(self.store)
        self.teams.table.value = table_html(
            ["Team", "Regio", "Actieve jobcoaches", "Actief"],
            _cells(teams, ["name", "region", "coaches", "active"]), "Nog geen teams.")
        self.coaches.table.value = table_html(
            ["Code", "Naam", "Team", "Actief", "Open trajecten"],
            _cells(coaches, ["code", "name", "team", "active", "open_cases"]),
            "Nog geen jobcoaches.")
        self.case_managers.table.value = table_html(
            ["Naam", "Organisatie", "Actief"], _cells(cms, ["name", "organisation", "active"]),
            "Nog geen casemanagers.")
        self.users.table.value = table_html(
            ["Gebruiker", "Rol", "Omschrijving", "Actief"],
            _cells(users, ["login", "role", "label", "active"]), "Nog geen gebruikers.")
        active_teams = [(str(n), str(n)) for n in teams.loc[teams["active"], "name"]]
        active_coaches = [(f"{r.code} – {r.name}", str(r.code))
                          for r in coaches[coaches["active"]].itertuples()]
        blank: list[tuple[str, Any]] = [("— kies —", BLANK)]
        self._options(self.teams, "off", blank + active_teams)
        self._options(self.coaches, "team", [("— geen team —", BLANK), *active_teams])
        self._options(self.coaches, "off", blank + active_coaches)
        self._options(self.coaches, "hand_over_to", [("— niemand —", BLANK), *active_coaches])
        self._options(self.case_managers, "off", blank + [
            (f"{name} ({where})", int(cm_id)) for cm_id, name, where in
            cms.loc[cms["active"], ["id", "name", "organisation"]].itertuples(index=False)])
        self._options(self.users, "coach", blank + active_coaches)
        self._options(self.users, "team", blank + active_teams)
        self._options(self.users, "off", blank + [
            (f"{r.login} – {r.label}", str(r.login)) for r in users[users["active"]].itertuples()])
        self._hand_over_note()

    @staticmethod
    def _options(part: Part, key: str, options: list[tuple[str, Any]]) -> None:
        field = part.fields[key]
        assert isinstance(field, ChoiceField)
        field.set_options(options)


__all__ = ["USER_ROLES", "OrganisationPanel", "Part"]
