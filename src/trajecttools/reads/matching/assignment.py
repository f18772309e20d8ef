"""Who goes where (:func:`assign`, one-to-one with scipy) and the crowding on popular vacancies."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Final

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment

from trajecttools.core.errors import TrajecttoolsError

#: Largest (clients x positions) matrix :func:`assign` accepts.
MAX_ASSIGN_CELLS: Final = 25_000_000


def assign(
    pairs_or_scores: pd.DataFrame | np.ndarray,
    per_position: bool = True,
    *,
    capacity: Sequence[int] | np.ndarray | None = None,
) -> pd.DataFrame:
    """Propose who goes where: each client at most once, maximising the total fit.

    ``pairs_or_scores``: the pairs of :func:`match` (only ``hard_ok`` pairs are used; a
    vacancy takes up to its ``positions`` clients when ``per_position``, else one), or a
    (clients x vacancies) score matrix where NaN or -inf marks a pair that is not allowed (with
    ``capacity`` per vacancy, default 1). Solved with
    :func:`scipy.optimize.linear_sum_assignment` over the allowed pairs; a client for whom no
    allowed pair is left stays unassigned. Returns one row per proposed pair (the pair's
    columns, best score first), or for a matrix: row, col, score.
    """
    if isinstance(pairs_or_scores, pd.DataFrame):
        pairs = pairs_or_scores
        if "hard_ok" in pairs.columns:
            pairs = pairs[pairs["hard_ok"].astype(bool)]
        pairs = (pairs.sort_values("score", ascending=False, kind="stable")
                 .drop_duplicates(["trajectory_id", "vacancy_id"]))
        if pairs.empty:
            return pairs.assign(slot=pd.Series(dtype="int64")).reset_index(drop=True)
        t_codes, t_ids = pd.factorize(pairs["trajectory_id"])
        v_codes, v_ids = pd.factorize(pairs["vacancy_id"])
        scores = np.full((len(t_ids), len(v_ids)), np.nan)
        scores[t_codes, v_codes] = pairs["score"].to_numpy(dtype=float)
        if per_position and "positions" in pairs.columns:
            first = pairs.drop_duplicates("vacancy_id").set_index("vacancy_id")["positions"]
            cap = first.reindex(v_ids).fillna(1).astype(int).to_numpy()
        else:
            cap = np.ones(len(v_ids), dtype=int)
        rows, cols, slots = _solve(scores, cap, linear_sum_assignment)
        chosen = pd.DataFrame({"trajectory_id": t_ids[rows], "vacancy_id": v_ids[cols],
                               "slot": slots})
        out = chosen.merge(pairs, on=["trajectory_id", "vacancy_id"], how="left")
        return out.sort_values(["score", "trajectory_id"], ascending=[False, True],
                               kind="stable").reset_index(drop=True)
    scores = np.asarray(pairs_or_scores, dtype=float)
    if scores.ndim != 2:
        raise TrajecttoolsError("De scorematrix moet twee dimensies hebben (klanten x vacatures).")
    if capacity is None or not per_position:
        cap = np.ones(scores.shape[1], dtype=int)
    else:
        cap = np.asarray(capacity, dtype=int)
        if cap.shape != (scores.shape[1],):
            raise TrajecttoolsError("Geef per vacature één capaciteit op.")
    rows, cols, slots = _solve(scores, cap, linear_sum_assignment)
    return pd.DataFrame({"row": rows, "col": cols, "slot": slots,
                         "score": scores[rows, cols]})


def _solve(scores: np.ndarray, cap: np.ndarray, solver: Callable[..., Any]
           ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Max-weight matching with capacities: vacancy columns repeated once per position."""
    n_rows, n_cols = scores.shape
    allowed = np.isfinite(scores)
    cap = np.minimum(np.maximum(cap, 0), allowed.sum(axis=0))  # no more slots than candidates
    expand = np.repeat(np.arange(n_cols), cap)
    slot = np.arange(expand.size) - np.repeat(np.cumsum(cap) - cap, cap)
    if n_rows * expand.size > MAX_ASSIGN_CELLS:
        raise TrajecttoolsError(
            f"Te groot voor één verdeling ({n_rows} klanten x {expand.size} plaatsen); kies "
            "minder klanten of vacatures."
        )
    if expand.size == 0 or n_rows == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.int64)
    # a pair not allowed weighs 0, so a forced pair of weight 0 is the same as no pair: the
    # full assignment of maximum weight is the best partial one (pairs of score <= 0 add
    # nothing and are left out)
    weight = np.where(allowed, np.maximum(np.nan_to_num(scores, nan=0.0), 0.0), 0.0)
    rows, slots_idx = solver(weight[:, expand], maximize=True)
    cols = expand[slots_idx]
    ok = allowed[rows, cols] & (weight[rows, cols] > 0)
    return rows[ok].astype(np.int64), cols[ok].astype(np.int64), slot[slots_idx][ok]


def congestion(pairs: pd.DataFrame, top: int | None = None, *,
               words: tuple[str, str] = ("klant", "klanten")) -> pd.DataFrame:
    """Return per vacancy how many clients have it in their top ``top`` against its positions.

    Columns: vacancy_id, title, employer, positions, clients (in a top list), first_choice
    (rank 1), pressure (clients per position) and share (of all clients in ``pairs``), most
    crowded first. ``attrs["summary"]`` says in Dutch how concentrated the interest is, naming
    the clients with ``words`` (one, several: e.g. "cliënt", "cliënten" for art. 60§7).
    """
    data = pairs
    if "hard_ok" in data.columns:
        data = data[data["hard_ok"].astype(bool)]
    if top is not None:
        data = data[data["rank"] <= top]
    n_clients = int(data["trajectory_id"].nunique())
    if data.empty:
        out = pd.DataFrame(columns=["vacancy_id", "title", "employer", "positions", "clients",
                                    "first_choice", "pressure", "share"])
        out.attrs["summary"] = "Geen passende vacatures gevonden."
        return out
    grouped = data.groupby("vacancy_id", sort=False)
    out = pd.DataFrame({
        "title": grouped["title"].first(),
        "employer": grouped["employer"].first(),
        "positions": grouped["positions"].first().astype("int64"),
        "clients": grouped["trajectory_id"].nunique().astype("int64"),
        "first_choice": (data["rank"] == 1).groupby(data["vacancy_id"], sort=False).sum()
        .astype("int64"),
    }).reset_index()
    out["pressure"] = (out["clients"] / out["positions"].clip(lower=1)).round(2)
    out["share"] = (out["clients"] / max(n_clients, 1)).round(3)
    out = out.sort_values(["pressure", "clients", "vacancy_id"], ascending=[False, False, True],
                          kind="stable").reset_index(drop=True)
    crowded = out[out["clients"] > out["positions"]]
    top_share = crowded["clients"].sum() / max(data.shape[0], 1)
    clients_text = (f"1 {words[0]} wijst" if n_clients == 1
                    else f"{n_clients} {words[1]} wijzen")
    vacancies_text = "1 vacature" if len(out) == 1 else f"{len(out)} vacatures"
    if crowded.empty:
        crowd_text = "geen vacature heeft meer kandidaten dan plaatsen"
    else:
        many = "1 vacature heeft" if len(crowded) == 1 else f"{len(crowded)} vacatures hebben"
        crowd_text = (f"{many} meer kandidaten dan plaatsen ({top_share:.0%} van alle "
                      "koppelingen)")
    out.attrs["summary"] = f"{clients_text} naar {vacancies_text}; {crowd_text}."
    return out


__all__ = ["MAX_ASSIGN_CELLS", "assign", "congestion"]
