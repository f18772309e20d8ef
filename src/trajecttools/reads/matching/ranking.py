"""The best pairs of active clients and open vacancies (:func:`match`), per client or vacancy."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Literal

import numpy as np
import pandas as pd

from trajecttools.core.errors import TrajecttoolsError
from trajecttools.reads.matching.config import CRITERIA, MatchConfig
from trajecttools.reads.matching.encoding import Encoded, encode
from trajecttools.reads.matching.explanations import explain
from trajecttools.reads.matching.inputs import MatchInputs, resolve_inputs
from trajecttools.reads.matching.rules import STATES
from trajecttools.reads.matching.scoring import Scorer
from trajecttools.register.store import Store


def _top_k_rows(acc: np.ndarray, k: int, floor: float) -> tuple[np.ndarray, np.ndarray]:
    """Return (row, col) of the ``k`` best values >= ``floor`` per row, ties to lower cols."""
    n, width = acc.shape
    if width == 0 or n == 0 or k <= 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    if k < width:
        kth = np.partition(acc, width - k, axis=1)[:, width - k]
        kth = np.maximum(kth, np.float32(floor))
    else:
        kth = np.full(n, floor, dtype=np.float32)
    r, c = np.nonzero(acc >= kth[:, None])
    vals = acc[r, c]
    tie = vals == kth[r]
    n_above = np.bincount(r[~tie], minlength=n)
    tie_r = r[tie]
    starts = np.searchsorted(tie_r, np.arange(n))
    tie_rank = np.arange(tie_r.size) - starts[tie_r]
    keep = ~tie
    keep[tie] = tie_rank < (k - n_above)[tie_r]
    return r[keep].astype(np.int64), c[keep].astype(np.int64)


def _rank_within(group: np.ndarray, order_keys: Sequence[np.ndarray]) -> np.ndarray:
    """Return the 1-based rank of each row within its group, ordered by the keys."""
    return _ranks_in_order(group, np.lexsort(tuple(reversed([group, *order_keys]))))


def _ranks_in_order(group: np.ndarray, order: np.ndarray) -> np.ndarray:
    """Return 1-based ranks within groups, given an order that sorts by group first."""
    g = group[order]
    starts = np.r_[0, np.flatnonzero(g[1:] != g[:-1]) + 1]
    rank = np.arange(g.size) - np.repeat(starts, np.diff(np.r_[starts, g.size]))
    out = np.empty(g.size, dtype=np.int64)
    out[order] = rank + 1
    return out


def _row_filter(enc: Encoded, clients: Iterable[int | str] | None) -> np.ndarray:
    if clients is None:
        return np.arange(enc.n_clients)
    wanted = list(clients)
    ids = {int(c) for c in wanted if not isinstance(c, str)}
    names = {c for c in wanted if isinstance(c, str)}
    frame = enc.clients
    mask = frame["trajectory_id"].astype("int64").isin(ids)
    if names:
        mask |= frame["pseudonym"].astype(str).isin(names)
    return np.flatnonzero(mask.to_numpy())


def _col_filter(enc: Encoded, vacancies: Iterable[int] | None) -> np.ndarray:
    if vacancies is None:
        return np.arange(enc.n_vacancies)
    ids = {int(v) for v in vacancies}
    return np.flatnonzero(enc.vacancies["vacancy_id"].astype("int64").isin(ids).to_numpy())


def _mask_declined(acc: np.ndarray, enc: Encoded, rows: np.ndarray,
                   cols: np.ndarray) -> None:
    if enc.declined.size == 0 or acc.size == 0:
        return
    d_rows, d_cols = np.divmod(enc.declined, enc.n_vacancies)
    r_pos = np.searchsorted(rows, d_rows)
    r_ok = (r_pos < len(rows)) & (rows[np.minimum(r_pos, len(rows) - 1)] == d_rows)
    col_pos = pd.Series(np.arange(len(cols)), index=cols)
    c_pos = col_pos.reindex(d_cols).to_numpy()
    ok = r_ok & ~np.isnan(c_pos)
    acc[r_pos[ok], c_pos[ok].astype(np.int64)] = -np.inf


def _select(scorer: Scorer, rows: np.ndarray, top: int, floor: float, by_vacancy: bool
            ) -> tuple[np.ndarray, np.ndarray]:
    """Return kept (row, col-position) pairs: top per client, or per vacancy."""
    cfg, enc = scorer.cfg, scorer.enc
    step = max(1, cfg.chunk_rows if not by_vacancy else max(cfg.chunk_rows, 2048))
    chunks = [rows[i:i + step] for i in range(0, len(rows), step)]

    def work(chunk: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        acc = scorer.dense(chunk)
        _mask_declined(acc, enc, chunk, scorer.cols)
        if by_vacancy:
            c, r = _top_k_rows(np.ascontiguousarray(acc.T), top, floor)
        else:
            r, c = _top_k_rows(acc, top, floor)
        return chunk[r], c, acc[r, c]

    if cfg.threads > 1 and len(chunks) > 1:
        with ThreadPoolExecutor(max_workers=cfg.threads) as pool:
            parts = list(pool.map(work, chunks))
    else:
        parts = [work(ch) for ch in chunks]
    if not parts:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    r = np.concatenate([p[0] for p in parts])
    c = np.concatenate([p[1] for p in parts])
    if by_vacancy and len(parts) > 1:  # best clients per vacancy over all chunks
        v = np.concatenate([p[2] for p in parts])
        rank = _rank_within(c, [-v.astype(np.float64), r])
        keep = rank <= top
        r, c = r[keep], c[keep]
    return r, c


def match(
    store_or_frames: Store | MatchInputs | Mapping[str, Any],
    top: int = 10,
    direction: Literal["client", "vacancy"] = "client",
    clients: Iterable[int | str] | None = None,
    config: MatchConfig | None = None,
    *,
    vacancies: Iterable[int] | None = None,
    as_of: dt.date | None = None,
    include_excluded: bool = False,
    reciprocal: bool = False,
) -> pd.DataFrame:
    """Return the best pairs of active clients and open vacancies, with scores and reasons.

    ``direction="client"``: the ``top`` vacancies per client (``clients``: trajectory ids or
    pseudonyms; None: all active). ``direction="vacancy"``: the ``top`` clients per vacancy
    (``vacancies``: vacancy ids; None: all open ones with free positions). Pairs failing a hard
    constraint are left out unless ``include_excluded`` (then they follow the allowed ones).
    ``reciprocal`` adds, for client rows, the client's rank among all active clients for that
    vacancy (``vacancy_rank``) and the number of allowed candidates (``candidates``).

    One row per pair: trajectory_id, pseudonym, initials, vacancy_id, title, employer,
    employer_id, sector, positions, rank, score (0-100), hard_ok, one column per criterion
    (0-100, NaN when not applicable) and its ``<criterion>_status``, the Dutch
    ``explanation`` and the latest earlier ``decision`` on the pair (None when none).
    """
    cfg = config or MatchConfig()
    if direction not in ("client", "vacancy"):
        raise TrajecttoolsError("Richting moet 'client' of 'vacancy' zijn.")
    if top < 1:
        raise TrajecttoolsError("Top moet minstens 1 zijn.")
    inputs = resolve_inputs(store_or_frames, as_of)
    enc = encode(inputs, cfg)
    rows = _row_filter(enc, clients)
    cols = _col_filter(enc, vacancies)
    scorer = Scorer(enc, cfg, cols)
    floor = -1e30 if include_excluded else 0.0
    r, c = _select(scorer, rows, top, floor, by_vacancy=direction == "vacancy")
    out = _frame(scorer, r, c, by_vacancy=direction == "vacancy", reciprocal=reciprocal)
    out.attrs["as_of"] = inputs.as_of
    return out


def _frame(scorer: Scorer, r: np.ndarray, c: np.ndarray, *, by_vacancy: bool,
           reciprocal: bool) -> pd.DataFrame:
    enc = scorer.enc
    res = scorer.pairs(r, c)
    total = np.clip(res["total"], 0.0, 1.0)
    hard_ok = res["hard_ok"]
    vac_index = scorer.cols[c]
    # order: group, allowed first, best score first, tie-break by column (or client) order
    group = vac_index if by_vacancy else r
    other = r if by_vacancy else vac_index
    # one float key: group first, then allowed pairs, then the best score (exact to ~1e-11)
    key = group.astype(np.float64) * 4.0 + np.where(hard_ok, 1.0 - total, 3.0 - total)
    order = np.lexsort((other, key))
    rank = _ranks_in_order(group, order)
    r, c, vac_index, rank, total, hard_ok = (
        r[order], c[order], vac_index[order], rank[order], total[order], hard_ok[order])
    res = {k: v[order] for k, v in res.items()}
    explanation = explain(scorer, r, c, res)
    clients, vacancies = enc.clients, enc.vacancies

    def col(frame: pd.DataFrame, name: str, index: np.ndarray) -> np.ndarray:
        if name not in frame.columns:
            return np.full(len(index), None, dtype=object)
        return frame[name].to_numpy()[index]

    data: dict[str, Any] = {
        "trajectory_id": col(clients, "trajectory_id", r).astype(np.int64),
        "pseudonym": col(clients, "pseudonym", r),
        "initials": col(clients, "initials", r),
        "vacancy_id": col(vacancies, "vacancy_id", vac_index).astype(np.int64),
        "title": col(vacancies, "title", vac_index),
        "employer": col(vacancies, "employer", vac_index),
        "employer_id": col(vacancies, "employer_id", vac_index),
        "sector": col(vacancies, "sector", vac_index),
        "positions": col(vacancies, "positions", vac_index),
        "rank": rank,
        "score": np.round(total * 100.0, 1),
        "hard_ok": hard_ok,
    }
    for criterion in CRITERIA:
        data[criterion] = np.round(res[criterion] * 100.0, 1)
    for criterion in CRITERIA:
        data[f"{criterion}_status"] = pd.Categorical.from_codes(
            res[f"{criterion}_state"].astype(np.int64), categories=pd.Index(list(STATES)))
    data["explanation"] = explanation
    data["decision"] = _decisions_of(enc, r, vac_index)
    out = pd.DataFrame(data)
    if reciprocal and not by_vacancy:
        out["vacancy_rank"], out["candidates"] = _reciprocal(scorer, r, vac_index, total,
                                                             hard_ok)
    return out


def _decisions_of(enc: Encoded, r: np.ndarray, vac_index: np.ndarray) -> np.ndarray:
    """Return the latest earlier decision of each pair (None when there is none)."""
    out = np.full(len(r), None, dtype=object)
    if not enc.decision_status or len(r) == 0:
        return out
    items = sorted((ri * enc.n_vacancies + ci, st) for (ri, ci), st in
                   enc.decision_status.items())
    keys = np.array([k for k, _ in items], dtype=np.int64)
    status = np.array([st for _, st in items], dtype=object)
    wanted = r.astype(np.int64) * enc.n_vacancies + vac_index
    pos = np.minimum(np.searchsorted(keys, wanted), len(keys) - 1)
    hit = keys[pos] == wanted
    out[hit] = status[pos[hit]]
    return out


def _reciprocal(scorer: Scorer, r: np.ndarray, vac_index: np.ndarray, total: np.ndarray,
                hard_ok: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each pair: the client's rank among all allowed clients of that vacancy."""
    enc, cfg = scorer.enc, scorer.cfg
    wanted = np.unique(vac_index)
    if wanted.size == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    sub = Scorer(enc, cfg, wanted)
    all_rows = np.arange(enc.n_clients)
    higher = np.zeros(len(r), dtype=np.int64)
    allowed = np.zeros(wanted.size, dtype=np.int64)
    pos = np.searchsorted(wanted, vac_index)
    # exact totals of every client for the wanted vacancies, in chunks
    step = max(1, cfg.chunk_rows)
    for start in range(0, enc.n_clients, step):
        chunk = all_rows[start:start + step]
        rr = np.repeat(chunk, wanted.size)
        cc = np.tile(np.arange(wanted.size), chunk.size)
        res = sub.pairs(rr, cc)
        ok = res["hard_ok"]
        acc = np.where(ok, np.clip(res["total"], 0, 1), -np.inf).reshape(chunk.size, -1)
        _mask_declined(acc, enc, chunk, wanted)
        allowed += np.isfinite(acc).sum(axis=0)
        higher += (acc[:, pos] > total[None, :] + 1e-9).sum(axis=0)
    rank = np.where(hard_ok, higher + 1, 0)
    return rank, allowed[pos]


__all__ = ["match"]
