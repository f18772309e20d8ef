"""Form fields with a Dutch label and an error under each, field sets, and rows of sub-validation.

Fields take their Dutch label and whether they are required from the records' titles
(:mod:`trajecttools.core.validation`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

import ipywidgets as widgets

from trajecttools.core import validation
from trajecttools.core.dates import dutch_date, dutch_moment
from trajecttools.outputs.report.document import esc
from trajecttools.widgets.toolkit import button, html_block, show

#: The value of "nothing chosen" in every dropdown of the forms.
BLANK = ""


class Field(widgets.VBox):
    """One labelled input with its error message right under it.

    ``key`` names the field in its form (and in the CSS class ``tt-f-<key>``); ``get`` returns
    the value as a record expects it (None when empty), ``set`` shows a stored value.
    """

    def __init__(
        self,
        key: str,
        label: str,
        control: widgets.Widget,
        *,
        required: bool = False,
        hint: str = "",
        default: Any = None,
        wide: bool = False,
        caption: bool = True,
    ) -> None:
        self.key, self.label, self.required = key, label, required
        self.control = control
        self.default = default
        self.message = ""
        self.caption = widgets.HTML(self._caption_html() if caption else "&nbsp;")
        self.error = html_block("", "tt-field-error")
        show(self.error, False)
        children: list[widgets.Widget] = [self.caption, control]
        self.hint = html_block(esc(hint), "tt-hint") if hint else None
        if self.hint is not None:
            children.append(self.hint)
        children.append(self.error)
        super().__init__(children, layout=widgets.Layout(width="100%", min_width="0"))
        self.add_class("tt-field")
        self.add_class(f"tt-f-{key}")
        if wide:
            self.add_class("tt-wide")
            if not caption:  # nothing to line up with: no empty caption line
                show(self.caption, False)
        self.reset()

    def _caption_html(self) -> str:
        star = ' <span class="tt-req" title="verplicht">*</span>' if self.required else ""
        return f'<span class="tt-label">{esc(self.label)}{star}</span>'

    def relabel(self, label: str, hint: str | None = None) -> None:
        """Give the field another label and hint (e.g. in the words of the case's method)."""
        self.label = label
        if self.caption.value != "&nbsp;":
            self.caption.value = self._caption_html()
        if hint is not None and self.hint is not None:
            self.hint.value = esc(hint)

    # value conversion, overridden per kind
    def get(self) -> Any:
        """Return the value for a record (None when empty)."""
        value = self.control.value
        if isinstance(value, str):
            value = value.strip()
            return value or None
        return value

    def set(self, value: Any) -> None:
        """Show a stored value."""
        self.control.value = "" if value is None else str(value)

    def reset(self) -> None:
        """Return to the default value and clear the error."""
        self.set(self.default)
        self.clear_error()

    @property
    def disabled(self) -> bool:
        return bool(getattr(self.control, "disabled", False))

    @disabled.setter
    def disabled(self, value: bool) -> None:
        self.control.disabled = value

    def show_error(self, message: str) -> None:
        """Show a Dutch message under the field (it names the field)."""
        self.message = message
        self.error.value = f'<span role="alert">{esc(message)}</span>'
        show(self.error, True)
        self.add_class("tt-invalid")

    def clear_error(self) -> None:
        """Remove the message under the field."""
        self.message = ""
        self.error.value = ""
        show(self.error, False)
        self.remove_class("tt-invalid")


class TextField(Field):
    """A line or block of text."""

    def __init__(self, key: str, label: str, *, rows: int = 0, placeholder: str = "",
                 **kw: Any) -> None:
        control: widgets.Widget
        if rows:
            control = widgets.Textarea(rows=rows, placeholder=placeholder,
                                       continuous_update=False,
                                       layout=widgets.Layout(width="100%"))
            kw.setdefault("wide", True)
        else:
            control = widgets.Text(placeholder=placeholder, continuous_update=False,
                                   layout=widgets.Layout(width="100%"))
        super().__init__(key, label, control, **kw)


class SecretField(TextField):
    """A text field whose stored value is never shown back (the BSN)."""

    def set(self, value: Any) -> None:
        """Never show a stored value: the field always starts empty."""
        self.control.value = ""


class NumberField(TextField):
    """A number typed as text; a Dutch decimal comma is accepted."""

    def get(self) -> Any:
        value = super().get()
        return value.replace(",", ".") if isinstance(value, str) else value

    def set(self, value: Any) -> None:
        if isinstance(value, int | float) and not isinstance(value, bool):
            self.control.value = f"{value:g}".replace(".", ",")
        else:
            super().set(value)


class DateField(TextField):
    """A date typed as dd-mm-jjjj."""

    def __init__(self, key: str, label: str, **kw: Any) -> None:
        kw.setdefault("placeholder", "dd-mm-jjjj")
        super().__init__(key, label, **kw)

    def set(self, value: Any) -> None:
        self.control.value = dutch_date(value) if value is not None else ""

    def parsed(self) -> dt.date | None:
        """Return the typed date, or raise ValueError with a Dutch message."""
        return validation.parse_date(self.get())


class MomentField(TextField):
    """A moment typed as dd-mm-jjjj uu:mm."""

    def __init__(self, key: str, label: str, **kw: Any) -> None:
        kw.setdefault("placeholder", "dd-mm-jjjj uu:mm")
        super().__init__(key, label, **kw)

    def set(self, value: Any) -> None:
        self.control.value = dutch_moment(value) if value is not None else ""

    def parsed(self) -> dt.datetime | None:
        """Return the typed moment, or raise ValueError with a Dutch message."""
        try:
            return validation.parse_datetime(self.get())
        except ValueError:
            raise ValueError("is geen geldig tijdstip (gebruik dd-mm-jjjj uu:mm)") from None


def choice_options(codes: Mapping[Any, str], *, numbered: bool = False,
                   blank: str | None = "— kies —") -> list[tuple[str, Any]]:
    """Return dropdown options (label, code) of a code list, "nothing" first."""
    out: list[tuple[str, Any]] = [(blank, BLANK)] if blank is not None else []
    for code, text in codes.items():
        out.append((f"{code} – {text}" if numbered else str(text), code))
    return out


class ChoiceField(Field):
    """A choice from a list; the control's value is the code (``""``: nothing chosen)."""

    def __init__(self, key: str, label: str, options: Sequence[tuple[str, Any]],
                 **kw: Any) -> None:
        control = widgets.Dropdown(options=list(options), layout=widgets.Layout(width="100%"))
        kw.setdefault("default", options[0][1] if options else BLANK)
        super().__init__(key, label, control, **kw)

    def get(self) -> Any:
        value = self.control.value
        return None if value == BLANK or value is None else value

    def set(self, value: Any) -> None:
        codes = [v for _, v in self.control.options]
        if value is None or value not in codes:
            value = BLANK if BLANK in codes else (codes[0] if codes else None)
        self.control.value = value

    def set_options(self, options: Sequence[tuple[str, Any]]) -> None:
        """Replace the options, keeping the chosen value when it is still offered."""
        current = self.control.value
        codes = [v for _, v in options]
        self.control.options = list(options)
        self.control.value = current if current in codes else (codes[0] if codes else None)


class CheckField(Field):
    """A yes/no question; the text is beside the box."""

    def __init__(self, key: str, label: str, **kw: Any) -> None:
        control = widgets.Checkbox(description=label, indent=False,
                                   layout=widgets.Layout(width="100%"))
        kw.setdefault("default", False)
        kw.setdefault("caption", False)
        kw.setdefault("wide", len(label) > 30)  # a long question gets a whole row
        super().__init__(key, label, control, **kw)

    def get(self) -> Any:
        return bool(self.control.value)

    def set(self, value: Any) -> None:
        self.control.value = bool(value)


class MultiField(Field):
    """Several choices from a list, as check boxes in columns."""

    def __init__(self, key: str, label: str, codes: Mapping[str, str], **kw: Any) -> None:
        self.boxes = {
            code: widgets.Checkbox(description=text, indent=False,
                                   layout=widgets.Layout(width="auto"))
            for code, text in codes.items()
        }
        for code, box in self.boxes.items():
            box.add_class(f"tt-option-{code}")
        grid = widgets.GridBox(
            list(self.boxes.values()),
            layout=widgets.Layout(
                grid_template_columns="repeat(auto-fill, minmax(250px, 1fr))",
                grid_gap="0 12px", width="100%",
            ),
        )
        kw.setdefault("wide", True)
        super().__init__(key, label, grid, **kw)

    def get(self) -> Any:
        chosen = [code for code, box in self.boxes.items() if box.value]
        return chosen or None

    def set(self, value: Any) -> None:
        chosen = set(value or ())
        for code, box in self.boxes.items():
            box.value = code in chosen

    @property
    def disabled(self) -> bool:
        return all(b.disabled for b in self.boxes.values())

    @disabled.setter
    def disabled(self, value: bool) -> None:
        for b in self.boxes.values():
            b.disabled = value


def record_field(entity: str, name: str, kind: str = "text", *, key: str | None = None,
                 label: str | None = None, required: bool | None = None,
                 **kw: Any) -> Field:
    """Return a field for one column of a record, labelled with the record's Dutch title.

    ``kind``: text, area, secret, number, date, moment, choice (``options=``), check or
    multi (``codes=``). Whether it is required comes from the record unless given.
    """
    label = label or validation.field_label(entity, name)
    if required is None:
        info = validation.RECORDS[entity].model_fields.get(name)
        required = bool(info is not None and info.is_required())
    key = key or name
    if kind == "area":
        kw.setdefault("rows", 3)
        return TextField(key, label, required=required, **kw)
    factories: dict[str, Callable[..., Field]] = {
        "text": TextField,
        "secret": SecretField,
        "number": NumberField,
        "date": DateField,
        "moment": MomentField,
        "choice": ChoiceField,
        "check": CheckField,
        "multi": MultiField,
    }
    return factories[kind](key, label, required=required, **kw)


def grid(fields: Iterable[widgets.Widget], min_width: str = "240px") -> widgets.GridBox:
    """Lay fields out in as many columns as fit (wide fields take a whole row)."""
    return widgets.GridBox(
        list(fields),
        layout=widgets.Layout(
            grid_template_columns=f"repeat(auto-fill, minmax({min_width}, 1fr))",
            grid_gap="2px 18px", width="100%", align_items="flex-start",
        ),
    )


def section(title: str, children: Iterable[widgets.Widget], css: str,
            intro: str = "") -> widgets.VBox:
    """Return a titled, framed part of a form."""
    head: list[widgets.Widget] = [html_block(f"<h3>{esc(title)}</h3>")]
    if intro:
        head.append(html_block(esc(intro), "tt-intro"))
    box = widgets.VBox([*head, *children], layout=widgets.Layout(width="100%"))
    box.add_class("tt-section")
    box.add_class(css)
    return box


class FieldSet:
    """The fields of one form part, by key."""

    def __init__(self, fields: Iterable[Field]) -> None:
        self.fields: dict[str, Field] = {f.key: f for f in fields}

    def __getitem__(self, key: str) -> Field:
        return self.fields[key]

    def __iter__(self) -> Iterator[Field]:
        return iter(self.fields.values())

    def __contains__(self, key: object) -> bool:
        return key in self.fields

    def values(self, *keys: str) -> dict[str, Any]:
        """Return {key: value} of the given fields (all when none given)."""
        chosen = keys or tuple(self.fields)
        return {k: self.fields[k].get() for k in chosen}

    def load(self, values: Mapping[str, Any]) -> None:
        """Show stored values in the fields whose key is in ``values``."""
        for key, f in self.fields.items():
            if key in values:
                f.set(values[key])
            f.clear_error()

    def reset(self) -> None:
        """Return every field to its default."""
        for f in self.fields.values():
            f.reset()

    def clear_errors(self) -> None:
        """Remove every field's message."""
        for f in self.fields.values():
            f.clear_error()

    def find(self, name: str, aliases: Mapping[str, str] | None = None) -> Field | None:
        """Return the field a problem with this record field name belongs to."""
        key = (aliases or {}).get(name, name)
        return self.fields.get(key)

    def errors(self) -> dict[str, str]:
        """Return {key: message} of the fields that show an error."""
        return {k: f.message for k, f in self.fields.items() if f.message}

    def widgets(self, *keys: str) -> list[Field]:
        """Return the fields with these keys, in this order (all when none given)."""
        return [self.fields[k] for k in (keys or tuple(self.fields))]


# -- rows of sub-records -------------------------------------------------------------------


class Row(widgets.VBox):
    """One sub-record in a list (a barrier, an agreement …); ``record`` when it is stored."""

    def __init__(self, title: str, fields: Sequence[Field], *, record: Mapping[str, Any] | None,
                 on_remove: Callable[[Row], None] | None, css: str,
                 min_width: str = "200px") -> None:
        self.fields = FieldSet(fields)
        self.record = dict(record) if record is not None else None
        self.title = html_block(esc(title), "tt-row-title")
        self.title.layout.width = "auto"
        self.title.layout.flex = "1 1 auto"
        self.remove_button = button("Verwijderen", css="tt-remove",
                                    tooltip="Deze regel niet opslaan")
        self.remove_button.layout.flex = "0 0 auto"
        head_children: list[widgets.Widget] = [self.title]
        if on_remove is not None and record is None:
            self.remove_button.on_click(lambda _b: on_remove(self))
            head_children.append(self.remove_button)
        head = widgets.HBox(head_children, layout=widgets.Layout(
            width="100%", justify_content="space-between", align_items="center"))
        #: Anything a form keeps with the row (e.g. the stored referral of a barrier).
        self.extra: dict[str, Any] = {}
        super().__init__([head, grid(fields, min_width)], layout=widgets.Layout(width="100%"))
        self.add_class("tt-row")
        self.add_class(css)

    def __getitem__(self, key: str) -> Field:
        return self.fields[key]

    @property
    def is_new(self) -> bool:
        return self.record is None


class RowList(widgets.VBox):
    """A list of sub-records that grows with "add": one small form a row."""

    def __init__(self, title: str, make_row: Callable[[RowList, Mapping[str, Any] | None], Row],
                 *, add_label: str, css: str, empty: str = "") -> None:
        self.make_row = make_row
        self.rows: list[Row] = []
        self.empty_text = empty
        self.heading = html_block(f"<h4>{esc(title)}</h4>" if title else "")
        self.empty = html_block(f'<span class="tt-hint">{esc(empty)}</span>' if empty else "")
        self.body = widgets.VBox([], layout=widgets.Layout(width="100%"))
        self.add_button = button(add_label, css=f"tt-add tt-add-{css}")
        self.add_button.layout.align_self = "flex-start"
        self.add_button.on_click(lambda _b: self.add_row())
        super().__init__([self.heading, self.body, self.empty, self.add_button],
                         layout=widgets.Layout(width="100%"))
        self.add_class("tt-rowlist")
        self.add_class(f"tt-list-{css}")
        self._refresh()

    def _refresh(self) -> None:
        self.body.children = tuple(self.rows)
        show(self.empty, not self.rows and bool(self.empty_text))

    def add_row(self, record: Mapping[str, Any] | None = None) -> Row:
        """Add a row (empty, or showing a stored record) and return it."""
        row = self.make_row(self, record)
        self.rows.append(row)
        self._refresh()
        return row

    def remove(self, row: Row) -> None:
        """Remove a row that was not stored yet."""
        if row in self.rows:
            self.rows.remove(row)
            row.close()
            self._refresh()

    def clear(self) -> None:
        """Remove every row."""
        for row in self.rows:
            row.close()
        self.rows = []
        self._refresh()

    def load(self, stored: Iterable[Mapping[str, Any]]) -> None:
        """Show stored records, one row each (replacing every row)."""
        self.clear()
        for rec in stored:
            self.rows.append(self.make_row(self, rec))
        self._refresh()

    @property
    def new_rows(self) -> list[Row]:
        return [r for r in self.rows if r.is_new]


__all__ = [
    "BLANK",
    "CheckField",
    "ChoiceField",
    "DateField",
    "Field",
    "FieldSet",
    "MomentField",
    "MultiField",
    "NumberField",
    "Row",
    "RowList",
    "SecretField",
    "TextField",
    "choice_options",
    "grid",
    "record_field",
    "section",
]
