"""Outcome tables for people: Dutch headers and group names, Dutch number formats, and the
Excel workbook a team lead sends to funders and partners.

Only aggregates go into a report: the frames of :mod:`trajecttools.reads.outcomes`, after
:func:`~trajecttools.reads.outcomes.suppress`; a suppressed figure is written as ``n < 10``.
"""

from __future__ import annotations

import datetime as dt
import io
import math
from collections.abc import Mapping, Sequence
from typing import Any, Final

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from trajecttools.core import vocab
from trajecttools.core.dates import dutch_date, is_missing
from trajecttools.reads.outcomes import GROUPS, MIN_N, Period, as_day

#: Dutch header of every column the outcome measures return.
COLUMN_LABELS: Final[Mapping[str, str]] = {
    **GROUPS,
    "month": "Maand",
    "n": "Trajecten (n)",
    "inflow": "Instroom",
    "outflow": "Uitstroom",
    "outflow_work": "Uitstroom naar werk",
    "open_at_end": "Lopend aan einde maand",
    "events": "Aan het werk gekomen",
    "censored": "Gecensureerd (nog geen baan)",
    "median_days": "Mediaan dagen tot eerste baan (Kaplan-Meier)",
    "median_low": "Mediaan: ondergrens 95%-BI",
    "median_high": "Mediaan: bovengrens 95%-BI",
    "job_6m_pct": "% met baan binnen 6 maanden (KM)",
    "job_12m_pct": "% met baan binnen 12 maanden (KM)",
    "work_12m_pct": "% aan het werk binnen 12 maanden (Aalen-Johansen)",
    "naive_mean_days": "Naïef gemiddelde dagen (alleen wie werk vond)",
    "days": "Dagen sinds aanmelding",
    "at_risk": "Nog in beeld zonder baan",
    "survival": "Aandeel nog zonder baan",
    "ci_low": "Ondergrens 95%-BI",
    "ci_high": "Bovengrens 95%-BI",
    "job_pct": "% met eerste baan",
    "first_jobs": "Eerste banen",
    "temporary": "Tijdelijk",
    "temporary_known": "Tijdelijk: vastgelegd",
    "temporary_pct": "% tijdelijk",
    "below_level": "Onder opleidingsniveau",
    "below_level_known": "Onder niveau: vastgelegd",
    "below_level_pct": "% onder niveau",
    "outside_field": "Buiten vakgebied",
    "outside_field_known": "Buiten vakgebied: vastgelegd",
    "outside_field_pct": "% buiten vakgebied",
    "months": "Maanden na eerste baan",
    "eligible": "Noemer (termijn verstreken)",
    "at_work": "Aan het werk",
    "at_work_pct": "% aan het werk",
    "benefit_free": "Uitkeringsonafhankelijk",
    "benefit_free_pct": "% uitkeringsonafhankelijk",
    "sustained": "Werk én geen uitkering",
    "sustained_pct": "% werk én geen uitkering",
    "placed": "Geplaatst (12 maanden verstreken)",
    "returned": "Terug in een uitkering",
    "returned_pct": "% draaideur",
    "mean_first": "Gemiddelde eerste meting",
    "mean_last": "Gemiddelde laatste meting",
    "mean_change": "Gemiddelde verandering",
    "improved": "Verbeterd",
    "improved_pct": "% verbeterd",
    "worsened": "Verslechterd",
    "worsened_pct": "% verslechterd",
    "up": "Gestegen",
    "up_pct": "% gestegen",
    "down": "Gedaald",
    "down_pct": "% gedaald",
    "domain": "Domeincode",
    "domain_label": "Domein",
    "registered": "Aangemeld in periode",
    "found_job": "Aan het werk gekomen",
    "eligible_6m": "Noemer 6 maanden",
    "sustained_6m": "Werk én geen uitkering na 6 mnd",
    "sustained_6m_pct": "% duurzaam na 6 mnd",
    "eligible_12m": "Noemer 12 maanden",
    "sustained_12m": "Werk én geen uitkering na 12 mnd",
    "sustained_12m_pct": "% duurzaam na 12 mnd",
    "eligible_18m": "Noemer 18 maanden",
    "sustained_18m": "Werk én geen uitkering na 18 mnd",
    "sustained_18m_pct": "% duurzaam na 18 mnd",
    "rights_ended": "Art. 60 beëindigd (12 maanden verstreken)",
    "rights_opened": "Rechten geopend (uitkering na art. 60)",
    "rights_opened_pct": "% rechten geopend",
    "status": "Waar staat men",
    "now": "Nu (op de peildatum)",
    "now_pct": "% nu",
    "reached": "Verst bereikt",
    "reached_pct": "% verst bereikt",
    "work": "Aan het werk gekomen",
    "stopped": "Gestopt zonder werk",
    "work_pct": "% aan het werk (Aalen-Johansen)",
    "work_low_pct": "% aan het werk: ondergrens 95%-BI",
    "work_high_pct": "% aan het werk: bovengrens 95%-BI",
    "stopped_pct": "% gestopt zonder werk",
    "km_work_pct": "% aan het werk (Kaplan-Meier, uitval gecensureerd)",
    "zrm_n": "ZRM: trajecten met 2+ metingen",
    "zrm_change": "ZRM: gemiddelde verandering",
    "ladder_n": "Ladder: trajecten met 2+ metingen",
    "ladder_change": "Ladder: gemiddelde verandering",
    "suppressed": "Onderdrukt (kleine groep)",
}

#: Worksheet names of the report (measure -> sheet), in order.
SHEETS: Final[Mapping[str, str]] = {
    "summary": "Overzicht",
    "flow": "Instroom en uitstroom",
    "time_to_first_job": "Tijd tot eerste baan",
    "km_curve": "Kaplan-Meier-curve",
    "cumulative_incidence": "Aalen-Johansen (uitval)",
    "work_status": "Werk en opstappen",
    "first_job_quality": "Kwaliteit eerste baan",
    "retention_curve": "Duurzaam werk",
    "revolving_door": "Draaideur",
    "zrm_change": "ZRM",
    "zrm_domain_change": "ZRM per domein",
    "ladder_change": "Participatieladder",
}

#: How the figures are defined, in one Dutch sentence each (the report's explanation sheet).
DEFINITIONS: Final[Mapping[str, str]] = {
    "Tijd tot eerste baan": (
        "Kaplan-Meier vanaf de aanmelding; wie (nog) geen baan heeft telt mee tot de afsluiting "
        "of de peildatum (gecensureerd). Een gemiddelde over alleen wie werk vond is te "
        "optimistisch en staat er alleen ter vergelijking."
    ),
    "Aan het werk": (
        "Wat de methode als werk telt (methodebestand, [outcomes]): standaard een "
        "arbeidsovereenkomst zonder loonkostensubsidie (“Traject Work-2-Gether”). "
        "Opstapbaan, proefplaatsing, inleenvergoeding, loonkostensubsidie en art. 60§7 zijn "
        "opstappen en staan apart (“in een opstap”, “in art. 60”)."
    ),
    "Uitval als concurrerende uitkomst": (
        "Aalen-Johansen: wie zonder werk stopt (uitval, ander traject, verhuisd) kan in het "
        "traject geen werk meer vinden en telt als concurrerende uitkomst, niet als "
        "gecensureerd. Dat geeft het eerlijke aandeel aan het werk; Kaplan-Meier met uitval "
        "gecensureerd ligt hoger en staat er ter vergelijking."
    ),
    "Duurzaam werk": (
        "Op het moment 6, 12 en 18 maanden na de start van het werk aan het werk én zonder "
        "uitkering (de termijnen van het CBS-cohortonderzoek naar uitstroom uit de bijstand "
        "naar werk). Alleen wie die termijn op de peildatum al heeft bereikt, telt in de noemer."
    ),
    "Draaideur": (
        "Aan het werk, daarna binnen 12 maanden een nieuwe uitkering. De noemer is werk "
        "waarvan de 12 maanden op de peildatum voorbij zijn. Een uitkering na een art. "
        "60-contract is geen draaideur: die staat apart als “rechten geopend”."
    ),
    "ZRM en participatieladder": (
        "Verschil tussen de eerste en de laatste meting van een traject (minstens twee metingen "
        "op verschillende dagen); ZRM als gemiddelde van de gescoorde domeinen (1-5)."
    ),
    "Kleine groepen": (
        "Groepen kleiner dan de drempel worden niet getoond ('n < 10'): te weinig mensen om "
        "iets over te zeggen, en herleidbaar tot personen."
    ),
}

#: Short Dutch month names (as in ``mrt 2026``).
MONTHS_NL: Final = ("jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt",
                    "nov", "dec")


# -- Dutch formats ---------------------------------------------------------------------------
def fmt_number(value: object, decimals: int = 0) -> str:
    """Format a number the Dutch way: ``1.234,5`` (empty when missing).

    >>> fmt_number(1234.5, 1), fmt_number(-0.25, 2), fmt_number(None)
    ('1.234,5', '-0,25', '')
    """
    if is_missing(value):
        return ""
    number = float(value)  # type: ignore[arg-type]
    if math.isinf(number):
        return "∞" if number > 0 else "-∞"
    text = f"{number:,.{decimals}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def fmt_pct(value: object, decimals: int = 1) -> str:
    """Format a percentage (0-100) the Dutch way: ``37,5%`` (empty when missing)."""
    text = fmt_number(value, decimals)
    return f"{text}%" if text else ""


def fmt_month(value: object) -> str:
    """Format a month as ``mrt 2026`` (empty when missing)."""
    if is_missing(value):
        return ""
    ts = pd.Timestamp(value)  # type: ignore[arg-type]
    return f"{MONTHS_NL[ts.month - 1]} {ts.year}"


def period_text(period: Period | None, as_of: object) -> str:
    """Describe a period and peildatum in Dutch, e.g. "01-01-2025 t/m 31-12-2025"."""
    start, end = period or (None, None)
    day = dutch_date(as_of)
    if start is None and end is None:
        return f"alles tot en met {day}"
    lo = dutch_date(as_day(start)) if start is not None else "het begin"
    until = pd.Timestamp(as_of)  # type: ignore[arg-type]
    hi = dutch_date(min(as_day(end), until)) if end is not None else day
    return f"{lo} t/m {hi}"


# -- group names -------------------------------------------------------------------------------
def group_value_label(key: str, value: object,
                      method_names: Mapping[str, str] | None = None) -> str:
    """Return the Dutch name of one group value (target group and method codes translated)."""
    if is_missing(value):
        return "(onbekend)"
    if key == "target_group":
        return vocab.label(vocab.TARGET_GROUPS, value)
    if key == "method" and method_names:
        return str(method_names.get(str(value), value))
    if key == "cohort":
        return str(int(value))  # type: ignore[call-overload]
    return str(value)


def group_labels(df: pd.DataFrame, by: Sequence[str],
                 method_names: Mapping[str, str] | None = None) -> pd.Series:
    """Return one Dutch label a row naming its group ("Totaal" without a split)."""
    if not by:
        return pd.Series(["Totaal"] * len(df), index=df.index, dtype="object")
    parts = [df[k].map(lambda v, k=k: group_value_label(k, v, method_names)).astype(str)
             for k in by]
    label = parts[0]
    for part in parts[1:]:
        label = label + " · " + part
    return label.astype("object")


def labelled(df: pd.DataFrame, by: Sequence[str],
             method_names: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Return a copy with the group columns holding their Dutch names (for tables)."""
    out = df.copy()
    for k in by:
        out[k] = out[k].map(lambda v, k=k: group_value_label(k, v, method_names)).astype(object)
    return out


# -- Excel ---------------------------------------------------------------------------------------
#: Excel number formats of float columns that are not two-decimal means.
_FLOAT_FORMATS: Final[Mapping[str, str]] = {
    "median_days": "#,##0", "median_low": "#,##0", "median_high": "#,##0",
    "naive_mean_days": "#,##0.0", "survival": "0.000", "ci_low": "0.000", "ci_high": "0.000",
}


def _is_pct(col: str) -> bool:
    return col.endswith("_pct")


def _cell_value(value: object, pct: bool) -> Any:
    if is_missing(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime().date() if value == value.normalize() else value
    if isinstance(value, np.generic):
        value = value.item()
    if pct and isinstance(value, int | float):
        return float(value) / 100.0
    return value


def write_excel(
    frames: Mapping[str, pd.DataFrame],
    *,
    by: Sequence[str] = (),
    as_of: object,
    period: Period | None = None,
    min_n: int | None = MIN_N,
    method_names: Mapping[str, str] | None = None,
    title: str = "Uitkomsten en duurzaam werk",
) -> bytes:
    """Return an .xlsx workbook (bytes): one sheet per measure with Dutch headers, real date
    and percentage cells, ``n < 10`` where a small group was suppressed, and an explanation
    sheet with the peildatum, the period and the definitions.

    ``frames`` maps measure names (see :data:`SHEETS`) to frames, already suppressed.
    """
    wb = Workbook()
    info = wb.active
    assert info is not None
    info.title = "Toelichting"
    bold = Font(bold=True)
    head_fill = PatternFill("solid", fgColor="0B3D91")
    head_font = Font(bold=True, color="FFFFFF")
    rows: list[tuple[str, Any]] = [
        (title, None),
        ("Peildatum", pd.Timestamp(as_of).date()),  # type: ignore[arg-type]
        ("Periode", period_text(period, as_of)),
        ("Uitgesplitst naar", ", ".join(GROUPS[k] for k in by) or "geen (totaal)"),
        ("Drempel kleine groepen", f"groepen met n < {min_n} niet getoond" if min_n else
         "geen (niet onderdrukt: alleen voor analyse, niet delen)"),
        ("Inhoud", "Alleen totalen per groep; geen namen, geen pseudoniemen."),
        (None, None),  # type: ignore[list-item]
        ("Definities", None),
        *DEFINITIONS.items(),
    ]
    for r, (key, value) in enumerate(rows, start=1):
        info.cell(r, 1, key)
        cell = info.cell(r, 2, value)
        if isinstance(value, dt.date):
            cell.number_format = "DD-MM-YYYY"
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        info.cell(r, 1).font = bold
    info["A1"].font = Font(bold=True, size=14)
    info.column_dimensions["A"].width = 28
    info.column_dimensions["B"].width = 100

    small = f"n < {min_n}" if min_n else None
    for measure, sheet_name in SHEETS.items():
        df = frames.get(measure)
        if df is None:
            continue
        ws = wb.create_sheet(sheet_name)
        data = labelled(df, list(by), method_names)
        if "domain" in data.columns and "domain_label" in data.columns:
            data = data.drop(columns="domain")
        flags = data.pop("suppressed") if "suppressed" in data.columns else None
        columns = list(data.columns)
        for c, col in enumerate(columns, start=1):
            cell = ws.cell(1, c, COLUMN_LABELS.get(col, col))
            cell.font = head_font
            cell.fill = head_fill
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            width = max(12, min(40, len(str(cell.value)) + 2))
            ws.column_dimensions[get_column_letter(c)].width = width
        ws.row_dimensions[1].height = 48
        ws.freeze_panes = "A2"
        group_cols = set(by) | {"month", "months", "days", "domain_label"}
        values = data.to_numpy(dtype=object)
        hidden = (np.asarray(flags, dtype=bool) if flags is not None
                  else np.zeros(len(data), dtype=bool))
        for r, row in enumerate(values, start=2):
            for c, (col, value) in enumerate(zip(columns, row, strict=True), start=1):
                pct = _is_pct(col)
                out = _cell_value(value, pct)
                if out is None and hidden[r - 2] and col not in group_cols and small:
                    out = small
                cell = ws.cell(r, c, out)
                if col == "month" and out is not None:
                    cell.number_format = "MM-YYYY"
                elif isinstance(out, dt.date):
                    cell.number_format = "DD-MM-YYYY"
                elif pct and isinstance(out, float):
                    cell.number_format = "0.0%"
                elif isinstance(out, float):
                    cell.number_format = _FLOAT_FORMATS.get(col, "#,##0.00")
                elif isinstance(out, int) and not isinstance(out, bool):
                    cell.number_format = "#,##0"
                if out == small:
                    cell.alignment = Alignment(horizontal="right")
        ws.auto_filter.ref = ws.dimensions
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
