"""Shared pieces of the case forms: Dutch-labelled fields, dd-mm-jjjj dates, an error under
each field, rows of sub-records, a status line, the stale-edit panel, the report view, the
case picker and the form style sheet.

Fields take their Dutch label and whether they are required from the records' titles
(:mod:`trajecttools.core.validation`); a form validates every record with
:func:`trajecttools.core.validation.validate` through a :class:`Submission` and writes nothing until all
are valid, then writes them in one transaction.
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
import html
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

import ipywidgets as widgets

from trajecttools.core import validation
from trajecttools.core.dates import dutch_date, dutch_moment
from trajecttools.core.errors import (
    FieldProblem,
    InvalidRecord,
    StaleEditError,
    TrajecttoolsError,
)
from trajecttools.reads.case.dossier import CaseChoice, case_choices
from trajecttools.register.transactions import Tx
from trajecttools.widgets._base import log
from trajecttools.workspace import Workspace

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")

#: The value of "nothing chosen" in every dropdown of the forms.
BLANK = ""
NO_CASE = 0

FORM_STYLE = """
<style>
.tt-form {
  --jp-widgets-font-size: 15px;
  --jp-widgets-inline-height: 34px;
  --jp-widgets-label-color: #111111;
  --jp-widgets-input-color: #111111;
  --jp-widgets-input-background-color: #ffffff;
  --jp-widgets-input-border-color: #555555;
  --jp-widgets-input-border-width: 1px;
  color: #111111; background: #ffffff; max-width: 1240px;
  font-family: "DejaVu Sans", "Segoe UI", Arial, sans-serif; font-size: 15px; line-height: 1.4;
}
.tt-form .widget-html-content { font-size: 15px; line-height: 1.4; white-space: normal; }
.tt-form .widget-html, .tt-form .widget-label { color: #111111; }
.tt-form h2 { font-size: 24px; margin: 2px 0 6px 0; line-height: 1.2; }
.tt-form h3 { font-size: 18px; margin: 4px 0 4px 0; line-height: 1.2; }
.tt-form h4 { font-size: 16px; margin: 4px 0 2px 0; }
.tt-form input, .tt-form select, .tt-form textarea { font-size: 15px; color: #111111; }
.tt-form textarea { line-height: 1.35; }
.tt-form .tt-section {
  border: 1px solid #8a8a8a; border-radius: 6px; padding: 8px 14px 10px 14px;
  margin: 8px 0; background: #ffffff;
}
.tt-form .tt-intro .widget-html-content { color: #222222; }
.tt-form .tt-field { margin: 0 0 4px 0; min-width: 0; }
.tt-form .tt-wide { grid-column: 1 / -1; }
.tt-form .tt-field > .jupyter-widgets { margin-left: 0; margin-right: 0; max-width: 100%; }
.tt-form .tt-field > .widget-text, .tt-form .tt-field > .widget-dropdown,
.tt-form .tt-field > .widget-textarea { width: 100% !important; }
.tt-form textarea { font-family: inherit; }
.tt-form .tt-topbar { align-items: center; flex-wrap: wrap; gap: 6px; }
.tt-form .tt-picker { flex: 1 1 700px; align-items: center; }
.tt-form .tt-topbar .tt-new-case { flex: 0 0 auto; }
.tt-form .tt-label { font-weight: 600; font-size: 14px; }
.tt-form .tt-req { color: #a50021; font-weight: 700; }
.tt-form .tt-hint .widget-html-content { font-size: 13px; color: #333333; line-height: 1.3; }
.tt-form .tt-field-error .widget-html-content {
  color: #a50021; font-weight: 600; font-size: 14px; line-height: 1.3;
}
.tt-form .tt-invalid input, .tt-form .tt-invalid select, .tt-form .tt-invalid textarea {
  border: 2px solid #a50021 !important; background: #fff6f7;
}
.tt-form .widget-checkbox .widget-label-basic,
.tt-form .widget-checkbox .widget-label-basic span { white-space: normal; overflow: visible; }
.tt-form .tt-status .widget-html-content > div { padding: 6px 10px; margin: 4px 0; }
.tt-form .tt-status-ok { background: #e6f4ea; border-left: 6px solid #0b6b2e; font-weight: 600; }
.tt-form .tt-status-info { background: #eef2f8; border-left: 6px solid #0b3d91; }
.tt-form .tt-status-error {
  background: #fbe9ec; border-left: 6px solid #a50021; font-weight: 600;
}
.tt-form .tt-button {
  font-size: 15px; height: 36px; padding: 0 14px; border-radius: 4px; font-weight: 600;
  margin: 2px 6px 2px 0;
}
.tt-form .tt-button-primary { background: #0b3d91; color: #ffffff; border: 2px solid #0b3d91; }
.tt-form .tt-button-secondary { background: #ffffff; color: #111111; border: 2px solid #555555; }
.tt-form .tt-button-danger { background: #a50021; color: #ffffff; border: 2px solid #a50021; }
.tt-form .tt-button:disabled { opacity: 0.5; }
.tt-form .tt-button:focus-visible { outline: 3px solid #ffbf00; outline-offset: 2px; }
.tt-form .tt-steps { border-bottom: 3px solid #0b3d91; margin: 6px 0 4px 0; flex-wrap: wrap; }
.tt-form .tt-steps .tt-button { border-radius: 4px 4px 0 0; margin: 0 4px 0 0; }
.tt-form .tt-steps .tt-step-active { background: #0b3d91; color: #ffffff; border-color: #0b3d91; }
.tt-form .tt-case-head .widget-html-content { font-size: 16px; }
.tt-form .tt-case-head b { font-size: 17px; }
.tt-form .tt-row {
  border: 1px solid #c4c4c4; border-radius: 4px; padding: 6px 10px; margin: 4px 0;
  background: #fafafa;
}
.tt-form .tt-row-title .widget-html-content { font-weight: 600; }
.tt-form .tt-savebar { align-items: center; margin-top: 6px; flex-wrap: wrap; }
.tt-form .tt-savebar .tt-status { flex: 1 1 420px; }
.tt-form .tt-stale {
  border: 2px solid #a50021; border-radius: 6px; padding: 8px 12px; margin: 6px 0;
  background: #fff6f7;
}
.tt-form .tt-stale table, .tt-form .tt-summary table { border-collapse: collapse; }
.tt-form .tt-stale th, .tt-form .tt-stale td, .tt-form .tt-summary th, .tt-form .tt-summary td {
  text-align: left; padding: 2px 12px 2px 0; border-bottom: 1px solid #bbbbbb;
  vertical-align: top;
}
.tt-form .tt-limit .widget-html-content { font-weight: 600; }
.tt-form .tt-changed { background: #a50021; color: #ffffff; padding: 0 6px; font-weight: 700; }
.tt-form .tt-warning { color: #7a3b00; font-weight: 700; }
.tt-form .tt-report-view { border: 1px solid #8a8a8a; padding: 10px 16px; background: #ffffff; }
.tt-form .tt-download a { font-weight: 700; color: #0b3d91; }
%(report_css)s
@media print {
  .tt-form .tt-noprint { display: none !important; }
  .tt-form .tt-section { border: none; }
}
</style>
"""


def form_style() -> widgets.HTML:
    """Return the hidden widget that carries the forms' style sheet."""
    from trajecttools.outputs.report import REPORT_CSS

    sheet = widgets.HTML(
        value=FORM_STYLE.replace("%(report_css)s", REPORT_CSS),
        layout=widgets.Layout(display="none"),
    )
    sheet.add_class("tt-style")
    return sheet


def esc(value: object) -> str:
    """Return text safe inside HTML (None becomes empty)."""
    return "" if value is None else html.escape(str(value), quote=True)


def show(widget: widgets.Widget, visible: bool) -> None:
    """Show or hide a widget."""
    widget.layout.display = None if visible else "none"


def is_shown(widget: widgets.Widget) -> bool:
    """Tell whether a widget is shown (not hidden with :func:`show`)."""
    return widget.layout.display != "none"


def button(description: str, *, kind: str = "secondary", css: str | None = None,
           tooltip: str = "") -> widgets.Button:
    """Return a text button (no icons: they need a CDN) with stable CSS classes."""
    b = widgets.Button(description=description, tooltip=tooltip or description,
                       layout=widgets.Layout(width="auto"))
    b.add_class("tt-button")
    b.add_class(f"tt-button-{kind}")
    if css:
        for name in css.split():
            b.add_class(name)
    return b


def html_block(value: str = "", css: str | None = None) -> widgets.HTML:
    """Return an HTML widget that takes the full width, with an optional CSS class."""
    w = widgets.HTML(value, layout=widgets.Layout(width="100%"))
    if css:
        for name in css.split():
            w.add_class(name)
    return w


class FormStatus(widgets.HTML):
    """The message line of a form: what was saved, or why not (in Dutch)."""

    def __init__(self, css: str | None = None) -> None:
        super().__init__(value="", layout=widgets.Layout(width="100%"))
        self.add_class("tt-status")
        if css:
            self.add_class(css)
        #: The plain text of the current message and its kind ("", ok, info, error).
        self.message = ""
        self.kind = ""

    def _set(self, kind: str, message: str) -> None:
        self.kind, self.message = kind, message
        role = "alert" if kind == "error" else "status"
        self.value = f'<div class="tt-status-{kind}" role="{role}">{esc(message)}</div>'

    def ok(self, message: str) -> None:
        """Show that something worked."""
        self._set("ok", message)

    def info(self, message: str) -> None:
        """Show a neutral message."""
        self._set("info", message)

    def error(self, message: str) -> None:
        """Show what went wrong."""
        self._set("error", message)

    def clear(self) -> None:
        """Remove the message."""
        self.kind, self.message, self.value = "", "", ""


def guarded(status: FormStatus, action: str) -> Callable[[F], F]:
    """Wrap a handler: an unexpected error goes to the server log and a Dutch message."""

    def decorate(fn: F) -> F:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            try:
                return fn(*args, **kwargs)
            except TrajecttoolsError as exc:
                log.warning("Formulieractie geweigerd: %s: %s", action, exc)
                status.error(f"{action} is niet gelukt: {exc}")
            except Exception:
                log.exception("Formulieractie mislukt: %s", action)
                status.error(
                    f"{action} is niet gelukt door een fout in het programma. Probeer het "
                    "opnieuw; blijft het misgaan, meld het dan bij de beheerder."
                )
            return None

        return wrapper  # type: ignore[return-value]

    return decorate


# -- fields ------------------------------------------------------------------------------


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
        star = ' <span class="tt-req" title="verplicht">*</span>' if required else ""
        self.caption = widgets.HTML(
            f'<span class="tt-label">{esc(label)}{star}</span>' if caption else "&nbsp;"
        )
        self.error = html_block("", "tt-field-error")
        show(self.error, False)
        children: list[widgets.Widget] = [self.caption, control]
        if hint:
            children.append(html_block(esc(hint), "tt-hint"))
        children.append(self.error)
        super().__init__(children, layout=widgets.Layout(width="100%", min_width="0"))
        self.add_class("tt-field")
        self.add_class(f"tt-f-{key}")
        if wide:
            self.add_class("tt-wide")
            if not caption:  # nothing to line up with: no empty caption line
                show(self.caption, False)
        self.reset()

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


# -- validating and saving -----------------------------------------------------------------


class Refused(TrajecttoolsError):
    """The store refused part of a form; the transaction was rolled back."""


_FLOAT = re.compile(r"\b(\d+)\.(\d+)\b")
_TOO_LONG = re.compile(r"Value should have at most (\d+) items? after validation, not \d+")


def dutch_message(message: str) -> str:
    """Return a validation message in Dutch.

    validation.validate translates pydantic's messages, except "too_long" (an optional text over
    its maximum length) and numeric bounds written as "60.0"; those are put right here.
    """
    found = _TOO_LONG.fullmatch(message.strip())
    if found:
        return f"is te lang (maximaal {found.group(1)} tekens)"
    if message.startswith(("mag hoogstens", "moet minstens", "moet groter", "moet kleiner")):
        # numeric bounds come as "60.0": show them as Dutch numbers ("60", "2,5")
        message = _FLOAT.sub(lambda m: m.group(1) if m.group(2) == "0" else
                             f"{m.group(1)},{m.group(2)}", message)
    return message


class Submission:
    """The problems of one form, collected before anything is written.

    ``validate`` checks a record with :func:`validation.validate` and puts every problem next to
    its field; ``into`` does the same for problems the store finds while writing (the
    transaction then rolls back). Problems without a field go to the form's status line.
    """

    def __init__(self, today: dt.date) -> None:
        self.today = today
        self.count = 0
        self.loose: list[str] = []

    @property
    def ok(self) -> bool:
        return self.count == 0 and not self.loose

    def report(self, target: FieldSet | None, problems: Iterable[FieldProblem],
               aliases: Mapping[str, str] | None = None) -> None:
        """Show problems next to their fields (first problem of a field wins)."""
        for p in problems:
            message = dutch_message(p.message)
            f = target.find(p.field, aliases) if target is not None else None
            if f is None:
                self.loose.append(f"{p.label}: {message}")
                continue
            if not f.message:
                f.show_error(f"{f.label} {message}")
                self.count += 1

    def fail(self, f: Field, message: str) -> None:
        """Show one problem of a field found by the form itself."""
        if not f.message:
            f.show_error(f"{f.label} {message}")
            self.count += 1

    def require(self, f: Field) -> Any:
        """Return a field's value, or mark it as required when empty."""
        value = f.get()
        if value is None:
            self.fail(f, "is verplicht")
        return value

    def validate(self, target: FieldSet, entity: str, values: Mapping[str, Any],
                 aliases: Mapping[str, str] | None = None) -> dict[str, Any] | None:
        """Validate one record; return its clean values or None (problems shown)."""
        try:
            return validation.validate(entity, values, today=self.today)
        except InvalidRecord as exc:
            self.report(target, exc.problems, aliases)
            return None

    def date(self, f: DateField | MomentField, *, required: bool = False,
             not_future: bool = True) -> Any:
        """Return a field's date (or moment), showing a message when it is wrong."""
        try:
            value = f.parsed()
        except ValueError as exc:
            self.fail(f, str(exc))
            return None
        if value is None and required:
            self.fail(f, "is verplicht")
        day = value.date() if isinstance(value, dt.datetime) else value
        if not_future and day is not None and day > self.today:
            self.fail(f, "mag niet in de toekomst liggen")
        return value

    @contextmanager
    def into(self, target: FieldSet | None,
             aliases: Mapping[str, str] | None = None) -> Iterator[None]:
        """Route the store's problems of the writes in this block to ``target``'s fields."""
        try:
            yield
        except InvalidRecord as exc:
            self.report(target, exc.problems, aliases)
            raise Refused(str(exc)) from exc

    def summary(self) -> str:
        """Return the Dutch status message of a refused form."""
        parts = []
        if self.count:
            velden = "veld klopt" if self.count == 1 else "velden kloppen"
            parts.append(
                f"Niet opgeslagen: {self.count} {velden} niet. De meldingen staan in rood bij "
                "de velden."
            )
        if self.loose:
            lead = "" if parts else "Niet opgeslagen: "
            parts.append(lead + "; ".join(self.loose) + ".")
        return " ".join(parts) or "Niet opgeslagen."

    def commit(
        self,
        store: Workspace,
        actor: str,
        write: Callable[[Tx], T],
        *,
        status: FormStatus,
        on_stale: Callable[[StaleEditError], None],
    ) -> tuple[bool, T | None]:
        """Write in one transaction when the form is valid; report why not otherwise.

        Returns (saved, what ``write`` returned). Nothing is written when the form shows
        problems, when the store refuses a record, or when someone else saved first.
        """
        if not self.ok:
            status.error(self.summary())
            return False, None
        try:
            with store.transaction(actor=actor) as tx:
                result = write(tx)
        except Refused:
            status.error(self.summary())
            return False, None
        except StaleEditError as exc:
            on_stale(exc)
            status.error(str(exc))
            return False, None
        except InvalidRecord as exc:
            self.loose.extend(str(p) for p in exc.problems)
            status.error(self.summary())
            return False, None
        except TrajecttoolsError as exc:
            status.error(f"Niet opgeslagen: {exc}")
            return False, None
        return True, result


def saved_message(what: str, actor: str) -> str:
    """Return the Dutch confirmation that names who saved (as the audit log does)."""
    now = dt.datetime.now()
    return f"{what} opgeslagen door {actor} op {now:%d-%m-%Y} om {now:%H:%M}."


# -- panels ----------------------------------------------------------------------------------


class StalePanel(widgets.VBox):
    """Shows the version someone else saved first, next to the refused edit."""

    def __init__(self, on_reload: Callable[[], None], status: FormStatus) -> None:
        self.table = html_block("")
        self.reload_button = button("Nieuwe versie laden", kind="primary", css="tt-reload",
                                    tooltip="Laad de opgeslagen gegevens; uw wijziging vervalt")
        self.reload_button.on_click(guarded(status, "Opnieuw laden")(lambda _b: on_reload()))
        self.reload_button.layout.align_self = "flex-start"
        self.shown_rows: list[tuple[str, str]] = []
        self.changed: list[str] = []
        super().__init__([self.table, self.reload_button], layout=widgets.Layout(width="100%"))
        self.add_class("tt-stale")
        show(self, False)

    def present(self, exc: StaleEditError, rows: Sequence[tuple[str, str]],
                loaded: Sequence[tuple[str, str]] = ()) -> None:
        """Show the other version of a refused edit; rows that differ from the version the
        form was loaded with are marked "gewijzigd"."""
        self.shown_rows = list(rows)
        before = dict(loaded)
        self.changed = [k for k, v in rows if loaded and before.get(k, "") != v]
        who = f" door {exc.changed_by}" if exc.changed_by else ""
        when = f" op {exc.changed_at}" if exc.changed_at else ""
        body = "".join(
            f"<tr><th>{esc(k)}</th><td>{esc(v) or '–'}</td><td>"
            + (f'<span class="tt-changed">gewijzigd (was: {esc(before.get(k)) or "–"})</span>'
               if k in self.changed else "")
            + "</td></tr>"
            for k, v in rows
        )
        self.table.value = (
            f"<h4>De versie die{esc(who)}{esc(when)} is opgeslagen "
            f"({esc(exc.entity_label)}, versie {exc.current_version})</h4>"
            "<p>Uw wijziging is <b>niet</b> opgeslagen en er is niets overschreven. Vergelijk "
            "met wat u invulde, laad de nieuwe versie en voer uw wijziging opnieuw in.</p>"
            f"<table>{body}</table>"
        )
        show(self, True)

    def hide(self) -> None:
        """Hide the panel."""
        self.shown_rows = []
        self.table.value = ""
        show(self, False)


class ReportView(widgets.VBox):
    """A report shown in the page, with a link to download it as a printable HTML file."""

    def __init__(self) -> None:
        self.download = html_block("", "tt-download tt-noprint")
        self.content = html_block("", "tt-report-view")
        self.document = ""
        super().__init__([self.download, self.content], layout=widgets.Layout(width="100%"))
        self.add_class("tt-report")
        show(self.content, False)

    def present(self, fragment: str, document: str, filename: str) -> None:
        """Show a report fragment and offer the whole document for download."""
        self.document = document
        data = base64.b64encode(document.encode("utf-8")).decode("ascii")
        self.download.value = (
            f'<a download="{esc(filename)}" href="data:text/html;charset=utf-8;base64,{data}">'
            f"Download {esc(filename)} (openen en afdrukken)</a>"
        )
        self.content.value = fragment
        show(self.content, True)

    def clear(self) -> None:
        """Remove the report."""
        self.document = ""
        self.download.value = ""
        self.content.value = ""
        show(self.content, False)


class CasePicker(widgets.HBox):
    """Choose a case by pseudonym; the list shows pseudonym and initials, never names."""

    def __init__(self, store: Workspace, status: FormStatus,
                 on_pick: Callable[[int | None], None]) -> None:
        self.store = store
        self.on_pick = on_pick
        self.choices: list[CaseChoice] = []
        self.search = widgets.Text(placeholder="Zoek op pseudoniem", continuous_update=False,
                                   layout=widgets.Layout(width="190px"))
        self.search.add_class("tt-search")
        self.dropdown = widgets.Dropdown(options=[("— kies een dossier —", NO_CASE)],
                                         value=NO_CASE, layout=widgets.Layout(width="560px"))
        self.dropdown.add_class("tt-case-pick")
        self.refresh_button = button("Lijst vernieuwen", css="tt-refresh")
        label = html_block('<span class="tt-label">Dossier</span>')
        label.layout.width = "auto"
        super().__init__([label, self.search, self.dropdown, self.refresh_button],
                         layout=widgets.Layout(width="auto", align_items="center",
                                               flex_flow="row wrap"))
        self.add_class("tt-picker")
        self.add_class("tt-noprint")
        self._quiet = False
        self.search.observe(guarded(status, "Zoeken")(lambda _c: self.refresh()), "value")
        self.refresh_button.on_click(guarded(status, "Lijst vernieuwen")(
            lambda _b: self.refresh()))
        self.dropdown.observe(guarded(status, "Dossier openen")(self._changed), "value")

    def refresh(self, select: int | None = None) -> None:
        """Reload the list (filtered by the search text), keeping or setting the choice."""
        self.choices = case_choices(self.store, search=self.search.value)
        keep = select if select is not None else self.dropdown.value
        options = [("— kies een dossier —", NO_CASE)] + [
            (c.label, c.trajectory_id) for c in self.choices
        ]
        ids = {c.trajectory_id for c in self.choices}
        if keep not in ids and keep != NO_CASE:
            options.insert(1, (f"Dossier {keep} (buiten de zoekopdracht)", keep))
        self._quiet = True
        try:
            self.dropdown.options = options
            self.dropdown.value = keep
        finally:
            self._quiet = False

    def _changed(self, change: Mapping[str, Any]) -> None:
        if self._quiet:
            return
        value = change["new"]
        self.on_pick(int(value) if value else None)

    def pick(self, trajectory_id: int | None) -> None:
        """Choose a case (as if picked in the list) and open it."""
        if trajectory_id is not None and trajectory_id not in [v for _, v in
                                                               self.dropdown.options]:
            self.refresh(select=trajectory_id)
            self.on_pick(trajectory_id)
            return
        if self.dropdown.value == (trajectory_id or NO_CASE):
            self.on_pick(trajectory_id)
        else:
            self.dropdown.value = trajectory_id or NO_CASE

    @property
    def labels(self) -> list[str]:
        """The texts in the list (for checking that no full name is shown)."""
        return [str(label) for label, _ in self.dropdown.options]


class Steps(widgets.VBox):
    """Step buttons above the form parts; one part is shown at a time."""

    def __init__(self, steps: Sequence[tuple[str, str, widgets.Widget]],
                 status: FormStatus) -> None:
        self.parts = {key: part for key, _, part in steps}
        self.buttons: dict[str, widgets.Button] = {}
        for key, label, _ in steps:
            b = button(label, css=f"tt-step tt-step-{key}")
            b.on_click(guarded(status, "Stap kiezen")(functools.partial(self._click, key)))
            self.buttons[key] = b
        bar = widgets.HBox(list(self.buttons.values()), layout=widgets.Layout(width="100%"))
        bar.add_class("tt-steps")
        bar.add_class("tt-noprint")
        self.current = steps[0][0]
        self.body = widgets.VBox([], layout=widgets.Layout(width="100%"))
        super().__init__([bar, self.body], layout=widgets.Layout(width="100%"))
        self.go(self.current)

    def _click(self, key: str, _b: widgets.Button) -> None:
        self.go(key)

    def go(self, key: str) -> None:
        """Show the part with this key."""
        self.current = key
        self.body.children = (self.parts[key],)
        for k, b in self.buttons.items():
            if k == key:
                b.add_class("tt-step-active")
            else:
                b.remove_class("tt-step-active")


def savebar(save: widgets.Button, status: FormStatus,
            *extra: widgets.Widget) -> widgets.HBox:
    """Return the row with a form part's save button(s) and its status line."""
    bar = widgets.HBox([save, *extra, status], layout=widgets.Layout(width="100%"))
    bar.add_class("tt-savebar")
    return bar


# -- case apps -------------------------------------------------------------------------------


class CasePart(widgets.VBox):
    """One step of a case app (a form part) with its own status line and stale-edit panel."""

    def __init__(self, app: CaseApp, css: str, *, needs_case: bool = True) -> None:
        self.app = app
        self.needs_case = needs_case
        self.status = FormStatus(f"{css}-status")
        self.stale = StalePanel(app.reload, self.status)
        self.notice = html_block(
            '<p class="tt-notice">Kies eerst een dossier in de lijst hierboven'
            + ("" if app.css == "tt-follow-up" else " of meld bij stap 1 een nieuwe klant aan")
            + ".</p>",
            "tt-notice",
        )
        self.main = widgets.VBox([], layout=widgets.Layout(width="100%"))
        super().__init__([self.notice, self.main], layout=widgets.Layout(width="100%"))
        self.add_class("tt-part")
        self.add_class(css)

    def build(self, children: Sequence[widgets.Widget]) -> None:
        """Set the part's content (shown once a case is open, when the part needs one)."""
        self.main.children = tuple(children)

    @property
    def dossier(self) -> Any:
        return self.app.dossier

    def set_case(self, d: Any) -> None:
        """Show a newly opened (or reloaded) case; None: no case open."""
        missing = self.needs_case and d is None
        show(self.notice, missing)
        show(self.main, not missing)
        self.stale.hide()
        self.load(d)

    def load(self, d: Any) -> None:
        """Fill the part from a case (override)."""

    def submission(self) -> Submission:
        """Start checking this part's form: errors cleared, a fresh Submission."""
        for fs in self.fieldsets():
            fs.clear_errors()
        self.stale.hide()
        self.status.clear()
        return Submission(self.app.today)

    def fieldsets(self) -> list[FieldSet]:
        """Return every field set of this part (override)."""
        return []

    def commit(self, sub: Submission, write: Callable[[Tx], T], what: str) -> tuple[bool, T | None]:
        """Save the part in one transaction; on success reload the case and confirm."""
        saved, result = sub.commit(self.app.store, self.app.actor, write, status=self.status,
                                   on_stale=self.show_stale)
        if saved:
            log.info("%s opgeslagen door %s", what, self.app.actor)
            try:
                self.app.after_save(result if isinstance(result, int) else None)
            except Exception:
                log.exception("Dossier opnieuw laden na opslaan mislukt")
                self.status.error(saved_message(what, self.app.actor) + " Het dossier kon "
                                  "daarna niet opnieuw worden geladen; herlaad de pagina.")
                return saved, result
            self.status.ok(saved_message(what, self.app.actor))
        return saved, result

    def show_stale(self, exc: StaleEditError) -> None:
        """Show the version someone else saved first."""
        from trajecttools.reads.case.dossier import describe, entity_of_label

        entity = entity_of_label(exc.entity_label) or ""
        d = self.dossier
        method = d.method if d is not None else None
        rows = describe(self.app.store, entity, exc.current, method) if entity else []
        stored = d.row_of(entity, exc.entity_id) if d is not None else None
        loaded = describe(self.app.store, entity, stored, method) if stored else []
        self.stale.present(exc, rows, loaded)


class CaseApp(widgets.VBox):
    """A whole case app: title, case picker, case header, steps, each step a CasePart."""

    css = "tt-case-app"
    title_text = ""

    def __init__(self, store: Workspace, *, actor: str | None = None,
                 today: dt.date | None = None) -> None:
        self.store = store
        self.actor = actor or store.actor
        self.today = today or store.today
        self.dossier: Any = None
        self.status = FormStatus("tt-app-status")
        self.picker = CasePicker(store, self.status, self.open_case)
        self.head = html_block("", "tt-case-head")
        self.parts: dict[str, CasePart] = {}
        steps = self.make_steps()
        self.parts = {key: part for key, _, part in steps}
        self.steps = Steps(steps, self.status)
        bar = self.top_bar()
        bar.add_class("tt-topbar")
        bar.add_class("tt-noprint")
        super().__init__(
            [form_style(), bar, self.head, self.status, self.steps],
            layout=widgets.Layout(width="100%", padding="4px 8px"),
        )
        self.add_class("tt-form")
        self.add_class(self.css)
        self.picker.refresh()
        self.open_case(None)

    def make_steps(self) -> list[tuple[str, str, CasePart]]:
        """Return (key, button text, part) of every step (override)."""
        raise NotImplementedError

    def top_bar(self) -> widgets.Widget:
        """Return the row with the case picker (override to add buttons)."""
        return widgets.HBox([self.picker], layout=widgets.Layout(width="100%"))

    def head_html(self, d: Any) -> str:
        """Return the case header shown above the steps (override)."""
        return ""

    def open_case(self, trajectory_id: int | None) -> None:
        """Open a case by trajectory id (None: no case)."""
        from trajecttools.reads.case.dossier import load_dossier

        self.dossier = load_dossier(self.store, trajectory_id) if trajectory_id else None
        self.head.value = self.head_html(self.dossier)
        for part in self.parts.values():
            part.set_case(self.dossier)
        if self.dossier is not None:
            self.status.info(f"Dossier {self.dossier.display_name} geopend.")
        else:
            self.status.clear()

    def reload(self) -> None:
        """Load the open case again as it is stored now."""
        tid = self.dossier.trajectory_id if self.dossier is not None else None
        self.open_case(tid)

    def after_save(self, new_trajectory_id: int | None = None) -> None:
        """Reload the case after a save (the versions of what was saved changed)."""
        self.reload()


def _failure(title: str, message: str, css: str) -> widgets.Widget:
    box = widgets.VBox([
        form_style(),
        html_block(f"<h2>{esc(title)}</h2><div class='tt-status-error' role='alert'>"
                   f"{esc(message)}</div>", "tt-status"),
    ])
    box.add_class("tt-form")
    box.add_class(css)
    return box


def open_store(store: Workspace | None, actor: str | None, today: dt.date | None) -> Workspace:
    """Return the given store, or open the register named by ``TRAJECTTOOLS_DATABASE_URL``."""
    if store is not None:
        return store
    from trajecttools.workspace import open as open_register

    return open_register(actor=actor, today=today)


def build_app(cls: type[CaseApp], store: Workspace | None, actor: str | None,
              today: dt.date | None) -> widgets.Widget:
    """Build a case app, or a Dutch message (and a server log entry) when that fails."""
    from trajecttools.widgets._base import setup_server_log

    setup_server_log()
    try:
        return cls(open_store(store, actor, today), actor=actor, today=today)
    except TrajecttoolsError as exc:
        log.exception("Formulier kon niet worden gemaakt")
        return _failure(cls.title_text, f"Het formulier kon niet worden geladen: {exc}", cls.css)
    except Exception:
        log.exception("Formulier kon niet worden gemaakt")
        return _failure(cls.title_text, "Het formulier kon niet worden geladen. Controleer de "
                        "verbinding met de database of meld het bij de beheerder.", cls.css)


__all__ = [
    "BLANK",
    "FORM_STYLE",
    "CaseApp",
    "CasePart",
    "CasePicker",
    "CheckField",
    "ChoiceField",
    "DateField",
    "Field",
    "FieldSet",
    "FormStatus",
    "MomentField",
    "MultiField",
    "NumberField",
    "Refused",
    "ReportView",
    "Row",
    "RowList",
    "SecretField",
    "StalePanel",
    "Steps",
    "Submission",
    "TextField",
    "build_app",
    "button",
    "choice_options",
    "form_style",
    "grid",
    "guarded",
    "record_field",
    "saved_message",
    "section",
    "show",
]
