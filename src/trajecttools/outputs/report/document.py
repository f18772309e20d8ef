"""The printable report document: HTML building blocks, style sheets and the organisation header.

Every report is a fragment (``<div class="tt-report">``) built from the blocks here
(:func:`kv_table`, :func:`table`, :func:`text_block`, :func:`section`), wrapped by
:func:`document` in a whole HTML page with the report style sheet and, when given, the header
with the organisation's name and logo. The organisation is kept in the register as the facts
``organisation_name`` and ``organisation_logo`` (a ``data:image/...`` URI;
:func:`set_organisation` reads an image file into one). The style sheets are package files
(``report/css/*.css``).
"""

from __future__ import annotations

import base64
import binascii
import html
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from trajecttools.core.dates import is_missing
from trajecttools.core.errors import TrajecttoolsError

if TYPE_CHECKING:
    from trajecttools.register.store import Store

NAME_KEY = "organisation_name"
LOGO_KEY = "organisation_logo"
LOGO_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
              ".gif": "image/gif", ".svg": "image/svg+xml"}
MAX_LOGO_BYTES = 512 * 1024
MAX_NAME_CHARS = 160
_DATA_URI = re.compile(r"^data:(image/(?:png|jpeg|gif|svg\+xml));base64,([A-Za-z0-9+/=\s]+)$")


def stylesheet(name: str) -> str:
    """Return the package style sheet ``report/css/<name>.css`` as text."""
    css = resources.files(__package__ or "").joinpath("css", f"{name}.css")
    return "\n" + css.read_text(encoding="utf-8")  # a leading newline, as in the <style> before


#: Style of every report fragment (``.tt-report``), on screen and in print.
REPORT_CSS = stylesheet("report")
#: Style of the organisation header and of the MDO summary's decisions.
HEADER_CSS = stylesheet("header")


# -- HTML building blocks -----------------------------------------------------------------------
def esc(value: object) -> str:
    """Return text safe inside HTML (None and other missing values become empty)."""
    return "" if is_missing(value) else html.escape(str(value), quote=True)


def kv_table(pairs: Iterable[tuple[str, object]]) -> str:
    """Return a two-column table of labels and values ("–" for an empty value)."""
    rows = "".join(
        f"<tr><th>{esc(k)}</th><td>{esc(v) if v not in (None, '') else '–'}</td></tr>"
        for k, v in pairs
    )
    return f'<table class="tt-kv">{rows}</table>'


def table(headers: Sequence[str], rows: Sequence[Sequence[object]], empty: str) -> str:
    """Return a table with a header row, or the ``empty`` sentence when there are no rows."""
    if not rows:
        return f'<p class="tt-empty">{esc(empty)}</p>'
    head = "".join(f"<th>{esc(h)}</th>" for h in headers)
    body = "".join(
        "<tr>" + "".join(f"<td>{esc(c)}</td>" for c in row) + "</tr>" for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def text_block(value: object, empty: str = "Niet ingevuld.") -> str:
    """Return free text as a paragraph keeping its line breaks, or the ``empty`` sentence."""
    if value is None or not str(value).strip():
        return f'<p class="tt-empty">{esc(empty)}</p>'
    return f'<p class="tt-text">{esc(value)}</p>'


def section(title: str, body: str) -> str:
    """Return a titled section of a report."""
    return f"<h2>{esc(title)}</h2>{body}"


# -- the organisation ---------------------------------------------------------------------------
class ConfigError(TrajecttoolsError):
    """A setting of the register is missing or broken; the message names the key."""

    def __init__(self, key: str, message: str) -> None:
        self.key = key
        super().__init__(f"Instelling '{key}': {message}")


@dataclass(frozen=True)
class Organisation:
    """The organisation a report is made for: its name and logo (a data URI, or empty)."""

    name: str = ""
    logo: str = ""

    def header_html(self) -> str:
        """Return the report header (logo and name; empty when neither is set)."""
        if not self.name and not self.logo:
            return ""
        logo = f'<img src="{esc(self.logo)}" alt="logo">' if self.logo else ""
        name = f'<span class="tt-org-name">{esc(self.name)}</span>' if self.name else ""
        return f'<div class="tt-org">{logo}{name}</div>'


def _check_logo_uri(value: str) -> str:
    match = _DATA_URI.match(value.strip())
    if match is None:
        raise ConfigError(LOGO_KEY, "is geen afbeelding (verwacht een PNG-, JPEG-, GIF- of "
                                    "SVG-bestand, of een data:image/...;base64-URI)")
    try:
        data = base64.b64decode(re.sub(r"\s", "", match.group(2)), validate=True)
    except (binascii.Error, ValueError):
        raise ConfigError(LOGO_KEY, "de afbeelding is beschadigd (geen geldige base64)") from None
    if not data:
        raise ConfigError(LOGO_KEY, "de afbeelding is leeg")
    return value.strip()


def _check_name(name: str) -> str:
    if not name.strip():
        raise ConfigError(NAME_KEY, "is leeg; vul de naam van de organisatie in")
    if len(name) > MAX_NAME_CHARS:
        raise ConfigError(NAME_KEY,
                          f"is te lang ({len(name)} tekens, maximaal {MAX_NAME_CHARS})")
    return name.strip()


def logo_uri(path: str | os.PathLike[str]) -> str:
    """Return an image file as a data URI (Dutch message naming the key when it is unusable)."""
    file = Path(path)
    kind = LOGO_TYPES.get(file.suffix.lower())
    if kind is None:
        raise ConfigError(LOGO_KEY, f"'{file.name}' is geen PNG-, JPEG-, GIF- of SVG-bestand")
    if not file.is_file():
        raise ConfigError(LOGO_KEY, f"bestand '{file}' bestaat niet")
    data = file.read_bytes()
    if not data:
        raise ConfigError(LOGO_KEY, f"bestand '{file}' is leeg")
    if len(data) > MAX_LOGO_BYTES:
        raise ConfigError(LOGO_KEY, f"bestand '{file}' is te groot ({len(data) // 1024} kB, "
                                    f"maximaal {MAX_LOGO_BYTES // 1024} kB)")
    return f"data:{kind};base64,{base64.b64encode(data).decode('ascii')}"


def organisation(store: Store) -> Organisation:
    """Return the organisation's name and logo from the register's settings."""
    info = store.info()
    name = info.get(NAME_KEY)
    logo = info.get(LOGO_KEY) or ""
    return Organisation(name=_check_name(name) if name is not None else "",
                        logo=_check_logo_uri(logo) if logo else "")


def set_organisation(
    store: Store,
    *,
    name: str | None = None,
    logo: str | os.PathLike[str] | None = None,
    actor: str | None = None,
) -> Organisation:
    """Set the organisation's name and/or logo (an image file or data URI); return them."""
    text = _check_name(str(name).strip()) if name is not None else None
    uri = None
    if logo is not None:
        uri = (_check_logo_uri(str(logo)) if str(logo).startswith("data:")
               else logo_uri(logo))
    if text is not None:
        store.set_info(NAME_KEY, text, actor=actor)
    if uri is not None:
        store.set_info(LOGO_KEY, uri, actor=actor)
    return organisation(store)


# -- the document -------------------------------------------------------------------------------
def document(fragment: str, title: str, org: Organisation | None = None) -> str:
    """Wrap a report fragment in a whole, printable HTML document (under ``org``'s header)."""
    style = REPORT_CSS if org is None else REPORT_CSS + HEADER_CSS
    header = "" if org is None else org.header_html()
    return (
        '<!DOCTYPE html>\n<html lang="nl"><head><meta charset="utf-8">'
        f"<title>{esc(title)}</title><style>body {{ margin: 2em; }}{style}</style>"
        f"</head><body>{header}{fragment}</body></html>\n"
    )


__all__ = [
    "HEADER_CSS",
    "LOGO_KEY",
    "NAME_KEY",
    "REPORT_CSS",
    "ConfigError",
    "Organisation",
    "document",
    "esc",
    "kv_table",
    "logo_uri",
    "organisation",
    "section",
    "set_organisation",
    "stylesheet",
    "table",
    "text_block",
]
