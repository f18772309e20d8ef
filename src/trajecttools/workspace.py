"""The register as a user works with it: the store, the user's access and the frames in one object.

``tt.open()`` returns a :class:`Workspace`. It writes like a
:class:`~trajecttools.register.store.Store` and reads frames narrowed to the user's role
(:mod:`trajecttools.reads.scope`); opening one case in full is logged
(:mod:`trajecttools.reads.case.opening`).

>>> import trajecttools as tt
>>> with tt.open("sqlite://", role="analyst") as ws:
...     ws.cases().empty
True
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import time

import pandas as pd

from trajecttools.reads import readmodel, scope
from trajecttools.reads.case.opening import open_case
from trajecttools.reads.frames import cases as cases_of
from trajecttools.reads.signals import load_inputs
from trajecttools.register.store import Store

log = logging.getLogger(__name__)


class Workspace(Store):
    """A register opened for one user: writes through the store, frames as the role may see."""

    def frame(self, name: str) -> pd.DataFrame:
        """Return one table as a DataFrame with real dtypes (dates, categoricals, nullable ints)."""
        return scope.frame(self, name)

    def cases(self, as_of: dt.date | None = None) -> pd.DataFrame:
        """Return the wide ``cases`` frame: one row a trajectory with its key facts."""
        return scope.cases(self, as_of)

    def open_case(self, trajectory_id: int) -> dict[str, pd.DataFrame]:
        """Return every row of one case in full (one frame a table); the opening is logged."""
        return open_case(self, self.access, trajectory_id)

    def audit(self) -> pd.DataFrame:
        """Return the audit log as a DataFrame, oldest first."""
        return self.frame("audit_log")


def warm(store: Store) -> None:
    """Bring the cases and signals read models up to date for the store's today (if usable)."""
    if not readmodel.usable(store):
        return
    start = time.perf_counter()
    cases_of(store, store.today)
    load_inputs(store, store.today)
    log.info("read models current in %.1f s", time.perf_counter() - start)


def open(
    target: str | os.PathLike[str] | None = None,
    *,
    actor: str | None = None,
    today: dt.date | None = None,
    role: str | None = None,
    user: str | None = None,
    coach: str | None = None,
    team: str | None = None,
) -> Workspace:
    """Open (and if needed create or migrate) a register by file path or database URL.

    ``role`` decides what frames show (default analyst: pseudonymised, see
    :mod:`trajecttools.register.access`); ``user`` is another name for ``actor``.
    """
    return Workspace(target, actor=actor or user, today=today, role=role, coach=coach, team=team)


__all__ = ["Workspace", "open", "warm"]
