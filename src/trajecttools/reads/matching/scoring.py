"""Scores of clients against vacancies: dense per chunk of clients, exact per pair.

The work is vectorised: every criterion depends on a few client attributes, so it is
evaluated once per distinct client profile against all vacancies (a small table), and a
chunk of clients is scored by adding rows of those tables. The top ``k`` per row is then taken
with ``np.partition`` (:mod:`trajecttools.reads.matching.ranking`) and explanations are built only
for
the pairs kept, once per distinct explanation (:mod:`trajecttools.reads.matching.explanations`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from trajecttools.reads.matching.config import CRITERIA, MatchConfig
from trajecttools.reads.matching.encoding import Encoded
from trajecttools.reads.matching.rules import EXCLUDED, NOT_APPLICABLE, RULES, applicable

#: Offset that pushes a pair failing a hard constraint below every allowed pair.
_HARD_PENALTY = 8.0


def _key_columns(cl: Mapping[str, np.ndarray], attrs: Sequence[str], criterion: str,
                 cfg: MatchConfig) -> np.ndarray:
    cols: list[np.ndarray] = []
    for a in attrs:
        arr = cl[a]
        if arr.dtype == np.float32:
            arr = np.where(np.isnan(arr), np.float32(-1e9), arr).view(np.int32)
        cols.append(arr.reshape(len(arr), -1).astype(np.int64))
    out = np.concatenate(cols, axis=1)
    if criterion == "barriers":  # place only matters with a transport barrier
        transport = cl["transport"] >= min(cfg.transport_severity, cfg.transport_hard_severity)
        relevant = (transport | (cl["childcare"] >= 2) | (cl["language_barrier"] >= 2)
                    | (cl["special"] >= cfg.special_severity))
        out[~transport, 4:] = -2
        out[~relevant] = -2
    return out


def factorize_rows(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return (index of the first row of each distinct key, code of every row)."""
    codes: np.ndarray
    if keys.shape[1] == 1:
        codes = pd.factorize(keys[:, 0])[0]
    else:
        frame = pd.DataFrame(keys)
        codes = frame.groupby(list(frame.columns), sort=False).ngroup().to_numpy()
    _, first = np.unique(codes, return_index=True)
    return first, codes.astype(np.int64)


def _take(arrays: Mapping[str, np.ndarray], index: np.ndarray | slice,
          shape: Literal["col", "row", "flat"]) -> dict[str, np.ndarray]:
    out = {}
    for k, v in arrays.items():
        sub = v[index]
        if shape == "col":
            sub = sub[:, None] if sub.ndim == 1 else sub[:, None, :]
        elif shape == "row":
            sub = sub[None, :] if sub.ndim == 1 else sub[None, :, :]
        out[k] = sub
    return out


@dataclass
class _Term:
    codes: np.ndarray  # client row -> table row
    table: np.ndarray  # (profiles, vacancies) float32, already weighted


class Scorer:
    """Dense scores of client chunks against all vacancies, and exact scores of pairs."""

    def __init__(self, enc: Encoded, cfg: MatchConfig, cols: np.ndarray | None = None):
        self.enc, self.cfg = enc, cfg
        self.cols = np.arange(enc.n_vacancies) if cols is None else np.asarray(cols)
        self.va = _take(enc.va, self.cols, "flat")
        weights = {c: cfg.weight(c) for c in CRITERIA}
        den = np.zeros(len(self.cols), dtype=np.float64)
        for c in CRITERIA:
            den += weights[c] * applicable(self.va, c)
        self.den = np.where(den > 0, den, 1.0)
        self.weights = weights
        self.terms: list[_Term] = []
        self.dense_rules: list[str] = []
        if enc.n_clients and len(self.cols):
            self._build_terms()

    def _factor(self, criterion: str) -> np.ndarray:
        """Per vacancy: weight / denominator where the criterion applies, else 0."""
        w = self.weights[criterion] * applicable(self.va, criterion) / self.den
        return w.astype(np.float32)

    def _build_terms(self) -> None:
        cl, cfg = self.enc.cl, self.cfg
        va_row = {k: v[None, ...] if v.ndim == 1 else v[None, :, :] for k, v in self.va.items()}
        terms: list[_Term] = []
        for criterion in CRITERIA:
            if self.weights[criterion] == 0:
                continue
            if criterion == "skills":
                terms.extend(self._skill_terms())
                continue
            rule, attrs = RULES[criterion]
            first, codes = factorize_rows(_key_columns(cl, attrs, criterion, cfg))
            if len(first) > cfg.max_table_rows:
                self.dense_rules.append(criterion)
                continue
            prof = _take({a: cl[a] for a in attrs}, first, "col")
            score, state, _ = rule(prof, va_row, cfg)
            table = score * self._factor(criterion)[None, :]
            table = np.where(state == EXCLUDED, table - _HARD_PENALTY, table)
            terms.append(_Term(codes, table.astype(np.float32)))
        self.terms = self._merge(terms)

    def _skill_terms(self) -> list[_Term]:
        """Skills as sums: unknown skills, plus blocks of skills whose combinations are few.

        The skills score is linear in which skills a client has, so a block of skills becomes
        one table with a row per combination of those skills that occurs among the clients.
        """
        enc, cfg = self.enc, self.cfg
        factor = self._factor("skills").astype(np.float64)
        known = enc.cl["known"].astype(np.int64)
        unknown_row = factor * cfg.unknown
        terms = [_Term(known, np.stack([unknown_row, np.zeros_like(factor)]).astype(np.float32))]
        k = len(enc.skill_names)
        if k == 0:
            return terms
        ww = cfg.wished_skill_weight
        listed = self.va["n_req"] + ww * self.va["n_wish"]
        scale = np.where(listed > 0, factor / np.where(listed > 0, listed, 1.0), 0.0)
        per_skill = (_unpack(self.va["req_bits"], k) + ww * _unpack(self.va["wish_bits"], k))
        per_skill = (per_skill * scale[:, None]).astype(np.float32)  # (vacancies, skills)
        words = enc.cl["bits"]
        limit = cfg.max_table_rows
        base = max(1, min(52, int(math.log2(limit))))

        def block_codes(start: int, end: int) -> np.ndarray:
            mask = np.uint64((1 << (end - start)) - 1)
            return ((words[:, start // 64] >> np.uint64(start % 64)) & mask).astype(np.int64)

        start = 0
        while start < k:
            word_end = min(k, (start // 64 + 1) * 64)  # a block stays within one word
            end = min(word_end, start + base)
            codes = block_codes(start, end)
            while end < word_end and end - start < 52:  # widen while combinations stay few
                wider = min(word_end, end + 4, start + 52)
                trial = block_codes(start, wider)
                if np.unique(trial).size > limit:
                    break
                end, codes = wider, trial
            uniq, inverse = np.unique(codes, return_inverse=True)
            bits = ((uniq[:, None] >> np.arange(end - start)) & 1).astype(np.float32)
            table = bits @ per_skill[:, start:end].T
            terms.append(_Term(inverse.astype(np.int64).ravel(), table.astype(np.float32)))
            start = end
        return terms

    def _merge(self, terms: list[_Term]) -> list[_Term]:
        """Join terms whose combined client profiles stay few: fewer passes per chunk."""
        limit = self.cfg.max_table_rows
        terms = sorted(terms, key=lambda t: t.table.shape[0])
        merged: list[_Term] = []
        for term in terms:
            for i, group in enumerate(merged):
                joint = group.codes * term.table.shape[0] + term.codes
                uniq, inverse = np.unique(joint, return_inverse=True)
                if len(uniq) <= limit:
                    g_rows, t_rows = np.divmod(uniq, term.table.shape[0])
                    table = group.table[g_rows] + term.table[t_rows]
                    merged[i] = _Term(inverse.astype(np.int64), table)
                    break
            else:
                merged.append(term)
        return merged

    def dense(self, rows: np.ndarray) -> np.ndarray:
        """Return the approximate total (0-1; below 0 when a hard constraint fails)."""
        enc, cfg = self.enc, self.cfg
        acc = np.zeros((len(rows), len(self.cols)), dtype=np.float32)
        if self.terms:
            np.take(self.terms[0].table, self.terms[0].codes[rows], axis=0, out=acc)
            tmp = np.empty_like(acc)
            for term in self.terms[1:]:
                np.take(term.table, term.codes[rows], axis=0, out=tmp)
                acc += tmp
        if self.dense_rules:
            va_row = {k: v[None, ...] if v.ndim == 1 else v[None, :, :]
                      for k, v in self.va.items()}
            prof = _take(enc.cl, rows, "col")
            for criterion in self.dense_rules:
                rule, _ = RULES[criterion]
                score, state, _ = rule(prof, va_row, cfg)
                part = score * self._factor(criterion)[None, :]
                acc += np.where(state == EXCLUDED, part - _HARD_PENALTY, part)
        return acc

    def pairs(self, rows: np.ndarray, cols: np.ndarray) -> dict[str, np.ndarray]:
        """Return exact scores, states and details of pairs (cols index ``self.cols``)."""
        cl = _take(self.enc.cl, rows, "flat")
        va = _take(self.va, cols, "flat")
        out: dict[str, np.ndarray] = {}
        total = np.zeros(len(rows), dtype=np.float64)
        hard_ok = np.ones(len(rows), dtype=bool)
        for criterion in CRITERIA:
            rule, _ = RULES[criterion]
            score, state, detail = rule(cl, va, self.cfg)
            applies = applicable(va, criterion)
            state = np.where(applies, state, NOT_APPLICABLE).astype(np.int8)
            total += self.weights[criterion] * np.where(applies, score, 0.0)
            hard_ok &= state != EXCLUDED
            out[criterion] = np.where(applies, score, np.nan)
            out[f"{criterion}_state"] = state
            out[f"{criterion}_detail"] = detail
        out["total"] = total / self.den[cols]
        out["hard_ok"] = hard_ok
        return out


def _unpack(bits: np.ndarray, k: int) -> np.ndarray:
    """Return a (rows, k) float32 0/1 matrix from little-endian uint64 bitsets."""
    as_bytes = np.ascontiguousarray(bits).view(np.uint8).reshape(len(bits), -1)
    return np.unpackbits(as_bytes, axis=1, bitorder="little")[:, :k].astype(np.float32)


__all__ = ["Scorer", "factorize_rows"]
