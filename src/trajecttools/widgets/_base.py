"""Shared pieces of the dashboard widgets: escaping, Dutch formatting, status line, guarded
handlers, the server log and the meeting-room style sheet."""

from __future__ import annotations

import datetime as dt
import functools
import html
import io
import logging
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import ipywidgets as widgets
import pandas as pd
import traitlets

from trajecttools.core.errors import TrajecttoolsError

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


def esc(value: object) -> str:
    """Return text safe to put in HTML (None and missing values become empty)."""
    if value is None or value is pd.NaT:
        return ""
    try:
        if pd.isna(value):  # type: ignore[call-overload]
            return ""
    except (TypeError, ValueError):
        pass
    return html.escape(str(value), quote=True)


def fmt_date(value: object) -> str:
    """Format a date as dd-mm-jjjj (empty when missing)."""
    if value is None or value is pd.NaT:
        return ""
    try:
        if pd.isna(value):  # type: ignore[call-overload]
            return ""
    except (TypeError, ValueError):
        pass
    if isinstance(value, pd.Timestamp):
        value = value.date()
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return f"{value:%d-%m-%Y}"
    return str(value)


def date_html(value: object) -> str:
    """Return a date as dd-mm-jjjj in HTML that does not wrap (empty when missing)."""
    text = fmt_date(value)
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
    """A one-line status message for the people in the room (errors in plain Dutch)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(value="", **kwargs)
        self.add_class("tt-status")

    def info(self, message: str) -> None:
        """Show a neutral message."""
        self.value = f'<div class="tt-status-info" role="status">{esc(message)}</div>'

    def error(self, message: str) -> None:
        """Show an error message."""
        self.value = f'<div class="tt-status-error" role="alert">{esc(message)}</div>'

    def clear(self) -> None:
        """Remove the message."""
        self.value = ""


def friendly_error(action: str, exc: BaseException) -> str:
    """Return the Dutch message shown when ``action`` failed with ``exc``."""
    if isinstance(exc, TrajecttoolsError):
        return f"{action} is niet gelukt: {exc}"
    return (f"{action} is niet gelukt. Probeer het opnieuw; blijft het misgaan, herlaad dan "
            "de pagina of meld het bij de beheerder.")


def guarded(status: Status, action: str) -> Callable[[F], F]:
    """Wrap a widget handler: errors go to the server log and a Dutch message to ``status``."""

    def decorate(fn: F) -> F:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            try:
                return fn(*args, **kwargs)
            except Exception as exc:
                log.exception("Dashboardactie mislukt: %s", action)
                status.error(friendly_error(action, exc))
                return None

        return wrapper  # type: ignore[return-value]

    return decorate


def button(description: str, *, kind: str = "secondary", tooltip: str = "",
           css: str | None = None) -> widgets.Button:
    """Return a large text button (no icons: they need a CDN) with a stable CSS class."""
    b = widgets.Button(description=description, tooltip=tooltip or description,
                       layout=widgets.Layout(width="auto", flex="0 0 auto"))
    b.add_class("tt-button")
    b.add_class(f"tt-button-{kind}")
    if css:
        b.add_class(css)
    return b


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


#: The meeting-room style: large type, high contrast, readable from the back of the room.
STYLE_SHEET = """
<style>
.tt-mdo {
  --tt-ink: #111111;
  --tt-paper: #ffffff;
  --tt-accent: #0b3d91;
  --tt-rule: #222222;
  --jp-widgets-font-size: 20px;
  --jp-widgets-inline-height: 44px;
  --jp-widgets-inline-label-width: 130px;
  --jp-widgets-label-color: #111111;
  --jp-widgets-input-color: #111111;
  --jp-widgets-input-background-color: #ffffff;
  --jp-widgets-input-border-color: #222222;
  --jp-widgets-input-border-width: 2px;
  color: var(--tt-ink);
  background: var(--tt-paper);
  font-family: "DejaVu Sans", "Segoe UI", Arial, sans-serif;
  font-size: 20px;
  line-height: 1.4;
}
.tt-mdo .widget-html, .tt-mdo .widget-html-content, .tt-mdo .widget-label {
  font-size: 20px; color: var(--tt-ink); line-height: 1.4;
}
.tt-mdo .widget-html-content { white-space: normal; }
.tt-mdo h1, .tt-mdo h2, .tt-mdo h3 {
  color: var(--tt-ink); margin: 0.2em 0 0.3em 0; line-height: 1.2; font-weight: 700;
}
.tt-mdo h1 { font-size: 36px; }
.tt-mdo h2 { font-size: 30px; }
.tt-mdo h3 { font-size: 28px; }
.tt-mdo .widget-dropdown > select, .tt-mdo select {
  font-size: 20px; color: #111111; background: #ffffff; border: 2px solid #222222;
  height: 44px;
}
.tt-mdo .widget-dropdown > label, .tt-mdo .widget-label-basic { font-size: 20px; }
.tt-mdo .tt-button {
  font-size: 20px; height: 44px; padding: 0 16px; border-radius: 4px; font-weight: 600;
  margin: 2px 4px;
}
.tt-mdo .tt-button-primary { background: #0b3d91; color: #ffffff; border: 2px solid #0b3d91; }
.tt-mdo .tt-button-secondary { background: #ffffff; color: #111111; border: 2px solid #222222; }
.tt-mdo .tt-button-danger { background: #111111; color: #ffffff; border: 2px solid #111111; }
.tt-mdo .tt-button-on { background: #0b6b2e; color: #ffffff; border: 2px solid #0b6b2e; }
.tt-mdo .tt-button:disabled { opacity: 0.55; }
.tt-mdo .tt-button:focus-visible { outline: 4px solid #ffbf00; outline-offset: 2px; }
.tt-mdo .tt-titlebar { align-items: center; border-bottom: 4px solid #111111; padding-bottom: 6px; }
.tt-mdo .tt-title h2 { margin: 0; }
.tt-mdo .tt-subtitle { font-size: 22px; font-weight: 600; }
.tt-mdo .tt-status-info { font-size: 20px; padding: 4px 8px; }
.tt-mdo .tt-status-error {
  font-size: 22px; font-weight: 700; padding: 6px 10px; background: #a50021; color: #ffffff;
}
.tt-mdo .tt-panel {
  border: 2px solid #222222; border-radius: 6px; padding: 10px 14px; margin: 6px;
  background: #ffffff; box-sizing: border-box;
}
.tt-mdo .tt-button { flex: 0 0 auto; overflow: visible; }
.tt-mdo .tt-signal-row {
  border-bottom: 2px solid #444444; padding: 8px 0; align-items: center;
}
.tt-mdo .tt-signal-row.tt-on-agenda { background: #e8f3ea; }
.tt-mdo .tt-row-main { font-size: 22px; font-weight: 600; }
.tt-mdo .tt-row-msg { font-size: 20px; }
.tt-mdo .tt-row-meta { font-size: 20px; font-weight: 400; }
.tt-mdo .tt-sev {
  display: inline-block; min-width: 92px; text-align: center; font-weight: 800;
  font-size: 18px; letter-spacing: 0.04em; padding: 2px 8px; margin-right: 10px;
  border-radius: 4px; border: 2px solid #111111;
}
.tt-mdo .tt-sev-high { background: #a50021; color: #ffffff; border-color: #a50021; }
.tt-mdo .tt-sev-medium { background: #ffd23f; color: #111111; border-color: #111111; }
.tt-mdo .tt-sev-low { background: #ffffff; color: #111111; border-color: #111111; }
.tt-mdo .tt-pager { align-items: center; }
.tt-mdo .tt-empty { font-size: 22px; padding: 12px 0; }
.tt-mdo .tt-agenda-item { border-bottom: 2px solid #444444; align-items: center; padding: 4px 0; }
.tt-mdo .tt-hidden-notice {
  font-size: 30px; font-weight: 700; padding: 40px; text-align: center;
  border: 4px dashed #111111; margin: 20px;
}
.tt-mdo .tt-card-head { font-size: 24px; }
.tt-mdo .tt-card table { border-collapse: collapse; font-size: 20px; max-width: 100%; }
.tt-mdo .tt-card-section { min-width: 0; overflow-wrap: anywhere; }
.tt-mdo .tt-card th, .tt-mdo .tt-card td {
  text-align: left; padding: 4px 12px 4px 0; border-bottom: 1px solid #666666;
  vertical-align: top;
}
.tt-mdo .tt-card th { font-weight: 700; }
.tt-mdo .tt-timeline { display: flex; flex-wrap: wrap; gap: 6px; align-items: stretch; }
.tt-mdo .tt-step {
  border: 2px solid #111111; border-radius: 6px; padding: 4px 10px; font-size: 20px;
}
.tt-mdo .tt-step-current { background: #0b3d91; color: #ffffff; border-color: #0b3d91; }
.tt-mdo .tt-arrow { font-size: 24px; align-self: center; }
.tt-mdo .tt-overdue { font-weight: 800; text-decoration: underline; }
.tt-mdo .tt-note { font-size: 20px; }
.tt-mdo .tt-date { white-space: nowrap; }
.tt-mdo .tt-chart-title { font-size: 28px; font-weight: 700; margin: 4px 0; }
.tt-mdo .tt-zrm svg { max-width: 100%; height: auto; }
</style>
"""


def style_sheet() -> widgets.HTML:
    """Return the widget that carries the meeting-room style sheet."""
    sheet = widgets.HTML(value=STYLE_SHEET, layout=widgets.Layout(display="none"))
    sheet.add_class("tt-style")
    return sheet
