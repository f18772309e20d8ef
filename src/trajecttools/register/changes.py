"""The change log for the read models: SQLite triggers that note every trajectory a write touches.

Triggers on every table the cases frame or the signals read append the trajectory they touch to
``read_model_changes`` (whoever writes: the store, an import, another program), so the reads layer
(:mod:`trajecttools.reads.readmodel`) recomputes only what changed.
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


def trigger_sql() -> list[str]:
    """Return the CREATE TRIGGER statements (SQLite) that log changes for the read models."""
    return [
        f"CREATE TRIGGER IF NOT EXISTS {name} AFTER {event} ON {table} FOR EACH ROW BEGIN "
        f"INSERT INTO read_model_changes (trajectory_id) {select}; END"
        for name, (event, table, select) in TRIGGERS.items()
    ]


def install(conn: Any) -> None:
    """Create the triggers on a SQLite connection and drop every read model (in its transaction).

    Changes made while triggers were missing were not logged, so no model can be trusted.
    """
    if conn.dialect.name != "sqlite":
        return
    for sql in trigger_sql():
        conn.exec_driver_sql(sql)
    conn.exec_driver_sql("DELETE FROM read_models")


def drop_triggers(conn: Any) -> None:
    """Drop the triggers (a bulk load into empty tables logs one full rebuild instead)."""
    if conn.dialect.name != "sqlite":
        return
    for name in TRIGGERS:
        conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}")


def repair(conn: Any) -> bool:
    """Install missing triggers (dropping the models that may have missed writes); True if any
    were missing. Nothing to do on other databases than SQLite."""
    if conn.dialect.name != "sqlite" or not missing_triggers(conn):
        return False
    install(conn)
    return True


def missing_triggers(conn: Any) -> list[str]:
    """Return the names of read-model triggers this SQLite database lacks."""
    found = {
        row[0]
        for row in conn.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'rm%'"
        )
    }
    return sorted(set(TRIGGERS) - found)


def invalidate(conn: Any) -> None:
    """Drop every read model on this connection (e.g. after a purge removed identities)."""
    conn.execute(text("DELETE FROM read_models"))


__all__ = ["TRIGGERS", "drop_triggers", "install", "invalidate", "missing_triggers", "repair",
           "trigger_sql"]
