"""A writer process for the PostgreSQL read-model tests (run as a script, not collected).

Usage: python tests/pg_writer.py URL TRAJECTORY MODE [COUNT]
  hold   insert a contact and an agreement for TRAJECTORY in one transaction with plain SQL
         (another program), print "ready", wait for a line on stdin, commit, print "done";
  store  COUNT times: one transaction through trajecttools adding a contact and an agreement
         for TRAJECTORY (more than once: after "ready" and a line on stdin); print "done".
Both keep "contacts minus open agreements" of that trajectory unchanged, the invariant a
reader checks: a read that shows one of the pair without the other saw half a transaction.
"""

from __future__ import annotations

import datetime as dt
import sys

from sqlalchemy import create_engine, text

AS_OF = dt.date(2026, 11, 2)


def hold(url: str, tid: int) -> None:
    engine = create_engine(url)
    with engine.connect() as conn, conn.begin():
        conn.execute(
            text("INSERT INTO contacts (trajectory_id, kind, held_on) VALUES (:t, 'progress', :d)"),
            {"t": tid, "d": AS_OF},
        )
        conn.execute(
            text("INSERT INTO agreements (trajectory_id, what, who, due_on, status, version)"
                 " VALUES (:t, 'bellen', 'client', :d, 'open', 1)"),
            {"t": tid, "d": AS_OF + dt.timedelta(days=30)},
        )
        print("ready", flush=True)
        sys.stdin.readline()
    print("done", flush=True)
    engine.dispose()


def store_writes(url: str, tid: int, count: int) -> None:
    from trajecttools.workspace import Workspace  # only here: "hold" starts fast

    day = AS_OF.strftime("%d-%m-%Y")
    with Workspace(url, actor="writer", today=AS_OF, role="beheer", migrate=False) as store:
        if count > 1:  # a series starts when the reader says so (it reads meanwhile)
            print("ready", flush=True)
            sys.stdin.readline()
        for _ in range(count):
            with store.transaction() as tx:
                tx.add("contacts", {"trajectory_id": tid, "kind": "progress", "held_on": day})
                tx.add("agreements", {"trajectory_id": tid, "what": "bellen", "who": "client",
                                      "due_on": "02-12-2026"})
    print("done", flush=True)


if __name__ == "__main__":
    url, tid, mode = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    if mode == "hold":
        hold(url, tid)
    else:
        store_writes(url, tid, int(sys.argv[4]))
