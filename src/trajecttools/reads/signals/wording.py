"""Dutch words for the numbers in the signal sentences: days, weeks, months, counts, lateness."""

from __future__ import annotations

import numpy as np

from trajecttools.reads.signals.arrays import fmt_ints


def n_days(n: int) -> str:
    """A number of days: "1 dag", "n dagen"."""
    return "1 dag" if n == 1 else f"{n} dagen"


def period_days(n: int) -> str:
    """A rule's number of days in words: whole weeks from two weeks on, else days."""
    if n >= 14 and n % 7 == 0:
        return f"{n // 7} weken"
    return n_days(n)


def n_months(n: int) -> str:
    """A number of months: "1 maand", "n maanden"."""
    return "1 maand" if n == 1 else f"{n} maanden"


def n_weeks(n: int) -> str:
    """A number of weeks: "1 week", "n weken"."""
    return "1 week" if n == 1 else f"{n} weken"


def counted(n: int, one: str, more: str) -> str:
    """ "1 thing", "n things", or nothing for zero."""
    return "" if n == 0 else f"1 {one}" if n == 1 else f"{n} {more}"


def late(days: np.ndarray) -> np.ndarray:
    """Days overdue in words: "n dagen te laat", one element a signal."""
    return fmt_ints(days, lambda n: f"{n_days(n)} te laat")


__all__ = ["counted", "late", "n_days", "n_months", "n_weeks", "period_days"]
