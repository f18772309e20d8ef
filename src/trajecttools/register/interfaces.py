"""What the register's lower modules need of a store, as protocols (so they never import it).

:class:`~trajecttools.register.store.Store` satisfies all of them; the modules below it in the
register (sql, access, bsn, transactions) type their argument with these instead.
"""

from __future__ import annotations

from typing import Protocol

from sqlalchemy import Engine

from trajecttools.core.errors import StaleEditError
from trajecttools.core.method import Method


class HasEngine(Protocol):
    """Anything with a database engine (a store)."""

    @property
    def engine(self) -> Engine:
        """The engine of the register's database."""
        ...


class Settings(HasEngine, Protocol):
    """A register whose key/value settings can be read and (audited) written by its user."""

    @property
    def actor(self) -> str:
        """Who is working."""
        ...

    def info(self) -> dict[str, str]:
        """The register's key/value facts."""
        ...

    def set_info(self, key: str, value: str, *, actor: str | None = None) -> None:
        """Set one key/value fact (audited)."""
        ...


class Workflow(Protocol):
    """What a transaction asks of its store: the methods, and who changed a record meanwhile."""

    def method(self, code: str, *, field: str | None = None) -> Method:
        """The method with this code."""
        ...

    def stale_error(self, entity: str, entity_id: int, expected: int) -> StaleEditError:
        """The Dutch refusal of an edit made from an older version."""
        ...


__all__ = ["HasEngine", "Settings", "Workflow"]
