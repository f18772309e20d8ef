"""Fictional names and numbers of demo people: given and family names, BSNs."""

from __future__ import annotations

import numpy as np

from trajecttools.outputs.demo.catalogue import (
    BE_INFIXES,
    FICTIONAL_MARKERS,
    GIVEN,
    NAME_SUFFIXES,
    NL_INFIXES,
)


def fictional_family_names(
    rng: np.random.Generator, n: int, flemish: np.ndarray | None = None
) -> np.ndarray:
    """Return invented family names such as 'Oefendijk' or 'van der Proefstra'."""
    prefix = np.array(FICTIONAL_MARKERS)[rng.integers(0, len(FICTIONAL_MARKERS), n)]
    suffix = np.array(NAME_SUFFIXES)[rng.integers(0, len(NAME_SUFFIXES), n)]
    core = np.char.add(prefix, np.char.lower(suffix))
    nl_inf = np.array(NL_INFIXES)[rng.integers(0, len(NL_INFIXES), n)]
    be_inf = np.array(BE_INFIXES)[rng.integers(0, len(BE_INFIXES), n)]
    infix = nl_inf if flemish is None else np.where(flemish, be_inf, nl_inf)
    with_infix = rng.random(n) < 0.22
    return np.where(with_infix, np.char.add(np.char.add(infix, " "), core), core)


def given_names(
    rng: np.random.Generator, migrant: np.ndarray, female: np.ndarray
) -> np.ndarray:
    """Return first names from the Dutch/Flemish or migrant list of the right gender."""
    n = len(migrant)
    out = np.empty(n, dtype=object)
    for (origin, sex), names in GIVEN.items():
        mask = (migrant == (origin == "migrant")) & (female == (sex == "f"))
        out[mask] = np.array(names, dtype=object)[rng.integers(0, len(names), int(mask.sum()))]
    return out


def fictional_bsn(rng: np.random.Generator, n: int) -> np.ndarray:
    """Return n distinct 9-digit numbers that pass the Dutch elfproef (not starting with 0)."""
    prefix = rng.choice(9_000_000, size=n, replace=False) + 1_000_000  # 7 digits, unique
    digits = np.stack([(prefix // 10 ** (6 - i)) % 10 for i in range(7)], axis=1)
    weights = np.arange(9, 2, -1)
    partial = digits @ weights
    d8 = rng.integers(0, 10, n)
    check = (partial + 2 * d8) % 11
    d8 = np.where(check == 10, (d8 + 1) % 10, d8)
    check = (partial + 2 * d8) % 11
    number = prefix * 100 + d8 * 10 + check
    return number.astype(str).astype(object)
