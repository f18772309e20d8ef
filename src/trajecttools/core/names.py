"""Names as a meeting may see them: initials that skip Dutch particles, and pseudonym codes.

>>> initials_of("Anna", "van der Berg")
'A.B.'
>>> len(new_pseudonym()), new_pseudonym()[:2]
(8, 'K-')
"""

from __future__ import annotations

import re
import secrets

import numpy as np
import pandas as pd

#: Dutch family-name particles that initials skip ("van der Berg" → "B.").
PARTICLES = {"van", "de", "der", "den", "het", "ten", "ter", "te", "op", "in", "'t", "la", "le"}

#: Letters and digits of pseudonym codes (no 0/O, 1/I look-alikes).
PSEUDONYM_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def family_initial(name: str) -> str:
    """Return the initial of a family name, skipping particles ("van der Berg" → "B")."""
    words = [w for w in re.split(r"[\s-]+", name) if w]
    core = [w for w in words if w.lower() not in PARTICLES] or words
    return core[0][:1].upper() if core else ""


def initials(given: pd.Series, family: pd.Series) -> pd.Series:
    """Return initials like "A.P." from given and family names, ignoring Dutch particles."""
    first = given.fillna("").astype(str).str.strip().str[:1].str.upper()
    # family names repeat: derive each distinct name's initial once
    codes, names = pd.factorize(family.fillna("").astype(str))
    fam_initials = np.array([family_initial(n) for n in names] + [""], dtype=object)
    fam = pd.Series(fam_initials[codes], index=family.index, dtype=object).astype(first.dtype)
    return (first + ".").where(first != "", "") + (fam + ".").where(fam != "", "")


def initials_of(given: str | None, family: str | None) -> str:
    """Return initials like "A.P." for one person (Dutch particles such as "van der" ignored)."""
    return str(initials(pd.Series([given or ""]), pd.Series([family or ""])).iloc[0])


def new_pseudonym() -> str:
    """Return a fresh random client pseudonym like ``K-7QX2MA``."""
    return "K-" + "".join(secrets.choice(PSEUDONYM_ALPHABET) for _ in range(6))


__all__ = ["PARTICLES", "PSEUDONYM_ALPHABET", "family_initial", "initials", "initials_of",
           "new_pseudonym"]
