"""PDF from the printable HTML reports, rendered locally by WeasyPrint (nothing downloaded).

WeasyPrint lays out HTML and CSS with Pango (Debian ``libpango-1.0-0``/``libpangoft2-1.0-0``)
and embeds the fonts it uses, so Dutch accents and tables come out as in the browser's print
view. Resources are resolved only from ``data:`` URIs and local files: any ``http(s)`` reference
in a report is skipped (with a warning) rather than fetched.
"""

from __future__ import annotations

import os
from pathlib import Path

from trajecttools.core.errors import TrajecttoolsError

#: Page set-up for every PDF report: A4, margins, and "pagina X van Y" at the bottom.
PAGE_CSS = """
@page { size: A4; margin: 18mm 16mm 20mm 16mm;
  @bottom-right { content: "pagina " counter(page) " van " counter(pages);
    font-family: "DejaVu Sans", sans-serif; font-size: 8pt; color: #333333; }
  @bottom-left { content: string(tt-doc-title);
    font-family: "DejaVu Sans", sans-serif; font-size: 8pt; color: #333333; } }
body { margin: 0 !important; }
.tt-report { font-size: 10pt; max-width: none; }
.tt-report h1 { string-set: tt-doc-title content(); }
"""


class PdfError(TrajecttoolsError):
    """A PDF could not be made (missing system library, unreadable resource)."""


def render_pdf(html: str, path: str | os.PathLike[str] | None = None) -> bytes:
    """Render a whole HTML document to PDF; write it to ``path`` when given; return the bytes."""
    try:
        from weasyprint import CSS, HTML
    except (ImportError, OSError) as exc:  # OSError: Pango missing on this machine
        raise PdfError(
            "PDF maken lukt niet: WeasyPrint of de systeembibliotheek Pango ontbreekt "
            f"({exc}). Installeer libpango-1.0-0 en libpangoft2-1.0-0."
        ) from exc
    from weasyprint.urls import URLFetcher

    fetcher = URLFetcher(allowed_protocols={"data", "file"})  # never the network
    document = HTML(string=html, url_fetcher=fetcher, base_url=str(Path.cwd()))
    data = document.write_pdf(stylesheets=[CSS(string=PAGE_CSS)])
    if data is None:  # pragma: no cover - write_pdf without target always returns bytes
        raise PdfError("PDF maken lukte niet.")
    if path is not None:
        out = Path(path)
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_name(out.name + ".tmp")
        tmp.write_bytes(data)
        tmp.replace(out)
    return bytes(data)


__all__ = ["PAGE_CSS", "PdfError", "render_pdf"]
