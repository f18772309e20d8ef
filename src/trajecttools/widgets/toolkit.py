"""The one UI toolkit of the dashboards and forms: escaping, Dutch formatting, buttons, the
status line, guarded handlers, the server log, the meeting screen with "Alles verbergen", the
failure box and the style sheets (CSS files in ``widgets/css``)."""

from __future__ import annotations

import functools
import io
import logging
import sys
from collections.abc import Callable
from importlib import resources
from typing import Any, TypeVar

import ipywidgets as widgets
import pandas as pd
import traitlets

from trajecttools.core.dates import dutch_date
from trajecttools.core.errors import TrajecttoolsError
from trajecttools.outputs.report import REPORT_CSS
from trajecttools.outputs.report.document import esc

F = TypeVar("F", bound=Callable[..., Any])

#: Logger of the dashboards; it writes to the server's log, never to the browser.
log = logging.getLogger("trajecttools.widgets")


def _server_stream() -> io.TextIOBase:
    """Return a text stream to the process's real stderr (the Voilà server log).

    Inside a kernel ``sys.stderr`` is forwarded to the browser; ipykernel keeps a copy of the
    original file descriptor, which is where server-side logs belong.
    """
    fd = getattr(sys.stderr, "_original_stdstream_copy", None)
    if fd is not None:
        return io.TextIOWrapper(io.FileIO(fd, "w", closefd=False), line_buffering=True)
    return sys.__stderr__ or sys.stderr  # type: ignore[return-value]


def setup_server_log() -> None:
    """Send the dashboards' log records to the server log (once per process)."""
    if any(getattr(h, "_tt_server_log", False) for h in log.handlers):
        return
    handler = logging.StreamHandler(_server_stream())
    handler._tt_server_log = True  # type: ignore[attr-defined]
    handler.setFormatter(logging.Formatter("[trajecttools %(levelname)s %(asctime)s] %(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.propagate = False


def date_html(value: object) -> str:
    """Return a date as dd-mm-jjjj in HTML that does not wrap (empty when missing)."""
    text = dutch_date(value)
    return f'<span class="tt-date">{esc(text)}</span>' if text else ""


def days_text(days: object) -> str:
    """Return "1 dag" / "12 dagen" (empty when missing)."""
    if days is None:
        return ""
    try:
        if pd.isna(days):  # type: ignore[call-overload]
            return ""
        number = int(days)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return ""
    return "1 dag" if number == 1 else f"{number} dagen"


class Status(widgets.HTML):
    """The message line of a page or form: what worked, or why not (in plain Dutch).

    ``css`` adds CSS classes; ``wide`` makes the line take the full width (forms).
    """

    def __init__(self, css: str | None = None, *, wide: bool = False) -> None:
        layout = widgets.Layout(width="100%") if wide else widgets.Layout()
        super().__init__(value="", layout=layout)
        self.add_class("tt-status")
        for name in (css or "").split():
            self.add_class(name)
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


def friendly_error(action: str, exc: BaseException) -> str:
    """Return the Dutch message shown when ``action`` failed with ``exc``."""
    if isinstance(exc, TrajecttoolsError):
        return f"{action} is niet gelukt: {exc}"
    return (f"{action} is niet gelukt door een fout in het programma. Probeer het opnieuw; "
            "blijft het misgaan, herlaad dan de pagina of meld het bij de beheerder.")


def guarded(status: Status, action: str) -> Callable[[F], F]:
    """Wrap a widget handler: errors go to the server log and a Dutch message to ``status``.

    A refusal (:class:`~trajecttools.core.errors.TrajecttoolsError`) is logged as a warning and
    shown as it is; anything else is logged with its traceback and shown without internals.
    """

    def decorate(fn: F) -> F:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            try:
                return fn(*args, **kwargs)
            except TrajecttoolsError as exc:
                log.warning("Actie geweigerd: %s: %s", action, exc)
                status.error(friendly_error(action, exc))
            except Exception as exc:
                log.exception("Actie mislukt: %s", action)
                status.error(friendly_error(action, exc))
            return None

        return wrapper  # type: ignore[return-value]

    return decorate


def button(description: str, *, kind: str = "secondary", tooltip: str = "",
           css: str | None = None) -> widgets.Button:
    """Return a text button (no icons: they need a CDN) with stable CSS classes."""
    b = widgets.Button(description=description, tooltip=tooltip or description,
                       layout=widgets.Layout(width="auto", flex="0 0 auto"))
    b.add_class("tt-button")
    b.add_class(f"tt-button-{kind}")
    for name in (css or "").split():
        b.add_class(name)
    return b


def html_block(value: str = "", css: str | None = None) -> widgets.HTML:
    """Return an HTML widget that takes the full width, with optional CSS classes."""
    w = widgets.HTML(value, layout=widgets.Layout(width="100%"))
    for name in (css or "").split():
        w.add_class(name)
    return w


def show(widget: widgets.Widget, visible: bool) -> None:
    """Show or hide a widget (the browser keeps no hidden copy on screen)."""
    widget.layout.display = None if visible else "none"


def is_shown(widget: widgets.Widget) -> bool:
    """Tell whether a widget is shown (not hidden with :func:`show`)."""
    return widget.layout.display != "none"


#: What a meeting screen shows instead of its content while hidden.
HIDDEN_NOTICE = 'De gegevens zijn verborgen. Klik op "Tonen" om ze weer te zien.'


class MeetingScreen(widgets.VBox):
    """A dashboard projected in a meeting room, always in meeting mode, with "Alles verbergen".

    Meeting mode is the only mode of the dashboards: clients appear by pseudonym and initials
    only; names, BSN, birth dates and free-text notes never reach the browser, and
    special-category details (health, addiction, justice) only on a case card that someone
    opened explicitly (which is logged). "Alles verbergen" hides all content at once for when
    a visitor walks in; "Tonen" brings it back.

    A subclass calls :meth:`_build_privacy` before ``super().__init__``, puts
    ``hide_button`` and ``show_button`` in its title bar and ``hidden_notice`` above
    ``content``, the widget that holds everything about clients.
    """

    hidden = traitlets.Bool(False, help="All content hidden (visitor in the room)")
    content: widgets.Widget

    def _build_privacy(self, status: Status, *, what: str = "cliëntgegevens") -> None:
        """Make the hide/show buttons and the notice (call before ``super().__init__``)."""
        self._privacy_status = status
        self.hide_button = button("Alles verbergen", kind="danger",
                                  tooltip=f"Verberg alle {what} (bezoek in de kamer)",
                                  css="tt-hide-all")
        self.show_button = button("Tonen", kind="primary", tooltip="Toon de gegevens weer",
                                  css="tt-show-all")
        self.hidden_notice = widgets.HTML(f'<div class="tt-hidden-notice">{esc(HIDDEN_NOTICE)}'
                                          "</div>")
        self.hidden_notice.add_class("tt-hidden")
        show(self.hidden_notice, False)
        show(self.show_button, False)
        self.hide_button.on_click(guarded(status, "Verbergen")(lambda _b: self.hide_all()))
        self.show_button.on_click(guarded(status, "Tonen")(lambda _b: self.show_all()))

    def hide_all(self) -> None:
        """Hide all content at once (a visitor walks in)."""
        with self.hold_sync():
            show(self.content, False)
            show(self.hidden_notice, True)
            show(self.hide_button, False)
            show(self.show_button, True)
            self._privacy_status.clear()
            self.hidden = True

    def show_all(self) -> None:
        """Show the content again."""
        with self.hold_sync():
            show(self.content, True)
            show(self.hidden_notice, False)
            show(self.hide_button, True)
            show(self.show_button, False)
            self.hidden = False

    @property
    def content_shown(self) -> bool:
        """Whether the content is on screen."""
        return is_shown(self.content)


CSS_FOLDER = resources.files("trajecttools.widgets") / "css"


def css_text(name: str) -> str:
    """Return the style rules of one page kind (``widgets/css/<name>.css``)."""
    text = (CSS_FOLDER / f"{name}.css").read_text("utf-8")
    return text.replace("/* REPORT_CSS */", REPORT_CSS) if name == "form" else text


def style_sheet(name: str = "meeting") -> widgets.HTML:
    """Return the hidden widget that carries a style sheet (default: the meeting room's).

    ``name``: meeting (large type, high contrast, readable from the back of the room), form
    (the case forms, with the report style), matchtafel, monitoring or transfer.
    """
    sheet = widgets.HTML(value=f"<style>\n{css_text(name)}</style>",
                         layout=widgets.Layout(display="none"))
    sheet.add_class("tt-style")
    return sheet


def form_style() -> widgets.HTML:
    """Return the hidden widget that carries the forms' style sheet."""
    return style_sheet("form")


def failure_box(title: str, message: str, *, sheet: str, css: str) -> widgets.VBox:
    """Return the page shown instead of a dashboard or form that could not be built.

    ``sheet`` names the page's style sheet (see :func:`style_sheet`); a form ("form") gets an
    h2 title (its notebook has the h1), a dashboard an h1. ``css`` is the page's CSS class.
    """
    alert = f"<div class='tt-status-error' role='alert'>{esc(message)}</div>"
    if sheet == "form":
        box = widgets.VBox([form_style(), html_block(f"<h2>{esc(title)}</h2>{alert}",
                                                     "tt-status")])
        box.add_class("tt-form")
        box.add_class(css)
        return box
    box = widgets.VBox([style_sheet(sheet), widgets.HTML(f"<h1>{esc(title)}</h1>{alert}")])
    box.add_class(css)
    box.add_class("tt-status")
    return box


__all__ = [
    "CSS_FOLDER",
    "HIDDEN_NOTICE",
    "MeetingScreen",
    "Status",
    "button",
    "css_text",
    "date_html",
    "days_text",
    "failure_box",
    "form_style",
    "friendly_error",
    "guarded",
    "html_block",
    "is_shown",
    "log",
    "setup_server_log",
    "show",
    "style_sheet",
]
