"""Report output: HTML text or PDF, rendered locally by WeasyPrint (nothing downloaded).

WeasyPrint lays out HTML and CSS with Pango (Debian ``libpango-1.0-0``/``libpangoft2-1.0-0``)
and embeds the fonts it uses, so Dutch accents and tables come out as in the browser's print
view. Resources are resolved only from ``data:`` URIs and local files: any ``http(s)`` reference
in a report is skipped (with a warning) rather than fetched.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from trajecttools.core.errors import TrajecttoolsError
from trajecttools.outputs.report.document import stylesheet

Format = Literal["html", "pdf"]

#: Page set-up for every PDF report: A4, margins, and "pagina X van Y" at the bottom.
PAGE_CSS = stylesheet("page")


class PdfError(TrajecttoolsError):
    """A PDF could not be made (missing system library, unreadable resource)."""


def write_file(path: str | os.PathLike[str], data: str | bytes) -> Path:
    """Write text (UTF-8) or bytes to ``path`` through a temporary file; return the path."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".tmp")
    if isinstance(data, bytes):
        tmp.write_bytes(data)
    else:
        tmp.write_text(data, encoding="utf-8")
    tmp.replace(target)
    return target


def render_pdf(html: str, path: str | os.PathLike[str] | None = None) -> bytes:
    """Render a whole HTML document to PDF; write it to ``path`` when given; return the bytes."""
    try:
        # heavy optional dependency: WeasyPrint needs Pango and loads it only to make a PDF
        from weasyprint import CSS, HTML  # noqa: PLC0415
        from weasyprint.urls import URLFetcher  # noqa: PLC0415
    except (ImportError, OSError) as exc:  # OSError: Pango missing on this machine
        raise PdfError(
            "PDF maken lukt niet: WeasyPrint of de systeembibliotheek Pango ontbreekt "
            f"({exc}). Installeer libpango-1.0-0 en libpangoft2-1.0-0."
        ) from exc

    fetcher = URLFetcher(allowed_protocols={"data", "file"})  # never the network
    document = HTML(string=html, url_fetcher=fetcher, base_url=str(Path.cwd()))
    data = document.write_pdf(stylesheets=[CSS(string=PAGE_CSS)])
    if data is None:  # pragma: no cover - write_pdf without target always returns bytes
        raise PdfError("PDF maken lukte niet.")
    if path is not None:
        write_file(path, bytes(data))
    return bytes(data)


def render(html: str, fmt: Format) -> str | bytes:
    """Return a whole HTML document as it is (``html``) or as PDF bytes (``pdf``)."""
    if fmt == "html":
        return html
    if fmt == "pdf":
        return render_pdf(html)
    raise ValueError(f"onbekend formaat '{fmt}' (kies html of pdf)")


def format_of(path: str | os.PathLike[str]) -> Format:
    """Return the format a file name asks for (.html/.htm or .pdf), Dutch message otherwise."""
    suffix = Path(path).suffix.lower()
    if suffix in (".html", ".htm"):
        return "html"
    if suffix == ".pdf":
        return "pdf"
    raise TrajecttoolsError(f"Doelbestand '{Path(path).name}' moet eindigen op .pdf of .html.")


__all__ = ["PAGE_CSS", "Format", "PdfError", "format_of", "render", "render_pdf", "write_file"]
