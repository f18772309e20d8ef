"""The Dutch reasons of a pair at the Matchtafel ("past: ...; mist: ..."), also in long form."""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Final

import numpy as np
import pandas as pd

from trajecttools.reads.matching.config import CRITERIA, CRITERION_LABELS
from trajecttools.reads.matching.rules import (
    B_CHILDCARE,
    B_LANGUAGE,
    B_SPECIAL,
    B_TRANSPORT,
    B_TRANSPORT_HARD,
    B_UNKNOWN,
    EDU_CODES,
    EXCLUDED,
    LANG_CODES,
    MATCH,
    MISMATCH,
    NOT_APPLICABLE,
    PARTIAL,
    STATE_LABELS,
    UNKNOWN,
)
from trajecttools.reads.matching.scoring import Scorer, factorize_rows

_EDU_SHORT: Final = MappingProxyType({
    "none": "geen diploma", "primary": "basisonderwijs", "vmbo": "vmbo", "mbo1": "mbo-1",
    "mbo2": "mbo-2", "mbo3": "mbo-3", "mbo4": "mbo-4", "hbo": "hbo", "wo": "wo",
    "foreign": "buitenlands diploma",
})


def _display(name: str) -> str:
    """Return a skill name for a sentence: "Rijbewijs B" -> "rijbewijs B", "VCA" stays."""
    if len(name) > 1 and name[1].islower():
        return name[0].lower() + name[1:]
    return name


def _names(bits: np.ndarray, names: Sequence[str]) -> list[str]:
    found = []
    for word, value in enumerate(bits):
        v = int(value) & 0xFFFF_FFFF_FFFF_FFFF
        while v:
            low = v & -v
            idx = word * 64 + low.bit_length() - 1
            if idx < len(names):
                found.append(_display(names[idx]))
            v ^= low
    return found


#: Bit layout of the packed explanation key: (field, bits), low bits first.
_KEY_FIELDS: Final = (
    *((f"state_{c}", 3) for c in CRITERIA),
    ("c_hours", 7), ("v_hours", 7), ("c_lang", 3), ("v_lang", 3), ("v_edu", 4),
    ("barrier", 6), ("sector_side", 2), ("hours_side", 2), ("lang_side", 2), ("skills_side", 1),
)
#: Offsets stored in the key so that every field is >= 0.
_KEY_OFFSETS: Final = MappingProxyType({"c_hours": 1, "v_hours": 1, "c_lang": 1, "v_lang": 1,
                                        "v_edu": 2})


def _pack(values: Mapping[str, np.ndarray]) -> np.ndarray:
    key = np.zeros(len(next(iter(values.values()))), dtype=np.int64)
    shift = 0
    for name, bits in _KEY_FIELDS:
        v = values[name].astype(np.int64) + _KEY_OFFSETS.get(name, 0)
        key |= np.clip(v, 0, (1 << bits) - 1) << shift
        shift += bits
    return key


def _unpack_keys(keys: np.ndarray) -> dict[str, np.ndarray]:
    """Return the fields of packed explanation keys, one array per field."""
    out: dict[str, np.ndarray] = {}
    shift = 0
    for name, bits in _KEY_FIELDS:
        out[name] = ((keys >> shift) & ((1 << bits) - 1)) - _KEY_OFFSETS.get(name, 0)
        shift += bits
    return out

_SECTIONS: Final = ("uitgesloten", "past", "mist", "wijkt af", "onbekend", "let op")
_EXCL, _FITS, _LACKS, _DIFFERS, _UNKNOWN, _NOTES = range(6)


@functools.lru_cache(maxsize=4096)
def _items(criterion: str, state: int, a: int = 0, b: int = 0) -> tuple[tuple[int, str], ...]:
    """Return the (section, text) items one criterion adds to an explanation."""
    if criterion == "skills":
        if state == UNKNOWN:
            return ((_UNKNOWN, "vaardigheden klant" if a else "vaardigheden"),)
        return ()
    if criterion == "licence":
        return {MATCH: ((_FITS, "rijbewijs"),), EXCLUDED: ((_EXCL, "rijbewijs vereist"),),
                MISMATCH: ((_LACKS, "rijbewijs"),), UNKNOWN: ((_UNKNOWN, "rijbewijs"),),
                }.get(state, ())
    if criterion == "language":
        lang = LANG_CODES[b] if 0 <= b < len(LANG_CODES) else ""
        if state == MATCH:
            return ((_FITS, f"taal {lang}"),)
        if state in (EXCLUDED, MISMATCH):
            klant = LANG_CODES[a] if 0 <= a < len(LANG_CODES) else "?"
            return ((_EXCL if state == EXCLUDED else _LACKS,
                     f"taalniveau {lang} vereist (klant {klant})"),)
        if state == UNKNOWN:
            return ((_UNKNOWN, "taalniveau klant" if a == 1 else "taaleis vacature"),)
        return ()
    if criterion == "sector_wish":
        return {MATCH: ((_FITS, "sectorwens"),),
                MISMATCH: ((_DIFFERS, "andere sector dan gewenst"),),
                UNKNOWN: ((_UNKNOWN, "sectorwens" if a == 1 else "sector vacature"),),
                }.get(state, ())
    if criterion == "level":
        edu = _EDU_SHORT.get(EDU_CODES[a], "") if 0 <= a < len(EDU_CODES) else ""
        if state == MATCH:
            return ((_FITS, "niveau"),)
        if state == PARTIAL and a == -2:
            return ((_DIFFERS, "onder opleidingsniveau"),)
        if state in (PARTIAL, MISMATCH):
            return ((_LACKS, f"opleidingsniveau (vraagt {edu})" if edu else "opleidingsniveau"),)
        if state == UNKNOWN:
            return ((_UNKNOWN, "opleidingsniveau"),)
        return ()
    if criterion == "hours":
        if state == MATCH:
            return ((_FITS, "uren"),)
        if state in (PARTIAL, MISMATCH):
            return ((_DIFFERS, f"{b} uur (wens {a})"),)
        if state == UNKNOWN:
            return ((_UNKNOWN, "urenwens" if a == 1 else "uren vacature"),)
        return ()
    if criterion == "region":
        return {MATCH: ((_FITS, "woonplaats"),), PARTIAL: ((_FITS, "regio"),),
                MISMATCH: ((_DIFFERS, "buiten de regio"),),
                UNKNOWN: ((_UNKNOWN, "woonplaats"),)}.get(state, ())
    # barriers: a is the detail bits; special-category domains are never named
    out: list[tuple[int, str]] = []
    if a & B_TRANSPORT_HARD:
        out.append((_EXCL, "vervoer (werk buiten de regio)"))
    elif a & B_TRANSPORT:
        out.append((_NOTES, "vervoer"))
    if a & B_CHILDCARE:
        out.append((_NOTES, "kinderopvang (uren)"))
    if a & B_LANGUAGE:
        out.append((_NOTES, "taal"))
    if a & B_SPECIAL:
        out.append((_NOTES, "belemmering (bijzondere categorie)"))
    if a & B_UNKNOWN and not out:
        out.append((_UNKNOWN, "uren vacature (belemmering)"))
    return tuple(out)


def _sections(keys: np.ndarray) -> list[tuple[list[str], ...]]:
    """Return the explanation items of packed keys, per section (skill names apart).

    Each criterion's items are made once per distinct (state, detail) of that criterion.
    """
    f = _unpack_keys(keys)
    args = {
        "skills": (f["skills_side"], 0 * f["skills_side"]),
        "licence": (0 * keys, 0 * keys),
        "language": (np.where(f["state_language"] != UNKNOWN, f["c_lang"], f["lang_side"]),
                     f["v_lang"]),
        "sector_wish": (f["sector_side"], 0 * keys),
        "level": (f["v_edu"], 0 * keys),
        "hours": (np.where(f["state_hours"] != UNKNOWN, f["c_hours"], f["hours_side"]),
                  np.where(f["state_hours"] != UNKNOWN, f["v_hours"], 0)),
        "region": (0 * keys, 0 * keys),
        "barriers": (f["barrier"], 0 * keys),
    }
    per_criterion = []
    for criterion in _EXPLAIN_ORDER:
        a, b = args[criterion]
        packed = (f[f"state_{criterion}"].astype(np.int64) | ((a + 8) << 3)
                  | ((np.asarray(b, dtype=np.int64) + 8) << 13))
        uniq, inverse = np.unique(packed, return_inverse=True)
        items = [_items(criterion, k & 7, ((k >> 3) & 1023) - 8, (k >> 13) - 8)
                 for k in uniq.tolist()]
        per_criterion.append([items[i] for i in inverse.ravel().tolist()])
    out = []
    for row in zip(*per_criterion, strict=True):
        sections: tuple[list[str], ...] = ([], [], [], [], [], [])
        for items in row:
            for section, text in items:
                sections[section].append(text)
        out.append(sections)
    return out


#: The order in which criteria are named within a section.
_EXPLAIN_ORDER: Final = ("skills", "licence", "language", "sector_wish", "level", "hours",
                         "region", "barriers")


def _fmt_hours(values: np.ndarray) -> np.ndarray:
    return np.where(np.isnan(values), -1, np.rint(values)).astype(np.int64)


def explain(scorer: Scorer, rows: np.ndarray, cols: np.ndarray,
             res: Mapping[str, np.ndarray]) -> np.ndarray:
    """Return the explanation of each pair, built once per distinct explanation.

    Two keys per pair: which skills it has and misses (names), and everything else packed in
    one integer; sentences are put together once per distinct pair of keys.
    """
    enc = scorer.enc
    if len(rows) == 0:
        return np.zeros(0, dtype=object)
    bits = enc.cl["bits"][rows]
    req = scorer.va["req_bits"][cols]
    wish = scorer.va["wish_bits"][cols]
    skills_state = res["skills_state"]
    show_skills = ((skills_state != NOT_APPLICABLE) & (skills_state != UNKNOWN))[:, None]
    have = np.where(show_skills, bits & (req | wish), np.uint64(0))
    missing = np.where(show_skills, req & ~bits, np.uint64(0))
    skill_first, skill_codes = factorize_rows(
        np.concatenate([have.view(np.int64), missing.view(np.int64)], axis=1))

    hours_state, lang_state = res["hours_state"], res["language_state"]
    level_state = res["level_state"]
    hours_diff = (hours_state == PARTIAL) | (hours_state == MISMATCH)
    lang_shown = (lang_state == MATCH) | (lang_state == EXCLUDED) | (lang_state == MISMATCH)
    over = (level_state == PARTIAL) & (enc.cl["rank"][rows].astype(np.int16)
                                       > scorer.va["rank"][cols])
    values = {f"state_{c}": res[f"{c}_state"] for c in CRITERIA}
    values.update({
        "c_hours": np.where(hours_diff, _fmt_hours(enc.cl["hours"][rows]), 0),
        "v_hours": np.where(hours_diff, _fmt_hours(scorer.va["hours"][cols]), 0),
        "c_lang": np.where((lang_state == EXCLUDED) | (lang_state == MISMATCH),
                           enc.cl["dutch"][rows], -1),
        "v_lang": np.where(lang_shown, scorer.va["lang"][cols], -1),
        "v_edu": np.where(over, -2, np.where((level_state == PARTIAL)
                                             | (level_state == MISMATCH),
                                             scorer.va["edu"][cols], -1)),
        "barrier": res["barriers_detail"],
        "sector_side": np.where(res["sector_wish_state"] == UNKNOWN,
                                np.where(enc.cl["pref"][rows] < 0, 1, 2), 0),
        "hours_side": np.where(hours_state == UNKNOWN,
                               np.where(np.isnan(enc.cl["hours"][rows]), 1, 2), 0),
        "lang_side": np.where(lang_state == UNKNOWN,
                              np.where(enc.cl["dutch"][rows] < 0, 1, 2), 0),
        "skills_side": np.where(skills_state == UNKNOWN, ~enc.cl["known"][rows], False),
    })
    rest = _pack(values)
    rest_uniq, rest_codes = np.unique(rest, return_inverse=True)
    pair_uniq, pair_codes = np.unique(skill_codes * len(rest_uniq) + rest_codes.ravel(),
                                      return_inverse=True)
    names = enc.skill_names
    skill_texts = [(", ".join(_names(have[i], names)), ", ".join(_names(missing[i], names)))
                   for i in skill_first]
    # per distinct rest key: the text before the skill names of "past" and "mist", the part
    # between them and the tail, so that a pair's sentence is a few concatenations
    rest_parts = []
    for excl, fits, lacks, differs, unknown, notes in _sections(rest_uniq):
        tail = "; ".join(f"{label}: {', '.join(items)}" for label, items in
                         (("wijkt af", differs), ("onbekend", unknown), ("let op", notes))
                         if items)
        rest_parts.append(("uitgesloten: " + ", ".join(excl) if excl else "",
                           ", ".join(fits), ", ".join(lacks), tail))
    n_rest = len(rest_uniq)
    texts = []
    for combined in pair_uniq.tolist():
        s_code, r_code = divmod(combined, n_rest)
        have_text, lack_text = skill_texts[s_code]
        head, fits, lacks, tail = rest_parts[r_code]
        fit = f"{have_text}, {fits}" if have_text and fits else have_text or fits
        lack = f"{lack_text}, {lacks}" if lack_text and lacks else lack_text or lacks
        parts = [head] if head else []
        if fit:
            parts.append("past: " + fit)
        if lack:
            parts.append("mist: " + lack)
        if tail:
            parts.append(tail)
        texts.append("; ".join(parts))
    return np.array(texts, dtype=object)[pair_codes.ravel()]


def criteria_frame(pairs: pd.DataFrame) -> pd.DataFrame:
    """Return the criteria of pairs in long form: one row per pair and criterion, in Dutch."""
    rows = []
    for criterion in CRITERIA:
        part = pairs[["trajectory_id", "vacancy_id"]].copy()
        part["criterion"] = criterion
        part["label"] = CRITERION_LABELS[criterion]
        part["score"] = pairs[criterion]
        part["status"] = pairs[f"{criterion}_status"].astype(str)
        part["status_label"] = part["status"].map(STATE_LABELS)
        rows.append(part)
    return pd.concat(rows, ignore_index=True)


__all__ = ["criteria_frame", "explain"]
