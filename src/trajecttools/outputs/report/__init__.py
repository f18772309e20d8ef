"""Printable reports under the organisation's name: intake report, MDO summary, end report.

:mod:`~trajecttools.outputs.report.document` builds the HTML document and the organisation header,
:mod:`~trajecttools.outputs.report.pdf` makes PDF, :mod:`~trajecttools.outputs.report.case` the
reports of one
case, :mod:`~trajecttools.outputs.report.minutes` the MDO meetings and their summary. The outcome
workbook
(:mod:`trajecttools.outputs.report.outcomes`) and charts
(:mod:`trajecttools.outputs.report.charts`, with Altair)
are imported on their own, so that importing this package stays light.
"""

from trajecttools.outputs.report.case import (
    REPORTS,
    ReportKind,
    check_case_access,
    end_report,
    end_report_fragment,
    end_report_html,
    intake_report,
    intake_report_fragment,
    intake_report_html,
    make_report,
    write_report,
)
from trajecttools.outputs.report.document import (
    HEADER_CSS,
    LOGO_KEY,
    NAME_KEY,
    REPORT_CSS,
    ConfigError,
    Organisation,
    document,
    esc,
    logo_uri,
    organisation,
    set_organisation,
)
from trajecttools.outputs.report.minutes import (
    ALL_TEAMS,
    AgendaEntry,
    Meeting,
    load_meeting,
    mdo_summary,
    mdo_summary_fragment,
    meeting_key,
    meetings,
    save_meeting,
)
from trajecttools.outputs.report.pdf import PAGE_CSS, Format, PdfError, format_of, render_pdf

__all__ = [
    "ALL_TEAMS",
    "HEADER_CSS",
    "LOGO_KEY",
    "NAME_KEY",
    "PAGE_CSS",
    "REPORTS",
    "REPORT_CSS",
    "AgendaEntry",
    "ConfigError",
    "Format",
    "Meeting",
    "Organisation",
    "PdfError",
    "ReportKind",
    "check_case_access",
    "document",
    "end_report",
    "end_report_fragment",
    "end_report_html",
    "esc",
    "format_of",
    "intake_report",
    "intake_report_fragment",
    "intake_report_html",
    "load_meeting",
    "logo_uri",
    "make_report",
    "mdo_summary",
    "mdo_summary_fragment",
    "meeting_key",
    "meetings",
    "organisation",
    "render_pdf",
    "save_meeting",
    "set_organisation",
    "write_report",
]
