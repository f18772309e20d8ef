"""The register's database: its URL, the engine, and the schema migrations."""

from __future__ import annotations

import getpass
import os
from importlib import resources
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.pool import StaticPool

DEFAULT_PATH = "trajecttools.db"
ENV_URL = "TRAJECTTOOLS_DATABASE_URL"


def default_actor() -> str:
    """Return who is working: ``TRAJECTTOOLS_USER`` or the login name."""
    try:
        return os.environ.get("TRAJECTTOOLS_USER") or getpass.getuser()
    except OSError:  # no login name (containers)
        return "onbekend"


def resolve_url(target: str | os.PathLike[str] | None = None) -> str:
    """Return a database URL for a URL, a file path, or (None) the environment/default."""
    if target is None:
        target = os.environ.get(ENV_URL) or DEFAULT_PATH
    value = os.fspath(target)
    if "://" in value:
        return value
    return f"sqlite:///{Path(value).expanduser().resolve()}"


def make_engine(url: str) -> Engine:
    """Create an engine; SQLite gets WAL, foreign keys and immediate write transactions."""
    if not url.startswith("sqlite"):
        return create_engine(url, pool_pre_ping=True)
    memory = url in ("sqlite://", "sqlite:///:memory:")
    engine = create_engine(
        url,
        connect_args={"timeout": 30, "check_same_thread": False},
        poolclass=StaticPool if memory else None,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we emit BEGIN ourselves
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys = ON")
        if not memory:
            cur.execute("PRAGMA journal_mode = WAL")
            cur.execute("PRAGMA synchronous = NORMAL")
        cur.execute("PRAGMA busy_timeout = 30000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")

    return engine


def alembic_config(connection: Any) -> Any:
    cfg = Config()
    scripts = resources.files("trajecttools.register") / "migrations"
    cfg.set_main_option("script_location", str(scripts))
    cfg.attributes["connection"] = connection
    return cfg


def upgrade(engine: Engine) -> None:
    """Bring the database schema to the newest migration (creates it when empty)."""
    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), "head")


def schema_revisions(engine: Engine) -> tuple[str | None, str]:
    """Return (the database's migration revision, the newest revision of this version)."""
    with engine.connect() as conn:
        current = MigrationContext.configure(conn).get_current_revision()
        head = ScriptDirectory.from_config(alembic_config(conn)).get_current_head()
    return current, str(head)

