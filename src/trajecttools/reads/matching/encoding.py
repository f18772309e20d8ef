"""Clients and vacancies as aligned numpy arrays: places, skills as bitsets, levels, barriers."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd

from trajecttools.core import vocab
from trajecttools.reads.matching.config import MatchConfig
from trajecttools.reads.matching.inputs import MatchInputs, client_hours
from trajecttools.reads.matching.rules import EDU_CODES, LANG_CODES, SECTOR_CODES

_DUTCH_NAMES: Final = frozenset({"nederlands", "nederlandse taal", "nt2", "dutch"})
_CEFR_RE = re.compile(r"\b([ABC][12])\b")


def _norm(name: object) -> str:
    return " ".join(str(name).casefold().split())


def _codes(values: pd.Series, categories: Sequence[str]) -> np.ndarray:
    index = {c: i for i, c in enumerate(categories)}
    mapped = pd.Series(values.to_numpy(dtype=object), dtype=object).map(index)
    return mapped.fillna(-1).to_numpy(dtype=np.int16)


@dataclass
class Encoded:
    """Clients and vacancies as aligned numpy arrays (vacancies in tie-break order)."""

    cl: dict[str, np.ndarray]
    va: dict[str, np.ndarray]
    clients: pd.DataFrame
    vacancies: pd.DataFrame
    skill_names: list[str]
    declined: np.ndarray  # int64 keys row * n_vacancies + col
    decision_status: dict[tuple[int, int], str]

    @property
    def n_clients(self) -> int:
        return len(self.clients)

    @property
    def n_vacancies(self) -> int:
        return len(self.vacancies)


def encode(inputs: MatchInputs, cfg: MatchConfig) -> Encoded:
    """Return the inputs as aligned arrays: vacancies with free positions, in tie-break order.

    Clients already hired through a match are left out (``skip_hired``); earlier decisions are
    kept per pair, declined pairs as keys to mask (``skip_declined``).
    """
    clients = inputs.clients.reset_index(drop=True)
    vacancies = inputs.vacancies
    if "vacancy_id" not in vacancies.columns and "id" in vacancies.columns:
        vacancies = vacancies.rename(columns={"id": "vacancy_id"})
    decisions = inputs.decisions
    if decisions is None or decisions.empty:
        decisions = pd.DataFrame({"trajectory_id": pd.Series(dtype="int64"),
                                  "vacancy_id": pd.Series(dtype="int64"),
                                  "status": pd.Series(dtype="object")})
    status = decisions["status"].astype(str)
    if cfg.skip_hired:
        hired = set(decisions.loc[status == "hired", "trajectory_id"].astype("int64"))
        if hired:
            clients = clients[~clients["trajectory_id"].astype("int64").isin(hired)]
            clients = clients.reset_index(drop=True)
    if "positions" in vacancies.columns:
        vacancies = vacancies[vacancies["positions"].fillna(1).astype("int64") > 0]
    # tie-break order: more free positions first, then the oldest vacancy number
    positions = vacancies["positions"] if "positions" in vacancies.columns else 1
    vacancies = (vacancies.assign(positions=positions)
                 .sort_values(["positions", "vacancy_id"], ascending=[False, True],
                              kind="stable")
                 .reset_index(drop=True))
    n_c = len(clients)

    # places: one code space for municipalities and one for regions
    muni = pd.factorize(pd.concat([clients["municipality"], vacancies["municipality"]],
                                  ignore_index=True).astype("string").str.casefold())[0]
    reg = pd.factorize(pd.concat([clients["region"], vacancies["region"]],
                                 ignore_index=True).astype("string").str.casefold())[0]
    skills = _vacancy_skills(vacancies)
    cl = {
        "pref": _sector_wishes(clients),
        "rank": _ranks(clients["education_level"]),
        "hours": (pd.to_numeric(clients["wished_hours"], errors="coerce").to_numpy(np.float32)
                  if "wished_hours" in clients.columns
                  else client_hours(clients).to_numpy(np.float32)),
        "muni": muni[:n_c].astype(np.int32),
        "reg": reg[:n_c].astype(np.int32),
        **_client_skills(inputs.skills, clients, skills.index, skills.n_words),
        **_client_barriers(inputs.barriers, clients),
    }
    va = {
        "sector": _codes(vacancies["sector"], SECTOR_CODES),
        "rank": _ranks(vacancies["education_level"]),
        "edu": _codes(vacancies["education_level"], EDU_CODES),
        "hours": pd.to_numeric(vacancies["hours_per_week"], errors="coerce")
        .to_numpy(np.float32),
        "muni": muni[n_c:].astype(np.int32),
        "reg": reg[n_c:].astype(np.int32),
        "licence_req": skills.licence_req,
        "lang": _codes(vacancies["language_level"], LANG_CODES),
        "req_bits": skills.req_bits,
        "wish_bits": skills.wish_bits,
        "n_req": skills.n_req,
        "n_wish": skills.n_wish,
    }
    declined, decision_status = _earlier_decisions(decisions, status, clients, vacancies, cfg)
    return Encoded(cl, va, clients, vacancies, skills.names, declined, decision_status)


@dataclass
class _VacancySkills:
    """The skills the vacancies ask, as one vocabulary and bitsets over it."""

    index: dict[str, int]  # normalised name -> code
    names: list[str]  # code -> name as first written
    licence_req: np.ndarray
    req_bits: np.ndarray
    wish_bits: np.ndarray
    n_req: np.ndarray
    n_wish: np.ndarray

    @property
    def n_words(self) -> int:
        return self.req_bits.shape[1]


def _vacancy_skills(vacancies: pd.DataFrame) -> _VacancySkills:
    """Return the vacancies' skills vocabulary (a required licence is the licence criterion)."""
    n_v = len(vacancies)
    licence_req = vacancies["driving_licence_required"].fillna(False).astype(bool).to_numpy().copy()
    vocab_index: dict[str, int] = {}
    names: list[str] = []
    req_lists: list[list[int]] = []
    wish_lists: list[list[int]] = []
    for pos, (req, wish) in enumerate(zip(vacancies["required_skills"],
                                          vacancies["wished_skills"], strict=True)):
        req_codes: list[int] = []
        for item in req if isinstance(req, list | tuple | np.ndarray) else ():
            key = _norm(item)
            if not key:
                continue
            if key.startswith("rijbewijs"):
                licence_req[pos] = True
                continue
            req_codes.append(vocab_index.setdefault(key, len(vocab_index)))
            if len(names) < len(vocab_index):
                names.append(str(item).strip())
        wish_codes: list[int] = []
        for item in wish if isinstance(wish, list | tuple | np.ndarray) else ():
            key = _norm(item)
            if not key:
                continue
            wish_codes.append(vocab_index.setdefault(key, len(vocab_index)))
            if len(names) < len(vocab_index):
                names.append(str(item).strip())
        req_lists.append(sorted(set(req_codes)))
        wish_lists.append(sorted(set(wish_codes) - set(req_codes)))
    n_words = max(1, -(-len(names) // 64))
    req_bits = np.zeros((n_v, n_words), dtype=np.uint64)
    wish_bits = np.zeros((n_v, n_words), dtype=np.uint64)
    for bits, lists in ((req_bits, req_lists), (wish_bits, wish_lists)):
        rows = np.repeat(np.arange(n_v), [len(x) for x in lists])
        codes = np.fromiter((c for x in lists for c in x), dtype=np.int64, count=rows.size)
        np.bitwise_or.at(bits, (rows, codes // 64),
                         np.left_shift(np.uint64(1), (codes % 64).astype(np.uint64)))
    return _VacancySkills(
        vocab_index, names, licence_req, req_bits, wish_bits,
        n_req=np.array([len(x) for x in req_lists], dtype=np.float32),
        n_wish=np.array([len(x) for x in wish_lists], dtype=np.float32),
    )


def _client_skills(sk: pd.DataFrame | None, clients: pd.DataFrame, vocab_index: dict[str, int],
                   n_words: int) -> dict[str, np.ndarray]:
    """Return the clients' skills as bitsets over the vacancies' vocabulary, licence, Dutch."""
    n_c = len(clients)
    cl_bits = np.zeros((n_c, n_words), dtype=np.uint64)
    known = np.zeros(n_c, dtype=bool)
    licence = np.full(n_c, -1, dtype=np.int8)
    dutch = np.full(n_c, -1, dtype=np.int8)
    if sk is not None and not sk.empty:
        # one client may have several trajectories: expand skills to every row of the client
        owner = clients["client_id"].astype("int64").to_numpy()
        order = np.argsort(owner, kind="stable")
        sk_client = sk["client_id"].astype("int64").to_numpy()
        left = np.searchsorted(owner[order], sk_client, side="left")
        right = np.searchsorted(owner[order], sk_client, side="right")
        counts = right - left
        sk_rows = np.repeat(np.arange(len(sk)), counts)
        starts = np.repeat(left, counts)
        offset = np.arange(sk_rows.size) - np.repeat(np.cumsum(counts) - counts, counts)
        rows = order[starts + offset]
        # work on the distinct names only (a register has a few hundred)
        name_codes, uniq_names = pd.factorize(sk["name"].astype(object).where(
            sk["name"].notna(), ""))
        uniq_norm = [_norm(n) for n in uniq_names]
        name_codes = name_codes[sk_rows]
        kind = sk["kind"].astype(object).where(sk["kind"].notna(), "").to_numpy()[sk_rows]
        known[rows] = True
        code = np.array([vocab_index.get(n, -1) for n in uniq_norm] + [-1],
                        dtype=np.int64)[name_codes]
        hit = code >= 0
        np.bitwise_or.at(cl_bits, (rows[hit], code[hit] // 64),
                         np.left_shift(np.uint64(1), (code[hit] % 64).astype(np.uint64)))
        lic_name = np.array([n.startswith("rijbewijs") for n in uniq_norm] + [False])
        is_lic = (kind == "driving_licence") | lic_name[name_codes]
        licence[:] = np.where(known, 0, -1)
        licence[rows[is_lic]] = 1
        dutch_name = np.array([n in _DUTCH_NAMES or n.startswith("nederlands")
                               for n in uniq_norm] + [False])
        is_dutch = (kind == "language") & dutch_name[name_codes]
        if is_dutch.any():
            lvl = pd.to_numeric(sk["level"], errors="coerce").to_numpy(dtype=float)[sk_rows]
            cefr_of = np.array([_cefr(str(n)) for n in uniq_names] + [-1], dtype=np.int8)
            cefr = cefr_of[name_codes[is_dutch]]
            from_level = np.where(np.isnan(lvl[is_dutch]), -1,
                                  np.clip(np.nan_to_num(lvl[is_dutch]) - 1, 0, 4)).astype(np.int8)
            level = np.where(cefr >= 0, cefr, from_level).astype(np.int8)
            np.maximum.at(dutch, rows[is_dutch], level)
    return {"licence": licence, "dutch": dutch, "known": known, "bits": cl_bits}


def _sector_wishes(clients: pd.DataFrame) -> np.ndarray:
    """Return each client's preferred sectors as a bitset over the sector codes (-1: none)."""
    sector_bit = {s: 1 << i for i, s in enumerate(SECTOR_CODES)}
    exploded = pd.Series(clients["preferred_sectors"].to_numpy(), dtype=object).explode()
    bits_per_row = exploded.map(sector_bit).fillna(0).astype(np.int64)
    pref = bits_per_row.groupby(level=0).sum().reindex(range(len(clients)),
                                                       fill_value=0).to_numpy()
    return np.where(pref > 0, pref, -1).astype(np.int32)


def _client_barriers(bar: pd.DataFrame | None, clients: pd.DataFrame) -> dict[str, np.ndarray]:
    """Return the highest severity of each client's open barriers per domain that matters."""
    n_c = len(clients)
    sev = {d: np.zeros(n_c, dtype=np.int8) for d in ("transport", "childcare", "language")}
    special = np.zeros(n_c, dtype=np.int8)
    if bar is not None and not bar.empty:
        if "status" in bar.columns:
            bar = bar[bar["status"].astype(str) != "resolved"]
        tpos = pd.Series(np.arange(n_c), index=clients["trajectory_id"].astype("int64"))
        rows_b = bar["trajectory_id"].astype("int64").map(tpos)
        ok = rows_b.notna().to_numpy()
        rows_i = rows_b.to_numpy()[ok].astype(np.int64)
        domain = bar["domain"].astype(str).to_numpy()[ok]
        severity = pd.to_numeric(bar["severity"], errors="coerce").fillna(0).to_numpy()[ok]
        severity = severity.astype(np.int8)
        for name, arr in sev.items():
            sel = domain == name
            np.maximum.at(arr, rows_i[sel], severity[sel])
        sel = np.isin(domain, list(vocab.SPECIAL_CATEGORY_DOMAINS))
        np.maximum.at(special, rows_i[sel], severity[sel])
    return {"transport": sev["transport"], "childcare": sev["childcare"],
            "language_barrier": sev["language"], "special": special}


def _earlier_decisions(decisions: pd.DataFrame, status: pd.Series, clients: pd.DataFrame,
                       vacancies: pd.DataFrame, cfg: MatchConfig
                       ) -> tuple[np.ndarray, dict[tuple[int, int], str]]:
    """Return the declined pairs (keys to leave out) and the latest decision per pair."""
    n_c, n_v = len(clients), len(vacancies)
    declined = np.zeros(0, dtype=np.int64)
    decision_status: dict[tuple[int, int], str] = {}
    if not decisions.empty and n_c and n_v:
        tpos = pd.Series(np.arange(n_c), index=clients["trajectory_id"].astype("int64"))
        vpos = pd.Series(np.arange(n_v), index=vacancies["vacancy_id"].astype("int64"))
        r = decisions["trajectory_id"].astype("int64").map(tpos)
        c = decisions["vacancy_id"].astype("int64").map(vpos)
        ok = (r.notna() & c.notna()).to_numpy()
        r_i = r.to_numpy()[ok].astype(np.int64)
        c_i = c.to_numpy()[ok].astype(np.int64)
        st = status.to_numpy()[ok]
        for ri, ci, s in zip(r_i, c_i, st, strict=True):
            decision_status[(int(ri), int(ci))] = str(s)  # the latest decision wins
        if cfg.skip_declined:
            keys = [ri * n_v + ci for (ri, ci), s in decision_status.items() if s == "declined"]
            declined = np.unique(np.array(keys, dtype=np.int64))
    return declined, decision_status


def _cefr(name: str) -> int:
    found = _CEFR_RE.search(str(name).upper())
    if not found:
        return -1
    code = found.group(1)
    return LANG_CODES.index(code) if code in LANG_CODES else len(LANG_CODES) - 1


def _ranks(levels: pd.Series) -> np.ndarray:
    mapped = pd.Series(levels.to_numpy(dtype=object), dtype=object).map(
        dict(vocab.EDUCATION_RANK))
    return mapped.fillna(-1).to_numpy(dtype=np.int8)


__all__ = ["Encoded", "encode"]
