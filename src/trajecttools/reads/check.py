"""Consistency check of a register against its schema and its methods."""

from __future__ import annotations

import pandas as pd
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from trajecttools.core.model import Base
from trajecttools.reads.frames import CATEGORIES
from trajecttools.register import changes
from trajecttools.register.database import schema_revisions
from trajecttools.register.sql import read_sql
from trajecttools.register.store import Store


def _examples(ids: pd.Series, n: int = 5) -> str:
    shown = ", ".join(str(i) for i in ids.head(n))
    more = f" (en {len(ids) - n} meer)" if len(ids) > n else ""
    return shown + more


def check_schema(store: Store) -> list[str]:
    """Return Dutch problems where the database differs from this version's schema."""
    problems = []
    current, head = schema_revisions(store.engine)
    if current != head:
        problems.append(
            f"Schemaversie {current or 'leeg'} in plaats van {head}: "
            "voer 'trajecttools migrate' uit."
        )
    with store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
        missing = changes.missing_triggers(conn) if changes.supported(conn) else []
    for item in diff:
        problems.append(f"Schema wijkt af van het model: {item}")
    if missing and current == head:
        problems.append(
            f"Triggers van de leesmodellen ontbreken ({', '.join(missing)}): de cases-tabel en "
            "de signalen worden rechtstreeks uit de tabellen gelezen (juist, maar langzaam). "
            "Herstel met 'trajecttools migrate'."
        )
    return problems


def check_data(store: Store) -> list[str]:
    """Return Dutch problems where data break the methods' phases and transitions or code lists."""
    problems: list[str] = []
    methods = store.methods()
    traj = read_sql(store, "SELECT id, method, phase, closed_on, outcome FROM trajectories")
    unknown = traj[~traj["method"].isin(list(methods))]
    if len(unknown):
        problems.append(
            f"{len(unknown)} trajecten met een onbekende methode: "
            f"trajecten {_examples(unknown['id'])}."
        )
    allowed = {(m.code, p) for m in methods.values() for p in m.phase_codes}
    bad_phase = traj[
        [(m, p) not in allowed for m, p in zip(traj["method"], traj["phase"], strict=True)]
    ]
    if len(bad_phase):
        problems.append(
            f"{len(bad_phase)} trajecten in een fase die hun methode niet kent: "
            f"trajecten {_examples(bad_phase['id'])}."
        )
    closed = {(m.code, m.closed_phase) for m in methods.values()}
    is_closed = pd.Series(
        [(m, p) in closed for m, p in zip(traj["method"], traj["phase"], strict=True)],
        index=traj.index,
    )
    inconsistent = traj[is_closed != (traj["closed_on"].notna() & traj["outcome"].notna())]
    if len(inconsistent):
        problems.append(
            f"{len(inconsistent)} trajecten waarvan fase en afsluiting (datum, "
            f"uitkomst) niet kloppen: trajecten {_examples(inconsistent['id'])}."
        )

    events = read_sql(
        store,
        "SELECT e.trajectory_id, e.phase, t.method FROM phase_events e "
        "JOIN trajectories t ON t.id = e.trajectory_id "
        "ORDER BY e.trajectory_id, e.started_on, e.id",
    )
    same = events["trajectory_id"].eq(events["trajectory_id"].shift())
    pairs = pd.DataFrame(
        {
            "tid": events["trajectory_id"],
            "method": events["method"],
            "src": events["phase"].shift(),
            "dst": events["phase"],
        }
    )[same]
    legal = {
        (m.code, s, d) for m in methods.values() for s, ds in m.transitions.items() for d in ds
    }
    illegal = pairs[
        [
            (m, s, d) not in legal
            for m, s, d in zip(pairs["method"], pairs["src"], pairs["dst"], strict=True)
        ]
    ]
    if len(illegal):
        problems.append(
            f"{len(illegal)} faseovergangen die de methode niet toestaat: trajecten "
            f"{_examples(illegal['tid'].drop_duplicates())}."
        )
    first = events.drop_duplicates("trajectory_id", keep="first")
    initial = {m.code: m.method.initial_phase for m in methods.values()}
    wrong_start = first[first["phase"] != first["method"].map(initial)]
    if len(wrong_start):
        problems.append(
            f"{len(wrong_start)} trajecten beginnen niet in de beginfase van hun "
            f"methode: trajecten {_examples(wrong_start['trajectory_id'])}."
        )
    last = events.drop_duplicates("trajectory_id", keep="last").set_index("trajectory_id")
    current = traj.set_index("id")["phase"]
    mismatch = current[last["phase"].reindex(current.index) != current]
    if len(mismatch):
        problems.append(
            f"{len(mismatch)} trajecten waarvan de huidige fase niet de laatste "
            f"fasewissel is: trajecten {_examples(mismatch.index.to_series())}."
        )

    for (table, column), codes in CATEGORIES.items():
        found = read_sql(
            store, f'SELECT DISTINCT "{column}" AS v FROM "{table}" WHERE "{column}" IS NOT NULL'
        )["v"]
        bad = sorted(str(v) for v in found if v not in codes)
        if bad:
            problems.append(f"Tabel {table}, kolom {column}: onbekende codes {', '.join(bad)}.")
    problems.extend(store.verify_audit())
    return problems


def check(store: Store) -> list[str]:
    """Return every problem found in schema and data (an empty list means all is well)."""
    return check_schema(store) + check_data(store)
