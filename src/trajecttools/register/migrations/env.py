"""Alembic environment: runs migrations on the connection the store hands over."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from trajecttools.core.model import Base

config = context.config
target_metadata = Base.metadata


def run() -> None:
    """Run migrations on the given connection (or a URL for `alembic` on the command line)."""
    connection = config.attributes.get("connection")
    if connection is None:
        engine = create_engine(config.get_main_option("sqlalchemy.url") or "sqlite://")
        with engine.begin() as conn:
            _migrate(conn)
    else:
        _migrate(connection)


def _migrate(connection: object) -> None:
    context.configure(
        connection=connection,  # type: ignore[arg-type]
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite cannot ALTER most things; batch mode copies tables
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run()
