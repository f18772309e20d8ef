"""Demo builder: runs the build steps in order and loads the register into a store."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from trajecttools.core.model import ENTITIES, Base
from trajecttools.outputs.demo.care import assessments, barriers
from trajecttools.outputs.demo.contacts import aftercare, benefits, contacts
from trajecttools.outputs.demo.people import network, people, skills, staff
from trajecttools.outputs.demo.routes import build_routes
from trajecttools.outputs.demo.state import Register
from trajecttools.outputs.demo.timeline import (
    finish_timeline,
    places,
    trajectories,
    trajectory_core,
)
from trajecttools.outputs.demo.work import employers, match_decisions, placements, vacancies

#: Tables :func:`generate` fills (everything but the audit log and the register facts).
TABLES: tuple[str, ...] = tuple(
    t.name for t in Base.metadata.sorted_tables
    if t.name in ENTITIES and t.name not in ("audit_log", "register_info")
)

#: The build steps in the order they draw (a different order gives a different register).
STEPS = (
    places, trajectory_core, build_routes, finish_timeline, people, staff, employers, vacancies,
    trajectories, placements, match_decisions, network, skills, barriers, assessments, contacts,
    aftercare, benefits,
)


def generate(size: int, seed: int = 1, as_of: dt.date | None = None) -> dict[str, pd.DataFrame]:
    """Return a reproducible synthetic register of ``size`` trajectories, one frame per table.

    Every frame has exactly its table's columns (ids included, ``version`` = 1); dates are
    ``datetime64`` with NaT for missing, nullable integers ``Int64``, JSON columns Python lists
    (shared between rows: treat them as read-only). The same ``size``, ``seed`` and ``as_of``
    (default: today) give identical frames.
    """
    register = Register(size, seed, as_of or dt.date.today())
    for step in STEPS:
        step(register)
    missing = [t for t in TABLES if t not in register.frames]
    if missing:
        raise RuntimeError(f"no demo data for table(s): {', '.join(missing)}")
    return {t: register.frames[t] for t in TABLES}


def build(store: Any, size: int, seed: int = 1, as_of: dt.date | None = None) -> dict[str, int]:
    """Fill an empty store with a synthetic register; return the row count per table.

    ``as_of`` defaults to the store's today, so the register looks current to the store.
    """
    day = as_of or getattr(store, "today", None) or dt.date.today()
    counts: dict[str, int] = store.bulk_load(generate(size, seed=seed, as_of=day), actor="demo")
    # fictional people only: trainers may open it; the fictional BSNs are allowed to be stored
    store.set_info("synthetic", "true", actor="demo")
    store.set_info("bsn_enabled", "true", actor="demo")
    return counts
