"""The audit chain: every change is a row chained to the previous one by its SHA-256 hash."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from typing import Any

import numpy as np
from sqlalchemy import Engine, select

from trajecttools.core.model import AuditEntry

GENESIS_HASH = "0" * 64

#: Columns of an audit row that the chain check reads.
_CHAIN_COLUMNS = (
    "id", "at", "actor", "action", "entity", "entity_id", "field", "old", "new", "prev_hash",
    "hash", "hash_version", "old_digest", "new_digest", "redacted_at",
)


def jsonable(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, np.generic):
        return value.item()
    return value


def as_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    return json.dumps(jsonable(value), ensure_ascii=False, default=jsonable, sort_keys=True)


def value_digest(value: str | None) -> str | None:
    """Return the SHA-256 digest of an audit value (None for None)."""
    return None if value is None else hashlib.sha256(value.encode("utf-8")).hexdigest()


def audit_hash(prev_hash: str, entry: Mapping[str, Any]) -> str:
    """Return the chain hash of an audit row given the previous row's hash.

    Version 2 rows chain the digests of old/new (kept when a purge redacts the values);
    version 1 rows (written before schema 0004) chain the values themselves.
    """
    at = entry["at"]
    if (entry.get("hash_version") or 1) >= 2:
        parts = [
            prev_hash,
            "v2",
            at.isoformat() if isinstance(at, dt.datetime) else str(at),
            entry["actor"],
            entry["action"],
            entry["entity"],
            "" if entry["entity_id"] is None else str(int(entry["entity_id"])),
            entry["field"] or "",
            entry["old_digest"] or "",
            entry["new_digest"] or "",
        ]
        return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()
    parts = [
        prev_hash,
        at.isoformat() if isinstance(at, dt.datetime) else str(at),
        entry["actor"],
        entry["action"],
        entry["entity"],
        "" if entry["entity_id"] is None else str(int(entry["entity_id"])),
        entry["field"] or "",
        "" if entry["old"] is None else entry["old"],
        "" if entry["new"] is None else entry["new"],
    ]
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def verify(engine: Engine) -> list[str]:
    """Check the audit log's hash chain; return Dutch descriptions of every break."""
    problems: list[str] = []
    prev = GENESIS_HASH
    with engine.connect() as conn:
        result = conn.execute(
            select(*[getattr(AuditEntry, c) for c in _CHAIN_COLUMNS]).order_by(AuditEntry.id)
        )
        for row in result:
            entry = row._asdict()
            if entry["prev_hash"] != prev:
                problems.append(
                    f"Auditregel {entry['id']}: verwijst niet naar de vorige regel "
                    "(regel verwijderd of ingevoegd)."
                )
            changed = audit_hash(entry["prev_hash"], entry) != entry["hash"]
            if (entry["hash_version"] or 1) >= 2:
                for side in ("old", "new"):
                    value, digest = entry[side], entry[f"{side}_digest"]
                    if value is not None and value_digest(value) != digest:
                        changed = True
                    elif value is None and digest is not None and entry["redacted_at"] is None:
                        changed = True  # value removed outside a purge
            if changed:
                problems.append(f"Auditregel {entry['id']}: inhoud gewijzigd na het schrijven.")
            prev = entry["hash"]
    return problems
