"""Checking a form before anything is written, and saving it in one transaction.

A form validates every record with :func:`trajecttools.core.validation.validate` through a
:class:`Submission` and writes nothing until all are valid, then writes them in one transaction.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, TypeVar

from trajecttools.core import validation
from trajecttools.core.errors import FieldProblem, InvalidRecord, StaleEditError, TrajecttoolsError
from trajecttools.register.transactions import Tx
from trajecttools.widgets.fields import DateField, Field, FieldSet, MomentField
from trajecttools.widgets.toolkit import Status
from trajecttools.workspace import Workspace

T = TypeVar("T")


class Refused(TrajecttoolsError):
    """The store refused part of a form; the transaction was rolled back."""


_FLOAT = re.compile(r"\b(\d+)\.(\d+)\b")
_TOO_LONG = re.compile(r"Value should have at most (\d+) items? after validation, not \d+")


def dutch_message(message: str) -> str:
    """Return a validation message in Dutch.

    validation.validate translates pydantic's messages, except "too_long" (an optional text over
    its maximum length) and numeric bounds written as "60.0"; those are put right here.
    """
    found = _TOO_LONG.fullmatch(message.strip())
    if found:
        return f"is te lang (maximaal {found.group(1)} tekens)"
    if message.startswith(("mag hoogstens", "moet minstens", "moet groter", "moet kleiner")):
        # numeric bounds come as "60.0": show them as Dutch numbers ("60", "2,5")
        message = _FLOAT.sub(lambda m: m.group(1) if m.group(2) == "0" else
                             f"{m.group(1)},{m.group(2)}", message)
    return message


class Submission:
    """The problems of one form, collected before anything is written.

    ``validate`` checks a record with :func:`validation.validate` and puts every problem next to
    its field; ``into`` does the same for problems the store finds while writing (the
    transaction then rolls back). Problems without a field go to the form's status line.
    """

    def __init__(self, today: dt.date) -> None:
        self.today = today
        self.count = 0
        self.loose: list[str] = []

    @property
    def ok(self) -> bool:
        return self.count == 0 and not self.loose

    def report(self, target: FieldSet | None, problems: Iterable[FieldProblem],
               aliases: Mapping[str, str] | None = None) -> None:
        """Show problems next to their fields (first problem of a field wins)."""
        for p in problems:
            message = dutch_message(p.message)
            f = target.find(p.field, aliases) if target is not None else None
            if f is None:
                self.loose.append(f"{p.label}: {message}")
                continue
            if not f.message:
                f.show_error(f"{f.label} {message}")
                self.count += 1

    def fail(self, f: Field, message: str) -> None:
        """Show one problem of a field found by the form itself."""
        if not f.message:
            f.show_error(f"{f.label} {message}")
            self.count += 1

    def require(self, f: Field) -> Any:
        """Return a field's value, or mark it as required when empty."""
        value = f.get()
        if value is None:
            self.fail(f, "is verplicht")
        return value

    def validate(self, target: FieldSet, entity: str, values: Mapping[str, Any],
                 aliases: Mapping[str, str] | None = None) -> dict[str, Any] | None:
        """Validate one record; return its clean values or None (problems shown)."""
        try:
            return validation.validate(entity, values, today=self.today)
        except InvalidRecord as exc:
            self.report(target, exc.problems, aliases)
            return None

    def date(self, f: DateField | MomentField, *, required: bool = False,
             not_future: bool = True) -> Any:
        """Return a field's date (or moment), showing a message when it is wrong."""
        try:
            value = f.parsed()
        except ValueError as exc:
            self.fail(f, str(exc))
            return None
        if value is None and required:
            self.fail(f, "is verplicht")
        day = value.date() if isinstance(value, dt.datetime) else value
        if not_future and day is not None and day > self.today:
            self.fail(f, "mag niet in de toekomst liggen")
        return value

    @contextmanager
    def into(self, target: FieldSet | None,
             aliases: Mapping[str, str] | None = None) -> Iterator[None]:
        """Route the store's problems of the writes in this block to ``target``'s fields."""
        try:
            yield
        except InvalidRecord as exc:
            self.report(target, exc.problems, aliases)
            raise Refused(str(exc)) from exc

    def summary(self) -> str:
        """Return the Dutch status message of a refused form."""
        parts = []
        if self.count:
            velden = "veld klopt" if self.count == 1 else "velden kloppen"
            parts.append(
                f"Niet opgeslagen: {self.count} {velden} niet. De meldingen staan in rood bij "
                "de velden."
            )
        if self.loose:
            lead = "" if parts else "Niet opgeslagen: "
            parts.append(lead + "; ".join(self.loose) + ".")
        return " ".join(parts) or "Niet opgeslagen."

    def commit(
        self,
        store: Workspace,
        actor: str,
        write: Callable[[Tx], T],
        *,
        status: Status,
        on_stale: Callable[[StaleEditError], None],
    ) -> tuple[bool, T | None]:
        """Write in one transaction when the form is valid; report why not otherwise.

        Returns (saved, what ``write`` returned). Nothing is written when the form shows
        problems, when the store refuses a record, or when someone else saved first.
        """
        if not self.ok:
            status.error(self.summary())
            return False, None
        try:
            with store.transaction(actor=actor) as tx:
                result = write(tx)
        except Refused:
            status.error(self.summary())
            return False, None
        except StaleEditError as exc:
            on_stale(exc)
            status.error(str(exc))
            return False, None
        except InvalidRecord as exc:
            self.loose.extend(str(p) for p in exc.problems)
            status.error(self.summary())
            return False, None
        except TrajecttoolsError as exc:
            status.error(f"Niet opgeslagen: {exc}")
            return False, None
        return True, result


def saved_message(what: str, actor: str) -> str:
    """Return the Dutch confirmation that names who saved (as the audit log does)."""
    now = dt.datetime.now()
    return f"{what} opgeslagen door {actor} op {now:%d-%m-%Y} om {now:%H:%M}."


__all__ = ["Refused", "Submission", "dutch_message", "saved_message"]
