"""Converting cells to field values, with a Dutch message per row and field that fails.

Dates: dd-mm-jjjj (and what :func:`trajecttools.core.validation.parse_date` takes), Excel serial
numbers and real date cells. Flags: ja/nee and their synonyms. Numbers: decimal commas. Lists:
separated by commas, semicolons or bars. Text with control characters is refused.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from sqlalchemy.types import String, Text

from trajecttools.core import validation
from trajecttools.core.errors import FieldProblem, InvalidRecord
from trajecttools.core.model import ENTITIES
from trajecttools.outputs.importer.mapping import norm

if TYPE_CHECKING:
    from trajecttools.register.store import Store

_EXCEL_EPOCH = dt.datetime(1899, 12, 30)
_MAX_SERIAL = 2_958_465  # 31-12-9999
_TRUE = {"ja", "j", "yes", "y", "true", "waar", "1", "x", "wel"}
_FALSE = {"nee", "n", "no", "false", "onwaar", "0", "niet"}
_DATETIME_FORMATS = (
    "%d-%m-%Y %H:%M:%S",
    "%d-%m-%Y %H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M",
)

#: Control characters refused in text (tab, line feed and carriage return are allowed).
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _serial(value: float) -> dt.datetime:
    if not 1 <= value <= _MAX_SERIAL:
        raise ValueError("is geen geldige datum (gebruik dd-mm-jjjj)")
    return _EXCEL_EPOCH + dt.timedelta(days=value)


def _as_number(value: str) -> float | None:
    try:
        return float(value) if re.fullmatch(r"\d+(\.\d+)?", value) else None
    except ValueError:
        return None


_DMY = re.compile(r"(\d{1,2})-(\d{1,2})-(\d{4})")


def _to_date(value: Any) -> Any:
    if isinstance(value, str):
        match = _DMY.fullmatch(value)
        if match:  # the common case, without strptime
            day, month, year = (int(g) for g in match.groups())
            try:
                return dt.date(year, month, day)
            except ValueError:
                raise ValueError("is geen geldige datum (gebruik dd-mm-jjjj)") from None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool):
        raise ValueError("is geen geldige datum (gebruik dd-mm-jjjj)")
    if isinstance(value, int | float):
        return _serial(float(value)).date()
    if isinstance(value, str):
        number = _as_number(value)
        if number is not None and number <= _MAX_SERIAL:
            return _serial(number).date()
        return validation.parse_date(value)
    raise ValueError("is geen geldige datum (gebruik dd-mm-jjjj)")


def _to_datetime(value: Any) -> Any:
    if isinstance(value, str):
        match = _DMY.fullmatch(value)
        if match:  # a date without a time (the common case), without strptime
            day, month, year = (int(g) for g in match.groups())
            try:
                return dt.datetime(year, month, day)
            except ValueError:
                raise ValueError("is geen geldig tijdstip (gebruik dd-mm-jjjj uu:mm)") from None
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time())
    if isinstance(value, bool):
        raise ValueError("is geen geldig tijdstip (gebruik dd-mm-jjjj uu:mm)")
    if isinstance(value, int | float):
        return _serial(float(value)).replace(microsecond=0)
    if isinstance(value, str):
        number = _as_number(value)
        if number is not None and number <= _MAX_SERIAL:
            return _serial(number).replace(microsecond=0)
        for fmt in _DATETIME_FORMATS:
            try:
                return dt.datetime.strptime(value, fmt)
            except ValueError:
                continue
        return validation.parse_datetime(value)
    raise ValueError("is geen geldig tijdstip (gebruik dd-mm-jjjj uu:mm)")


def _to_bool(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        low = value.casefold()
        if low in _TRUE:
            return True
        if low in _FALSE:
            return False
    raise ValueError("moet ja of nee zijn")


def _to_float(value: Any) -> Any:
    if isinstance(value, str):
        compact = value.replace(" ", "")
        if "," in compact:
            compact = compact.replace(".", "").replace(",", ".")
        try:
            return float(compact)
        except ValueError:
            raise ValueError("moet een getal zijn") from None
    return value


def _to_list(value: Any) -> Any:
    if isinstance(value, str):
        items = [v.strip() for v in re.split(r"[,;|]", value)]
        return [v for v in items if v] or None
    return value


_CONVERTERS: Mapping[str, Callable[[Any], Any]] = {
    "date": _to_date,
    "datetime": _to_datetime,
    "bool": _to_bool,
    "float": _to_float,
    "list": _to_list,
}


def text_columns(entity: str) -> frozenset[str]:
    """Return the text (String or Text) columns of an entity."""
    table = ENTITIES[entity].__table__
    return frozenset(c.name for c in table.columns if isinstance(c.type, String | Text))


def convert(
    entity: str,
    raw: Mapping[str, Any],
    types: Mapping[str, str],
    texts: frozenset[str],
    codes: Mapping[str, Mapping[str, Any]],
    labels: Callable[[str], str],
) -> tuple[dict[str, Any], list[FieldProblem]]:
    """Turn cells into values the record validator takes; collect what cannot be converted."""
    values: dict[str, Any] = {}
    problems: list[FieldProblem] = []
    for name, cell in raw.items():
        value = cell
        if value.__class__ is str:
            if CONTROL.search(value):
                bad = CONTROL.search(value)
                assert bad is not None
                problems.append(
                    FieldProblem(
                        name,
                        labels(name),
                        f"bevat een onzichtbaar stuurteken (U+{ord(bad.group()):04X}); "
                        "verwijder het",
                    )
                )
                continue
            value = value.strip() or None
        if value is None:
            values[name] = None
            continue
        table = codes.get(name) if codes else None
        if table and isinstance(value, str | int | float):
            value = table.get(str(value).strip().casefold(), value)
        converter = _CONVERTERS.get(types.get(name, "other"))
        try:
            if converter is not None:
                value = converter(value)
            elif name in texts and isinstance(value, int | float) and not isinstance(value, bool):
                value = str(int(value)) if float(value).is_integer() else str(value)
            elif name in texts and isinstance(value, dt.datetime | dt.date):
                value = value.strftime("%d-%m-%Y")
        except (ValueError, OverflowError) as exc:
            problems.append(FieldProblem(name, labels(name), str(exc) or "ongeldige waarde"))
            continue
        values[name] = value
    return values, problems


def same_value(a: Any, b: Any) -> bool:
    """Return whether a stored and an imported value are the same (floats, whole seconds)."""
    if isinstance(a, float) or isinstance(b, float):
        try:
            return a is not None and b is not None and abs(float(a) - float(b)) < 1e-9
        except (TypeError, ValueError):
            return False
    if isinstance(a, dt.datetime) and isinstance(b, dt.datetime):
        return a.replace(microsecond=0) == b.replace(microsecond=0)
    return bool(a == b)


def trajectory_defaults(
    store: Store, values: dict[str, Any], cache: dict[str, Any]
) -> list[FieldProblem]:
    """Fill phase and phase date from the method; check the phase belongs to it."""
    code = values.get("method")
    if not isinstance(code, str) or not code:
        return []  # validation names the missing method
    if code not in cache:
        try:
            cache[code] = store.method(code, field="method")
        except InvalidRecord as exc:
            cache[code] = exc
    m = cache[code]
    if isinstance(m, InvalidRecord):
        return list(m.problems)
    if values.get("phase") is None:
        values["phase"] = m.method.initial_phase
    elif values["phase"] not in m.phase_codes:
        by_label = {norm(p.label): p.code for p in m.phases}
        phase = by_label.get(norm(str(values["phase"])))
        if phase is None:
            options = ", ".join(p.label for p in m.phases)
            return [
                FieldProblem(
                    "phase",
                    "Fase",
                    f"'{values['phase']}' is geen fase van methode '{m.name}'; kies uit: {options}",
                )
            ]
        values["phase"] = phase
    if values.get("phase_since") is None and isinstance(values.get("registered_at"), dt.datetime):
        values["phase_since"] = values["registered_at"].date()
    return []
