"""What a meeting screen must never show, read from a register, and a finder for it.

Used by the in-process dashboard tests and the browser test: the forbidden values are the
register's own clients' names, BSNs, birth dates and free-text notes, so the check follows the
data instead of a hand-written list.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import ipywidgets as widgets
import pandas as pd

from trajecttools.core import vocab
from trajecttools.workspace import Workspace

#: Free-text columns of the model (Text or long String fields people type into).
FREE_TEXT = {
    "clients": ("wishes",),
    "network_members": ("note",),
    "trajectories": ("outcome_reason",),
    "trajectory_plans": ("goals", "rules"),
    "coach_assignments": ("reason",),
    "barriers": ("notes",),
    "contacts": ("notes",),
    "agreements": ("what", "reason_not_kept"),
    "aftercare_contacts": ("notes",),
    "end_reports": ("aftercare_summary", "results", "remaining_points", "actions_taken",
                    "continuation"),
    "match_decisions": ("reason",),
}
#: Shorter free texts ("Vergeten.", "Geen.") could occur in ordinary words: not checked.
MIN_FREE_TEXT = 12
#: Labels that may appear only on an explicitly opened case card (or as aggregates).
SPECIAL_LABELS = tuple(sorted(
    {vocab.BARRIER_DOMAINS[d] for d in vocab.SPECIAL_CATEGORY_DOMAINS}
    | {vocab.ZRM_DOMAINS[d] for d in vocab.ZRM_SPECIAL_CATEGORY}
))
_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")


def unescape_json(text: str) -> str:
    r"""Undo JSON string escapes (``\u00eb``, ``\"``, ``\n``) so values can be found as typed."""
    text = _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)
    return text.replace('\\"', '"').replace("\\n", "\n").replace("\\/", "/")


def _vocab_words() -> set[str]:
    words: set[str] = set()
    for name in dir(vocab):
        table = getattr(vocab, name)
        if hasattr(table, "values") and not isinstance(table, str):
            try:
                words |= {str(v).lower() for v in table.values()}
            except TypeError:
                continue
    return words


@dataclass
class Forbidden:
    """The identifying values of a register, each with the pattern that finds it."""

    names: list[str] = field(default_factory=list)
    family_names: list[str] = field(default_factory=list)
    bsns: list[str] = field(default_factory=list)
    birth_dates: list[str] = field(default_factory=list)
    free_texts: list[str] = field(default_factory=list)
    agencies: list[str] = field(default_factory=list)
    _patterns: list[tuple[str, tuple[str, ...], re.Pattern[str]]] = field(
        default_factory=list, repr=False)

    @classmethod
    def from_store(cls, store: Workspace) -> Forbidden:
        """Read the forbidden values of every client in ``store`` (raw rows, whatever the
        store's role would show)."""

        def table(name: str) -> pd.DataFrame:
            return pd.read_sql_table(name, store.engine)

        clients = table("clients")
        staff = [str(n) for n in table("coaches")["name"]]
        staff += [str(n) for n in table("case_managers")["name"]]
        shown = " ".join(staff + [str(n) for n in table("employers")["name"]]
                         + [str(n) for n in table("teams")["name"]])
        names = sorted({f"{g} {f}" for g, f in zip(clients["given_name"], clients["family_name"],
                                                  strict=True)} - set(staff))
        # a family name alone, unless staff or an employer legitimately shown shares it
        family = sorted({str(f) for f in clients["family_name"]
                         if len(str(f)) >= 4 and not re.search(rf"\b{re.escape(str(f))}\b",
                                                               shown)})
        bsns = sorted({str(b) for b in clients["bsn"].dropna()})
        # birth dates before the register's first registration cannot be another shown date
        first = pd.to_datetime(table("trajectories")["registered_at"]).min().date()
        born = [pd.Timestamp(b).date() for b in clients["birth_date"].dropna()]
        dates = sorted({f(d) for d in born if d < first
                        for f in (lambda d: f"{d:%d-%m-%Y}", dt.date.isoformat)})
        labels = _vocab_words()
        texts: set[str] = set()
        for name, columns in FREE_TEXT.items():
            frame = table(name)
            for column in columns:
                texts |= {str(v) for v in frame[column].dropna()
                          if len(str(v)) >= MIN_FREE_TEXT and str(v).lower() not in labels}
        agencies = sorted({str(a) for a in table("referrals")["agency"].dropna()
                           if len(str(a)) >= 3 and str(a).lower() not in labels})
        found = cls(names, family, bsns, dates, sorted(texts), agencies)
        found._compile()
        return found

    def _compile(self) -> None:
        def word(value: str) -> re.Pattern[str]:
            return re.compile(rf"(?<!\w){re.escape(value)}(?!\w)")

        def digits(value: str) -> re.Pattern[str]:
            return re.compile(rf"(?<![\d-]){re.escape(value)}(?![\d-])")

        # (what, literal forms for a fast substring test, the exact pattern)
        pats: list[tuple[str, tuple[str, ...], re.Pattern[str]]] = []
        pats += [(f"naam {v!r}", (v,), word(v)) for v in self.names]
        pats += [(f"achternaam {v!r}", (v,), word(v)) for v in self.family_names]
        pats += [(f"BSN {v}", (v,), digits(v)) for v in self.bsns]
        pats += [(f"geboortedatum {v}", (v,), digits(v)) for v in self.birth_dates]
        for v in self.free_texts:
            forms = tuple(sorted({v, html.escape(v, quote=True), html.escape(v, quote=False)}))
            pats.append((f"vrije tekst {v[:40]!r}", forms,
                         re.compile("|".join(re.escape(f) for f in forms))))
        pats += [(f"instantie {v!r}", (v,), word(v)) for v in self.agencies]
        self._patterns = pats

    def check_size(self) -> None:
        """Fail when the lists are too small for the check to mean anything."""
        assert len(self.names) >= 100, len(self.names)
        assert len(self.family_names) >= 30, len(self.family_names)
        assert len(self.bsns) >= 50, len(self.bsns)
        assert len(self.birth_dates) >= 200, len(self.birth_dates)
        assert len(self.free_texts) >= 30, len(self.free_texts)
        assert len(self.agencies) >= 5, len(self.agencies)

    def find(self, text: str) -> list[str]:
        """Return what of the forbidden values occurs in ``text`` (empty: nothing)."""
        return [what for what, forms, pattern in self._patterns
                if any(f in text for f in forms) and pattern.search(text)]


def special_labels_in(text: str) -> list[str]:
    """Return the special-category domain labels that occur in ``text``."""
    return [label for label in SPECIAL_LABELS
            if re.search(rf"(?<!\w){re.escape(label)}(?!\w)", text, flags=re.IGNORECASE)]


def _strings(value: Any, out: list[str]) -> None:
    if isinstance(value, widgets.Widget):
        return
    if isinstance(value, str):
        out.append(value)
    elif isinstance(value, dict):
        for k, v in value.items():
            out.append(str(k))
            _strings(v, out)
    elif isinstance(value, (list, tuple, set, frozenset)):
        for v in value:
            _strings(v, out)
    elif isinstance(value, (bytes, bytearray, memoryview)):
        out.append(bytes(value).decode("utf-8", "replace"))
    elif value is not None:
        out.append(str(value))


def _children(value: Any) -> Iterable[widgets.Widget]:
    if isinstance(value, widgets.Widget):
        yield value
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from _children(v)
    elif isinstance(value, dict):
        for v in value.values():
            yield from _children(v)


def synced_text(root: widgets.Widget, *, visible_only: bool = False) -> str:
    """Return every synced value of ``root`` and the widgets it refers to: what a browser
    receives. ``visible_only``: skip widgets hidden with ``display: none`` (and their
    children), i.e. what is on screen."""
    seen: set[int] = set()
    out: list[str] = []
    stack = [root]
    while stack:
        w = stack.pop()
        if id(w) in seen:
            continue
        seen.add(id(w))
        layout = getattr(w, "layout", None)
        if visible_only and layout is not None and layout.display == "none":
            continue
        if visible_only and "tt-style" in getattr(w, "_dom_classes", ()):
            continue
        for name in w.keys:
            if visible_only and name in ("layout", "style", "_dom_classes", "tooltip"):
                continue
            value = getattr(w, name)
            stack.extend(_children(value))
            _strings(value, out)
    return "\n".join(out)
