"""Read models: the cases frame and the signal inputs kept current in the database.

Building the wide ``cases`` frame or the signals' inputs from the history tables means
aggregating millions of rows (10 s and more for 100 000 trajectories on a small machine). A
read model stores that result once, as of the latest data, in the table ``read_models``.
Database triggers on every table the frames read append the trajectory they touch to
``read_model_changes`` (whoever writes: the store, an import, another program), so the next
reader recomputes only the trajectories changed since and splices them in.

A read model answers for a date ``as_of`` only when nothing in the register is dated after it
(``latest_on``): the history filters are then no-ops, and the few columns that count from
``as_of`` (days in phase, days since contact, active, overdue agreements) are recomputed. For
an earlier date, or when the triggers are missing, the frames are built straight from the
tables as before. Read models are derived data, not register data: they are not audited, and a
retention purge deletes them.

On PostgreSQL several processes write at once and commit in any order. A reader reads the
stored model, the change log and every row it recomputes in one snapshot
(:func:`~trajecttools.register.sql.one_snapshot`), and stores with the model that snapshot
(``pg_current_snapshot()``); the next reader recomputes the trajectories of every logged
transaction that snapshot did not see (``pg_visible_in_snapshot``). So a reader sees a
concurrent write whole or not at all, and a write committed late is never skipped.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import logging
from collections.abc import Callable, Mapping, Sequence
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from trajecttools.core.version import __version__
from trajecttools.register.changes import missing_triggers, supported
from trajecttools.register.sql import Snapshot, one_snapshot, only_params, only_sql, read_sql

if TYPE_CHECKING:
    from trajecttools.register.store import Store

log = logging.getLogger(__name__)

#: The date the models are built "as of": later than anything a register holds.
FAR = dt.date(2200, 1, 1)
#: Bump when the frames a model holds change shape (a new column, a new rule input).
MODEL_VERSION = "1"
#: More changed trajectories than this share of the model, and it is rebuilt whole.
REBUILD_SHARE = 0.25
#: Fewer changed trajectories than this share (and than STORE_MIN) are recomputed on every
#: read without storing the result: a coach's single contact does not rewrite the whole model.
STORE_SHARE = 0.02
STORE_MIN = 500

# --------------------------------------------------------------------------------------------
# frames <-> bytes (numpy only, no pickle: a payload is data, never code)
# --------------------------------------------------------------------------------------------
_MASKED = {
    "Int64": pd.arrays.IntegerArray,
    "Float64": pd.arrays.FloatingArray,
    "boolean": pd.arrays.BooleanArray,
}


def _pack_strings(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Strings (None/NaN allowed) as one UTF-8 byte array and a missing-kind array."""
    values = np.asarray(values, dtype=object)
    missing = pd.isna(values)
    kinds = np.zeros(len(values), dtype=np.uint8)  # 0 text, 1 None, 2 NaN
    if missing.any():
        kinds[missing] = [1 if v is None else 2 for v in values[missing]]
    texts = np.where(missing, "", values)
    kind = pd.api.types.infer_dtype(texts, skipna=False) if len(texts) else "empty"
    if kind not in ("string", "empty"):
        raise ValueError(f"not text: {kind}")
    joined = "\x00".join(texts.tolist())
    if joined.count("\x00") != max(len(texts) - 1, 0):
        raise ValueError("NUL in text")
    return np.frombuffer(joined.encode("utf-8"), dtype=np.uint8), kinds


def _unpack_strings(blob: np.ndarray, kinds: np.ndarray) -> np.ndarray:
    n = len(kinds)
    parts = blob.tobytes().decode("utf-8").split("\x00") if n else []
    out = np.array(parts, dtype=object) if n else np.zeros(0, dtype=object)
    out[kinds == 1] = None
    out[kinds == 2] = np.nan
    return out


def encode(frames: Mapping[str, pd.DataFrame]) -> bytes:
    """Serialise frames (RangeIndex, text column names) to bytes with their dtypes."""
    arrays: dict[str, np.ndarray] = {}
    meta: dict[str, list[dict[str, Any]]] = {}
    for fname, df in frames.items():
        cols: list[dict[str, Any]] = []
        for i, (col, s) in enumerate(df.items()):
            key = f"{fname}.{i}"
            dtype = s.dtype
            entry: dict[str, Any] = {"name": str(col), "dtype": str(dtype)}
            if isinstance(dtype, pd.CategoricalDtype):
                entry["kind"] = "category"
                entry["ordered"] = bool(dtype.ordered)
                entry["categories_dtype"] = str(dtype.categories.dtype)
                arrays[key] = s.cat.codes.to_numpy()
                arrays[key + "c"], arrays[key + "k"] = _pack_strings(
                    np.asarray(dtype.categories, dtype=object)
                )
            elif str(dtype) in _MASKED:
                entry["kind"] = "masked"
                arr: Any = s.array  # a BaseMaskedArray: values and missing mask
                arrays[key] = np.asarray(arr._data)
                arrays[key + "m"] = np.asarray(arr._mask)
            elif str(dtype) == "datetime64[ns]":
                entry["kind"] = "datetime"
                arrays[key] = s.to_numpy().view("i8")
            elif isinstance(dtype, np.dtype) and dtype.kind in "biuf":
                entry["kind"] = "numpy"
                arrays[key] = s.to_numpy()
            else:  # object or pandas string columns: text with missing values
                entry["kind"] = "text"
                arrays[key], arrays[key + "k"] = _pack_strings(s.to_numpy(dtype=object))
            cols.append(entry)
        meta[fname] = cols
    arrays["__meta__"] = np.frombuffer(json.dumps(meta).encode("utf-8"), dtype=np.uint8)
    buf = io.BytesIO()
    np.savez(buf, **arrays)  # type: ignore[arg-type]
    return buf.getvalue()


def decode(payload: bytes) -> dict[str, pd.DataFrame]:
    """Return the frames :func:`encode` serialised, with the same dtypes."""
    with np.load(io.BytesIO(payload), allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files}
    meta = json.loads(arrays["__meta__"].tobytes().decode("utf-8"))
    out: dict[str, pd.DataFrame] = {}
    for fname, cols in meta.items():
        data: dict[str, Any] = {}
        for i, entry in enumerate(cols):
            key = f"{fname}.{i}"
            kind = entry["kind"]
            if kind == "category":
                cats = _unpack_strings(arrays[key + "c"], arrays[key + "k"])
                data[entry["name"]] = pd.Categorical.from_codes(
                    arrays[key],
                    categories=pd.Index(cats, dtype=entry.get("categories_dtype", "object")),
                    ordered=entry["ordered"],
                )
            elif kind == "masked":
                data[entry["name"]] = _MASKED[entry["dtype"]](arrays[key], arrays[key + "m"])
            elif kind == "datetime":
                data[entry["name"]] = arrays[key].view("datetime64[ns]")
            elif kind == "numpy":
                data[entry["name"]] = arrays[key]
            else:
                values = _unpack_strings(arrays[key], arrays[key + "k"])
                data[entry["name"]] = (
                    pd.Series(values, dtype=object)  # not inferred as str
                    if entry["dtype"] == "object"
                    else pd.array(values, dtype=entry["dtype"])
                )
        out[fname] = pd.DataFrame(data)
    return out


# --------------------------------------------------------------------------------------------
# keeping a model current
# --------------------------------------------------------------------------------------------
#: MAX of every date the frames filter on ``as_of``, for all or some trajectories (:only);
#: ``{day}`` marks a timestamp column (its day).
_LATEST_PARTS = (
    ("contacts", "held_on", "trajectory_id"),
    ("phase_events", "started_on", "trajectory_id"),
    ("coach_assignments", "{day}assigned_at", "trajectory_id"),
    ("trajectories", "{day}registered_at", "id"),
    ("trajectories", "phase_since", "id"),
    ("barriers", "noted_on", "trajectory_id"),
    ("barriers", "resolved_on", "trajectory_id"),
    ("zrm_assessments", "assessed_on", "trajectory_id"),
    ("ladder_steps", "assessed_on", "trajectory_id"),
    ("placements", "start_on", "trajectory_id"),
    ("aftercare_contacts", "held_on", "trajectory_id"),
    ("end_reports", "written_on", "trajectory_id"),
    ("agreements", "closed_on", "trajectory_id"),
)
_LATEST_REFERRALS = {
    "sqlite": "SELECT MAX(MAX(COALESCE(r.referred_on, '')),"
    " MAX(COALESCE(r.last_followed_up_on, '')))"
    " FROM referrals r JOIN barriers b ON b.id = r.barrier_id WHERE 1 = 1{scope}",
    "postgresql": "SELECT GREATEST(MAX(r.referred_on), MAX(r.last_followed_up_on))"
    " FROM referrals r JOIN barriers b ON b.id = r.barrier_id WHERE 1 = 1{scope}",
}
#: A timestamp column's day (``{day}column`` in :data:`_LATEST_PARTS`).
_DAY = {"sqlite": "substr({col}, 1, 10)", "postgresql": "CAST({col} AS DATE)"}
_LATEST_BENEFITS = (
    "SELECT MAX(bp.start_on) FROM benefit_periods bp JOIN trajectories t"
    " ON t.client_id = bp.client_id WHERE 1 = 1{scope}"
)


def _latest_on(store: Store, only: Sequence[int] | None) -> dt.date | None:
    """The latest date of anything the frames filter on (for ``only`` those trajectories)."""
    dialect = "postgresql" if store.engine.dialect.name == "postgresql" else "sqlite"
    day = _DAY[dialect]
    parts = [
        f"SELECT MAX({day.format(col=col[5:]) if col.startswith('{day}') else col}) AS d"
        f" FROM {table} WHERE 1 = 1{only_sql(key, only)}"
        for table, col, key in _LATEST_PARTS
    ]
    parts.append(_LATEST_REFERRALS[dialect].format(scope=only_sql("b.trajectory_id", only)))
    parts.append(_LATEST_BENEFITS.format(scope=only_sql("t.id", only)))
    sql = "SELECT MAX(d) AS d FROM (" + " UNION ALL ".join(
        f"SELECT ({p}) AS d" for p in parts
    ) + ") AS u"
    value = read_sql(store, sql, **only_params(only))["d"].iloc[0]
    if value is None or (isinstance(value, float) and np.isnan(value)) or value == "":
        return None
    return dt.date.fromisoformat(str(value)[:10])


def usable(store: Store) -> bool:
    """Whether this register can keep read models (SQLite, or PostgreSQL 14 or later, with
    every trigger in place)."""
    try:
        with store.engine.connect() as conn:
            return supported(conn) and not missing_triggers(conn)
    except OperationalError:  # pragma: no cover - an unreadable schema
        return False


def peek_latest(store: Store, name: str) -> dt.date | None:
    """The ``latest_on`` of a stored model (None when there is none or it is unusable)."""
    sql = text("SELECT latest_on FROM read_models WHERE name = :n")
    with one_snapshot(store) as snap:
        if snap is not None:  # PostgreSQL: as the rest of this read sees the register
            return _as_date(snap.conn.execute(sql, {"n": name}).scalar())
        try:
            with store.engine.connect() as conn:
                value = conn.execute(sql, {"n": name}).scalar()
        except OperationalError:  # an older schema without read models
            return None
    return _as_date(value)


def methods_key(store: Store) -> str:
    """A fingerprint of the methods the register knows (labels and stages shape the frames)."""
    digest = hashlib.sha256()
    for code, m in sorted(store.methods().items()):
        digest.update(code.encode("utf-8"))
        digest.update(m.model_dump_json().encode("utf-8"))
    return digest.hexdigest()[:16]


#: How one frame of a model is spliced: the column naming its trajectory ("client_id" frames
#: are matched through the clients of changed trajectories).
Splice = Mapping[str, str]


def _splice(
    old: Mapping[str, pd.DataFrame],
    new: Mapping[str, pd.DataFrame],
    changed: Sequence[int],
    keys: Splice,
    clients: np.ndarray,
) -> dict[str, pd.DataFrame]:
    """Replace the rows of changed trajectories in each frame, keeping trajectory order."""
    ids = np.asarray(changed, dtype=np.int64)
    out: dict[str, pd.DataFrame] = {}
    for name, frame in old.items():
        key = keys[name]
        drop = np.isin(frame[key].to_numpy(dtype=np.int64), clients if key == "client_id" else ids)
        kept, part = frame[~drop], new[name]
        if not len(part):
            merged = kept
        elif not len(kept):  # an empty read has no real dtypes (object): take the part's
            merged = part
        else:
            merged = pd.concat([kept, part], ignore_index=True)
            for col, dtype in kept.dtypes.items():
                if merged[col].dtype == dtype:
                    continue
                if isinstance(dtype, pd.CategoricalDtype):  # differing categories: object
                    merged[col] = merged[col].astype("category")
                elif part[col].isna().all():  # a part whose column is all empty (object)
                    merged[col] = merged[col].astype(dtype)
        order = np.argsort(merged[key].to_numpy(dtype=np.int64), kind="stable")
        out[name] = merged.iloc[order].reset_index(drop=True)
    return out


def current(
    store: Store,
    name: str,
    key: str,
    build: Callable[[Sequence[int] | None], dict[str, pd.DataFrame]],
    splice_keys: Splice,
) -> tuple[dict[str, pd.DataFrame], dt.date | None] | None:
    """Return the model's frames brought up to date and its ``latest_on``; None if unusable.

    ``build(None)`` builds every frame as of :data:`FAR`; ``build(ids)`` only the rows of those
    trajectories (and, for frames keyed by ``client_id``, of their clients).
    """
    if not usable(store):
        return None
    full_key = f"{MODEL_VERSION}|{__version__}|{key}"  # a new release rebuilds its models
    # PostgreSQL: the model, the change log and every recomputed row read one snapshot
    with one_snapshot(store) as snap:
        if snap is not None:  # transaction ids count in this database only (not in a restore)
            full_key += f"|{snap.where}"
        state = _state(store, snap, name, full_key)
        row = state.row
        if row is not None and state.changed == []:
            return decode(row.payload), _as_date(row.latest_on)
        changed = state.changed
        old = decode(row.payload) if changed is not None and row is not None else None
        row_latest = _as_date(row.latest_on) if row is not None else None
        first = next(iter(splice_keys))
        if old is not None and changed is not None and len(changed) <= max(
            100, REBUILD_SHARE * len(old[first])
        ):
            part = build(changed)
            clients_old = _clients_of(old, changed)
            clients_new = _clients_of(part, changed)
            frames = _splice(old, part, changed, splice_keys, np.union1d(clients_old, clients_new))
            latest_part = _latest_on(store, changed)
            latest = max((d for d in (row_latest, latest_part) if d), default=None)
            log.info("read model %s: %d trajectories updated", name, len(changed))
            if len(changed) < max(STORE_MIN, STORE_SHARE * len(old[first])):
                return frames, latest  # stored once more have changed
        else:
            frames = build(None)
            latest = _latest_on(store, None)
            log.info("read model %s: rebuilt", name)
    _save(store, name, full_key, state.mark, latest, frames)
    return frames, latest


class _State:
    """A stored model (or None), the trajectories changed since (None: rebuild whole) and the
    mark to store with a model built now (SQLite: the log's last seq; PostgreSQL: the
    snapshot)."""

    def __init__(self, row: Any, changed: list[int] | None, mark: int | str) -> None:
        self.row = row
        self.changed = changed
        self.mark = mark


def _state(store: Store, snap: Snapshot | None, name: str, full_key: str) -> _State:
    """Read the stored model and which trajectories changed since it was built."""
    if snap is not None:
        conn = snap.conn
        # the payload in binary (tens of MB): half the bytes of the text format, no hex to parse
        raw: Any = conn.connection.driver_connection
        with raw.cursor(binary=True) as cur:
            cur.execute(
                "SELECT key, snapshot, latest_on, payload FROM read_models WHERE name = %s",
                (name,),
            )
            got = cur.fetchone()
        row: Any = None if got is None else SimpleNamespace(
            key=got[0], snapshot=got[1], latest_on=got[2], payload=got[3]
        )
        if row is None or row.key != full_key or not row.snapshot:
            return _State(row, None, snap.visible)
        found = conn.execute(  # written by transactions the model's snapshot did not see
            text(
                "SELECT DISTINCT trajectory_id FROM read_model_changes WHERE tx IS NULL"
                " OR NOT pg_visible_in_snapshot(tx::text::xid8, CAST(:s AS pg_snapshot))"
            ),
            {"s": row.snapshot},
        ).scalars().all()
        return _State(row, None if None in found else [int(i) for i in found], snap.visible)
    with store.engine.connect() as conn:  # SQLite: one writer at a time, seq orders commits
        row = conn.execute(
            text("SELECT key, seq, latest_on, payload FROM read_models WHERE name = :n"),
            {"n": name},
        ).first()
        top = int(conn.execute(
            text("SELECT seq FROM sqlite_sequence WHERE name = 'read_model_changes'")
        ).scalar() or 0)
        if row is None or row.key != full_key:
            return _State(row, None, top)
        if row.seq >= top:
            return _State(row, [], top)
        found = conn.execute(
            text("SELECT DISTINCT trajectory_id FROM read_model_changes WHERE seq > :s"),
            {"s": row.seq},
        ).scalars().all()
        return _State(row, None if None in found else [int(i) for i in found], top)


def frames_on(
    store: Store,
    name: str,
    key: str,
    build: Callable[[Sequence[int] | None], dict[str, pd.DataFrame]],
    splice_keys: Splice,
    as_of: dt.date,
) -> dict[str, pd.DataFrame] | None:
    """The model's frames when it can answer for ``as_of`` (nothing dated later), else None."""
    with one_snapshot(store):
        latest = peek_latest(store, name)
        if latest is not None and as_of < latest:  # an earlier day: the history decides
            return None
        got = current(store, name, key, build, splice_keys)
    if got is None or (got[1] is not None and as_of < got[1]):
        return None
    return got[0]


def _clients_of(frames: Mapping[str, pd.DataFrame], changed: Sequence[int]) -> np.ndarray:
    """The client ids of the changed trajectories, from a frame holding both columns."""
    for frame in frames.values():
        if "client_id" in frame.columns and "trajectory_id" in frame.columns:
            hit = np.isin(frame["trajectory_id"].to_numpy(dtype=np.int64), changed)
            return np.unique(frame["client_id"].to_numpy(dtype=np.int64)[hit])
    return np.zeros(0, dtype=np.int64)


def _as_date(value: Any) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


#: PostgreSQL: store unless a model built from a later snapshot got there first (either is
#: right: the next reader recomputes what the stored snapshot did not see); prune the log of
#: transactions every stored model of this database has seen (a model restored from another
#: database's dump is rebuilt whole: its snapshot says nothing here).
_SAVE_POSTGRESQL = (
    "INSERT INTO read_models (name, key, seq, latest_on, built_at, payload, snapshot)"
    " VALUES (:n, :k, 0, :l, :b, :p, :s) ON CONFLICT (name) DO UPDATE SET"
    " key = excluded.key, latest_on = excluded.latest_on, built_at = excluded.built_at,"
    " payload = excluded.payload, snapshot = excluded.snapshot"
    " WHERE read_models.snapshot IS NULL OR excluded.key <> read_models.key"
    " OR pg_snapshot_xmax(CAST(excluded.snapshot AS pg_snapshot))"
    " >= pg_snapshot_xmax(CAST(read_models.snapshot AS pg_snapshot))",
    "DELETE FROM read_model_changes WHERE tx < (SELECT"
    " MIN(pg_snapshot_xmin(CAST(snapshot AS pg_snapshot))::text::bigint) FROM read_models"
    " WHERE right(key, length(:w)) = :w)",
)


def _save(
    store: Store,
    name: str,
    key: str,
    mark: int | str,
    latest: dt.date | None,
    frames: Mapping[str, pd.DataFrame],
) -> None:
    """Store the model unless a newer one got there first; prune the change log."""
    try:
        payload = encode(frames)
    except ValueError as exc:  # e.g. a text value the codec cannot hold: build live next time
        log.warning("read model %s not stored: %s", name, exc)
        return
    if isinstance(mark, str):
        upsert, prune = _SAVE_POSTGRESQL
        with store.engine.begin() as conn:
            conn.execute(text(upsert), {
                "n": name, "k": key, "l": latest, "s": mark, "p": payload,
                "b": dt.datetime.now(dt.UTC).replace(tzinfo=None),
            })
            conn.execute(text(prune), {"w": "|" + key.rsplit("|", 1)[-1]})
        return
    seq = mark
    try:
        engine = store.engine.connect().execution_options(sqlite_begin="IMMEDIATE")
        with engine as conn, conn.begin():
            conn.execute(
                text(
                    "INSERT INTO read_models (name, key, seq, latest_on, built_at, payload)"
                    " VALUES (:n, :k, :s, :l, :b, :p) ON CONFLICT (name) DO UPDATE SET"
                    " key = excluded.key, seq = excluded.seq, latest_on = excluded.latest_on,"
                    " built_at = excluded.built_at, payload = excluded.payload"
                    " WHERE excluded.seq >= read_models.seq OR excluded.key <> read_models.key"
                ),
                {
                    "n": name,
                    "k": key,
                    "s": seq,
                    "l": latest.isoformat() if latest else None,
                    "b": dt.datetime.now(dt.UTC).replace(tzinfo=None).isoformat(" "),
                    "p": payload,
                },
            )
            conn.execute(
                text(
                    "DELETE FROM read_model_changes"
                    " WHERE seq <= (SELECT MIN(seq) FROM read_models)"
                )
            )
    except OperationalError as exc:  # a read-only database file: the frames are still right
        log.warning("read model %s not stored: %s", name, exc)


__all__ = [
    "FAR",
    "current",
    "decode",
    "encode",
    "frames_on",
    "peek_latest",
    "usable",
]
