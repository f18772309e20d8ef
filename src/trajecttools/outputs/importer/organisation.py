"""Importing the organisation: coaches (``--kind coaches``) and users with their role
(``--kind users``) from CSV or Excel, for the functional administrator (role ``beheer``).

Coaches are recognised by their code, users by their login, so a second import of the same
file adds nothing ("al aanwezig"); a row naming an existing code or login with other values is
rejected (an import does not overwrite: change it with ``trajecttools organisation``). Each new
row goes through the same checks as the command line (:mod:`trajecttools.register.organisation`)
in the import's single transaction and is audited one by one.

Coaches: ``Code``, ``Naam``, ``Team`` (an existing team, by name), ``Actief`` (ja/nee, default ja).
Users: ``Gebruikersnaam``, ``Rol`` (``coach:JB01``, ``team_lead:Team Noord``, ``analyst``,
``beheer``, or the Dutch name: jobcoach, teamleider, analist, functioneel beheerder) and, for a
role given without its part after the colon, ``Code jobcoach`` or ``Team``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from trajecttools.core.errors import FieldProblem, InvalidRecord
from trajecttools.core.model import Coach, SchemaInfo, Team
from trajecttools.outputs import export as exporter
from trajecttools.outputs.importer.conversion import CONTROL, convert, text_columns
from trajecttools.outputs.importer.kinds import KIND_SPECS
from trajecttools.outputs.importer.mapping import SourceMapping, field_names, norm, source_columns
from trajecttools.outputs.importer.readers import Table, blank
from trajecttools.outputs.importer.result import ImportFileError, Prepared, Ticker, reject
from trajecttools.register import organisation as org
from trajecttools.register.access import ROLES, USER_KEY
from trajecttools.register.transactions import Tx

if TYPE_CHECKING:
    from pathlib import Path

    from trajecttools.register.store import Store

#: Dutch role names (and a few synonyms) -> role code.
ROLE_NAMES = {norm(label): code for code, label in ROLES.items()} | {
    norm(code): code for code in ROLES
} | {norm("beheerder"): "beheer", norm("teamlead"): "team_lead", norm("coach"): "coach"}

_REQUIRED = {"coaches": ("code", "name"), "users": ("login", "role")}


@dataclass
class OrganisationRows(Prepared):
    """The rows of an organisation import, already written in the import's transaction."""

    tx: Tx | None = None

    def finish(self, kind: str, source: Path) -> None:
        """Add the file's audit row and write the audit of the whole import."""
        assert self.tx is not None
        if self.new:
            self.tx.log("import", "coaches" if kind == "coaches" else "register_info", None,
                        None, None, f"{self.new} rijen uit {source.name}")
        self.tx.write_audit()


def _columns(kind: str, table_in: Table, mapping: SourceMapping,
             prep: Prepared) -> list[tuple[int, str]]:
    spec = KIND_SPECS[kind]
    seen = source_columns(table_in, mapping, field_names(kind), spec.label, prep.ignored)
    columns = [(i, target) for target, (i, _head) in seen.items()]
    for fld in _REQUIRED[kind]:
        if fld not in seen and fld not in mapping.defaults:
            raise ImportFileError(
                f"Bestand {table_in.name}: de kolom '{spec.label(fld)}' ontbreekt (verplicht)."
            )
    return columns


def _cell(value: Any, codes: dict[str, Any] | None) -> str | None:
    if blank(value):
        return None
    text = str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)
    text = text.strip()
    if codes:
        text = str(codes.get(text.casefold(), text))
    return text


def _role(raw: dict[str, str | None]) -> str | None:
    role = raw.get("role")
    if role is None or ":" in role:
        return role
    code = ROLE_NAMES.get(norm(role), role)
    scope = {"coach": raw.get("coach"), "team_lead": raw.get("team")}.get(code)
    return f"{code}:{scope}" if scope else code


def prepare_organisation(
    store: Store, session: Session, kind: str, table_in: Table, mapping: SourceMapping,
    ticker: Ticker, actor: str,
) -> OrganisationRows:
    """Check and write every row of a coaches or users file in ``session``'s transaction."""
    org.require_beheer(store, f"{'jobcoaches' if kind == 'coaches' else 'gebruikers'} importeren")
    spec = KIND_SPECS[kind]
    prep = OrganisationRows(read=len(table_in.rows) + len(table_in.broken), empty=table_in.empty)
    prep.tx = tx = Tx(store, session, actor, store.today)
    columns = _columns(kind, table_in, mapping, prep)
    prep.reject_headers = ["Regel", "Veld", "Reden", *table_in.headers]
    width = len(table_in.headers)
    seen: dict[str, int] = {}
    types, texts = exporter.column_types("coaches"), text_columns("coaches")
    for number, message in table_in.broken:
        reject(prep, number, [FieldProblem("", "Hele rij", message)], [])
        ticker.tick()
    for number, cells in table_in.rows:
        ticker.tick()
        if len(cells) < width or any(not blank(c) for c in cells[width:]):
            reject(prep, number, [FieldProblem(
                "", "Hele rij", f"heeft {len(cells)} waarden voor {width} kolommen "
                "(afgebroken of verschoven regel)")], cells)
            continue
        raw: dict[str, Any] = dict(mapping.defaults)
        for i, target in columns:
            raw[target] = cells[i]
        problems = [FieldProblem(f, spec.label(f), "bevat een onzichtbaar stuurteken")
                    for f, v in raw.items() if isinstance(v, str) and CONTROL.search(v)]
        if problems:
            reject(prep, number, problems, cells)
            continue
        try:
            if kind == "coaches":
                values, problems = convert(
                    "coaches", {f: raw.get(f) for f in ("code", "name", "active")}, types, texts,
                    mapping.codes, spec.label)
                if problems:
                    raise InvalidRecord("Jobcoach", problems, row=number)
                key = str(values.get("code") or "").casefold()
                team = _cell(raw.get("team"), mapping.codes.get("team"))
                active = True if values.get("active") is None else bool(values["active"])
                outcome = _coach_row(tx, values, team, active, key, seen, number)
            else:
                cleaned = {f: _cell(raw.get(f), mapping.codes.get(f)) for f in spec.fields}
                key = org.check_login(cleaned.get("login") or "").casefold()
                outcome = _user_row(tx, cleaned, key, seen, number)
        except InvalidRecord as exc:
            reject(prep, number, exc.problems, cells)
            continue
        seen[key] = number
        if outcome == "new":
            prep.new += 1
        else:
            prep.unchanged += 1
    prep.per_table[kind] = (prep.read, prep.new + prep.unchanged, prep.rejected_rows)
    return prep


def _duplicate(key: str, seen: dict[str, int], fld: str, label: str, what: str) -> None:
    if key in seen:
        raise InvalidRecord("", [FieldProblem(
            fld, label, f"dubbel in het bestand: zelfde {what} als regel {seen[key]}")])


def _coach_row(tx: Tx, values: dict[str, Any], team: str | None, active: bool, key: str,
               seen: dict[str, int], number: int) -> str:
    _duplicate(key, seen, "code", "Code", "code")
    old = tx.session.execute(select(Coach).where(func.lower(Coach.code) == key)).scalar()
    if old is None or not key:
        org.create_coach(tx, values.get("code") or "", values.get("name") or "", team,
                         active=active, row=number)
        return "new"
    found = tx.session.get(Team, old.team_id) if old.team_id is not None else None
    old_team = found.name if found is not None else None
    diff = [label for label, a, b in (
        ("Naam", old.name, values.get("name")),
        ("Team", (old_team or "").casefold(), (team or "").casefold()),
        ("Actief", bool(old.active), active),
    ) if a != b]
    if diff:
        raise InvalidRecord("Jobcoach", [FieldProblem(
            "code", "Code", f"jobcoach {old.code} bestaat al in het register met een andere "
            f"waarde ({', '.join(diff)}); een import overschrijft niets (wijzig met "
            "'trajecttools organisation')")])
    return "same"


def _user_row(tx: Tx, cleaned: dict[str, str | None], key: str, seen: dict[str, int],
              number: int) -> str:
    login = cleaned.get("login") or ""
    _duplicate(key, seen, "login", "Gebruikersnaam", "gebruikersnaam")
    role = org.check_role(tx, login, _role(cleaned) or "")
    stored = tx.session.execute(
        select(SchemaInfo.value).where(SchemaInfo.key == f"{USER_KEY}{login}")).scalar()
    if stored == role:
        return "same"
    if stored is not None:
        raise InvalidRecord("Gebruiker", [FieldProblem(
            "role", "Rol", f"gebruiker {login} bestaat al met rol {stored}; een import "
            "overschrijft niets (wijzig met 'trajecttools organisation user add')")], row=number)
    org.put_user(tx, login, role)
    return "new"


__all__ = ["ROLE_NAMES", "OrganisationRows", "prepare_organisation"]
