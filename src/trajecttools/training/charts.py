"""The charts of the trainer's walkthrough (Altair, drawn as inline SVG by the steps)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import altair as alt
import pandas as pd

from trajecttools.core import vocab
from trajecttools.training.step import nl_date


def day_axis(most: int) -> alt.Axis:
    """An axis of whole days: every day up to ten, else Vega's own round numbers."""
    if most <= 10:
        return alt.Axis(values=list(range(most + 1)), format="d")
    return alt.Axis(tickMinStep=1, format="d")


def code_label(codes: Mapping[str, str]) -> Callable[[object], str]:
    """Return a function giving the Dutch label of a code (the code itself when unknown)."""
    return lambda code: codes.get(str(code), str(code))


def limit_text(limit: Any) -> str:
    """Return a placement limit in Dutch ("maximaal 6 maanden"), empty when there is none."""
    if limit is None:
        return ""
    most, least = getattr(limit, "max_months", None), getattr(limit, "min_months", None)
    if most:
        return f"maximaal {most} maanden"
    return f"minstens {least} maanden" if least else ""


def zrm_chart(zrm: pd.DataFrame) -> alt.Chart:
    """Return the ZRM scores per domain; with two assessments, before and after side by side."""
    long = zrm.melt(id_vars=["assessed_on"], value_vars=list(vocab.ZRM_DOMAINS),
                    var_name="domain", value_name="score").dropna(subset=["score"])
    long["Domein"] = long["domain"].map(code_label(vocab.ZRM_DOMAINS))
    long["Meting"] = long["assessed_on"].map(nl_date)
    long["Score"] = long["score"].astype(int)
    order = [vocab.ZRM_DOMAINS[d] for d in vocab.ZRM_DOMAINS]
    rounds = [nl_date(d) for d in sorted(long["assessed_on"].unique())]  # first measurement first
    return alt.Chart(long[["Domein", "Meting", "Score"]]).mark_bar().encode(
        y=alt.Y("Domein:N", sort=order, title=None),
        yOffset=alt.YOffset("Meting:N", sort=rounds),
        x=alt.X("Score:Q", scale=alt.Scale(domain=[0, 5]), title="Zelfredzaamheid (1–5)",
                axis=alt.Axis(values=[1, 2, 3, 4, 5])),
        color=alt.Color("Meting:N", title="Meting", sort=rounds,
                        scale=alt.Scale(range=["#9ab8d0", "#1f5f8b"])),
    ).properties(width=380, height=alt.Step(14 if long["Meting"].nunique() > 1 else 20))


__all__ = ["code_label", "day_axis", "limit_text", "zrm_chart"]
