"""Errors with a Dutch message a user can act on; ``str(error)`` is that message."""

from __future__ import annotations

from dataclasses import dataclass


class TrajecttoolsError(Exception):
    """Base class: every error the package raises on purpose carries a Dutch message."""


class MethodError(TrajecttoolsError):
    """A method file is broken; the message names the file and the key."""

    def __init__(self, source: str, key: str, message: str) -> None:
        self.source, self.key, self.message = source, key, message
        where = f"sleutel '{key}'" if key != "-" else "bestand"
        super().__init__(f"Methodebestand {source}: {where}: {message}")


@dataclass(frozen=True)
class FieldProblem:
    """One invalid field: its code name, Dutch label and what is wrong."""

    field: str
    label: str
    message: str

    def __str__(self) -> str:
        return f"{self.label}: {self.message}"


class InvalidRecord(TrajecttoolsError):
    """A record failed validation; nothing was written."""

    def __init__(self, entity_label: str, problems: list[FieldProblem], row: int | None = None):
        self.entity_label, self.problems, self.row = entity_label, problems, row
        where = f"{entity_label}, rij {row}" if row is not None else entity_label
        super().__init__(f"{where}: " + "; ".join(str(p) for p in problems))

    @property
    def fields(self) -> list[str]:
        return [p.field for p in self.problems]


class StaleEditError(TrajecttoolsError):
    """Someone else saved this record first; the edit was refused and nothing was overwritten."""

    def __init__(
        self,
        entity_label: str,
        entity_id: int,
        expected_version: int,
        current: dict[str, object],
        changed_by: str | None = None,
        changed_at: str | None = None,
    ) -> None:
        self.entity_label, self.entity_id = entity_label, entity_id
        self.expected_version = expected_version
        self.current = current
        version = current.get("version", 0)
        self.current_version = version if isinstance(version, int) else 0
        self.changed_by, self.changed_at = changed_by, changed_at
        who = f" door {changed_by}" if changed_by else ""
        when = f" op {changed_at}" if changed_at else ""
        super().__init__(
            f"{entity_label} {entity_id} is intussen gewijzigd{who}{when} "
            f"(versie {self.current_version}, u bewerkte versie {expected_version}). "
            "Uw wijziging is niet opgeslagen; bekijk de nieuwe gegevens en probeer opnieuw."
        )


class IllegalTransitionError(TrajecttoolsError):
    """A phase change the method does not allow."""

    def __init__(self, method: str, from_label: str, to_label: str, allowed: list[str]) -> None:
        self.allowed = allowed
        options = ", ".join(f"'{a}'" for a in allowed) if allowed else "geen (eindfase)"
        super().__init__(
            f"Faseovergang van '{from_label}' naar '{to_label}' is niet toegestaan in methode "
            f"'{method}'. Toegestaan vanuit '{from_label}': {options}."
        )


class NotFoundError(TrajecttoolsError):
    """A record that does not exist."""

    def __init__(self, entity_label: str, entity_id: object) -> None:
        super().__init__(f"{entity_label} {entity_id} bestaat niet.")


class SchemaError(TrajecttoolsError):
    """The database is not at the schema this version of trajecttools expects."""
