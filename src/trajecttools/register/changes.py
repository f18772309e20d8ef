"""The change log for the read models: triggers that note every trajectory a write touches.

Triggers on every table the cases frame or the signals read append the trajectory they touch to
``read_model_changes`` (whoever writes: the store, an import, another program), so the reads layer
(:mod:`trajecttools.reads.readmodel`) recomputes only what changed.

SQLite: row triggers; the log's ``seq`` orders the changes (SQLite has one writer at a time, so
a change with a lower ``seq`` is never committed after one with a higher). PostgreSQL: statement
triggers in PL/pgSQL over the transition tables (one log row per trajectory and statement, also
for a bulk ``UPDATE``), and each row carries the writing transaction's id (``tx``). Concurrent
writers commit in any order there, so a reader does not trust ``seq``: it asks which logged
transactions its stored model's snapshot did not see (``pg_visible_in_snapshot``).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

#: Tables with a ``trajectory_id`` column that the cases frame or the signals read.
_BY_TRAJECTORY = (
    "trajectory_plans",
    "phase_events",
    "coach_assignments",
    "barriers",
    "zrm_assessments",
    "ladder_steps",
    "contacts",
    "agreements",
    "placements",
    "aftercare_contacts",
    "end_reports",
)


def _trigger_bodies() -> dict[str, tuple[str, str, str]]:
    """Trigger name -> (event, table, the SELECT of changed trajectory ids)."""
    out: dict[str, tuple[str, str, str]] = {}
    for table in _BY_TRAJECTORY:
        out[f"rm_{table}_ins"] = ("INSERT", table, "SELECT NEW.trajectory_id")
        out[f"rm_{table}_upd"] = (
            "UPDATE", table, "SELECT NEW.trajectory_id UNION SELECT OLD.trajectory_id"
        )
        out[f"rm_{table}_del"] = ("DELETE", table, "SELECT OLD.trajectory_id")
    out["rm_trajectories_ins"] = ("INSERT", "trajectories", "SELECT NEW.id")
    out["rm_trajectories_upd"] = ("UPDATE", "trajectories", "SELECT NEW.id UNION SELECT OLD.id")
    out["rm_trajectories_del"] = ("DELETE", "trajectories", "SELECT OLD.id")
    clients = "SELECT id FROM trajectories WHERE client_id IN ({})"
    out["rm_clients_upd"] = ("UPDATE", "clients", clients.format("NEW.id, OLD.id"))
    out["rm_clients_del"] = ("DELETE", "clients", clients.format("OLD.id"))
    out["rm_benefit_periods_ins"] = ("INSERT", "benefit_periods", clients.format("NEW.client_id"))
    out["rm_benefit_periods_upd"] = (
        "UPDATE", "benefit_periods", clients.format("NEW.client_id, OLD.client_id")
    )
    out["rm_benefit_periods_del"] = ("DELETE", "benefit_periods", clients.format("OLD.client_id"))
    barriers = "SELECT trajectory_id FROM barriers WHERE id IN ({})"
    out["rm_referrals_ins"] = ("INSERT", "referrals", barriers.format("NEW.barrier_id"))
    out["rm_referrals_upd"] = (
        "UPDATE", "referrals", barriers.format("NEW.barrier_id, OLD.barrier_id")
    )
    out["rm_referrals_del"] = ("DELETE", "referrals", barriers.format("OLD.barrier_id"))
    # the signals read whether a placement's employer is a social work company
    out["rm_employers_upd"] = (
        "UPDATE", "employers", "SELECT trajectory_id FROM placements WHERE employer_id = NEW.id"
    )
    return out


TRIGGERS = _trigger_bodies()

#: PostgreSQL: trigger name -> (event, table, the SELECT of changed trajectory ids over the
#: transition table ``{rows}``: ``new_rows`` or ``old_rows``).
_PG_BY_ROWS = {
    **{table: "SELECT trajectory_id FROM {rows}" for table in _BY_TRAJECTORY},
    "trajectories": "SELECT id FROM {rows}",
    "clients": "SELECT t.id FROM trajectories t WHERE t.client_id IN (SELECT id FROM {rows})",
    "benefit_periods": "SELECT t.id FROM trajectories t"
    " WHERE t.client_id IN (SELECT client_id FROM {rows})",
    "referrals": "SELECT b.trajectory_id FROM barriers b"
    " WHERE b.id IN (SELECT barrier_id FROM {rows})",
    "employers": "SELECT p.trajectory_id FROM placements p"
    " WHERE p.employer_id IN (SELECT id FROM {rows})",
}


def _pg_select(name: str) -> tuple[str, str, str]:
    """(event, table, SELECT over the transition tables) of one trigger in :data:`TRIGGERS`."""
    event, table, _ = TRIGGERS[name]
    rows = _PG_BY_ROWS[table]
    if event == "INSERT":
        return event, table, rows.format(rows="new_rows")
    if event == "DELETE":
        return event, table, rows.format(rows="old_rows")
    return event, table, rows.format(rows="new_rows") + " UNION " + rows.format(rows="old_rows")


def pg_trigger_sql() -> list[str]:
    """Return the PL/pgSQL functions and statement triggers (PostgreSQL 14 or later) that log
    changes for the read models, in the connection's current schema."""
    out = []
    for name in TRIGGERS:
        event, table, select = _pg_select(name)
        out.append(
            f"CREATE OR REPLACE FUNCTION {name}_log() RETURNS trigger LANGUAGE plpgsql AS $$\n"
            "BEGIN\n"
            "  INSERT INTO read_model_changes (trajectory_id, tx)\n"
            f"  SELECT DISTINCT x, pg_current_xact_id()::text::bigint FROM ({select}) AS s (x);\n"
            "  RETURN NULL;\n"
            "END $$"
        )
        tables = {
            "INSERT": "NEW TABLE AS new_rows",
            "DELETE": "OLD TABLE AS old_rows",
            "UPDATE": "OLD TABLE AS old_rows NEW TABLE AS new_rows",
        }[event]
        out.append(
            f"CREATE OR REPLACE TRIGGER {name} AFTER {event} ON {table} REFERENCING {tables}"
            f" FOR EACH STATEMENT EXECUTE FUNCTION {name}_log()"
        )
    return out


def trigger_sql() -> list[str]:
    """Return the CREATE TRIGGER statements (SQLite) that log changes for the read models."""
    return [
        f"CREATE TRIGGER IF NOT EXISTS {name} AFTER {event} ON {table} FOR EACH ROW BEGIN "
        f"INSERT INTO read_model_changes (trajectory_id) {select}; END"
        for name, (event, table, select) in TRIGGERS.items()
    ]


def supported(conn: Any) -> bool:
    """Whether read-model triggers exist for this database (SQLite, PostgreSQL 14 or later)."""
    if conn.dialect.name == "sqlite":
        return True
    version = conn.dialect.server_version_info or (0,)
    return conn.dialect.name == "postgresql" and version >= (14,)


def install(conn: Any) -> None:
    """Create the triggers on a connection and drop every read model (in its transaction).

    Changes made while triggers were missing were not logged, so no model can be trusted.
    """
    if not supported(conn):
        return
    for sql in trigger_sql() if conn.dialect.name == "sqlite" else pg_trigger_sql():
        conn.exec_driver_sql(sql)
    conn.exec_driver_sql("DELETE FROM read_models")


def drop_triggers(conn: Any) -> None:
    """Drop the triggers (a bulk load into empty tables logs one full rebuild instead)."""
    if not supported(conn):
        return
    for name, (_, table, _) in TRIGGERS.items():
        on = "" if conn.dialect.name == "sqlite" else f" ON {table}"
        conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}{on}")


def repair(conn: Any) -> bool:
    """Install missing triggers (dropping the models that may have missed writes); True if any
    were missing. Nothing to do on a database without read-model triggers."""
    if not supported(conn) or not missing_triggers(conn):
        return False
    install(conn)
    return True


def missing_triggers(conn: Any) -> list[str]:
    """Return the names of read-model triggers this database lacks (all on an unsupported one)."""
    if conn.dialect.name == "sqlite":
        sql = "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'rm%'"
    elif supported(conn):  # the triggers on the tables the search path finds first
        sql = (
            "SELECT tg.tgname FROM pg_trigger tg JOIN pg_class c ON c.oid = tg.tgrelid"
            " WHERE NOT tg.tgisinternal AND starts_with(tg.tgname, 'rm_')"
            " AND c.relnamespace = to_regnamespace(current_schema())::oid"
        )
    else:
        return sorted(TRIGGERS)
    found = {row[0] for row in conn.exec_driver_sql(sql)}
    return sorted(set(TRIGGERS) - found)


def invalidate(conn: Any) -> None:
    """Drop every read model on this connection (e.g. after a purge removed identities)."""
    conn.execute(text("DELETE FROM read_models"))


__all__ = ["TRIGGERS", "drop_triggers", "install", "invalidate", "missing_triggers",
           "pg_trigger_sql", "repair", "supported", "trigger_sql"]
