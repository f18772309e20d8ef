"""Import, export and reports from a notebook: an upload form and download links.

Three parts, each with a button whose ``click()`` does the work (so tests drive it in-process):

* **Importeren**: a file (CSV or Excel) and optionally a mapping file (TOML) are uploaded, the
  kind of rows is chosen, and :func:`trajecttools.outputs.importer.import_file` reads them, with a
  progress bar, a Dutch summary (read = imported + rejected) and a download link to the reject
  file. "Alleen controleren" is a dry run that writes nothing.
* **Exporteren**: the register as Excel or as CSV files in a zip, pseudonymised by default.
* **Rapporten**: the intake report, MDO summary or end report as PDF or HTML.

Downloads are ``<a download>`` links with a ``data:`` URI in an HTML widget: Voilà refuses to
serve files from the server's disk, and the files here are modest. Cases are chosen by
pseudonym and initials, never by name.
"""

from __future__ import annotations

import base64
import datetime as dt
import re
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import ipywidgets as widgets

from trajecttools.core.dates import dutch_date
from trajecttools.core.errors import TrajecttoolsError
from trajecttools.outputs import report as printing
from trajecttools.outputs.export import export_register
from trajecttools.outputs.importer import KINDS, import_file
from trajecttools.outputs.report import minutes as mdo_minutes
from trajecttools.outputs.report.document import esc
from trajecttools.reads.case.dossier import case_choices
from trajecttools.widgets.mapping_editor import MappingEditor
from trajecttools.widgets.toolkit import (
    Status,
    button,
    form_style,
    guarded,
    html_block,
    show,
    style_sheet,
)
from trajecttools.workspace import Workspace

#: Kinds of rows the import understands, with their Dutch names.
IMPORT_KINDS: tuple[tuple[str, str], ...] = (
    ("Klanten", "clients"),
    ("Trajecten", "trajectories"),
    ("Caseload (klant en traject per rij)", "caseload"),
    ("Contactmomenten", "contacts"),
    ("Werkgevers", "employers"),
    ("Vacatures", "vacancies"),
    ("Jobcoaches (functioneel beheer)", "coaches"),
    ("Gebruikers en rollen (functioneel beheer)", "users"),
    ("Heel register (een export van trajecttools)", "register"),
)
#: Every kind the import knows is offered (kinds added later under their Dutch name).
IMPORT_KINDS += tuple((name[:1].upper() + name[1:], kind) for kind, name in KINDS.items()
                      if kind not in {k for _label, k in IMPORT_KINDS})
EXPORT_FORMATS: tuple[tuple[str, str], ...] = (
    ("Excel (.xlsx), elk onderdeel een tabblad", ".xlsx"),
    ("CSV-bestanden in een zip (.zip)", ".zip"),
)
REPORT_KINDS: tuple[tuple[str, str], ...] = tuple((v, k) for k, v in printing.REPORTS.items())
MIME = {
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".zip": "application/zip",
    ".csv": "text/csv;charset=utf-8",
    ".pdf": "application/pdf",
    ".html": "text/html;charset=utf-8",
}
#: Largest file offered as a download link (a data URI lives in the page).
MAX_DOWNLOAD_BYTES = 25 * 1024 * 1024
UPLOAD_TYPES = (".csv", ".txt", ".xlsx", ".zip")
NO_CASE = 0
NO_MEETING = ""



def download_link(data: bytes, filename: str, label: str | None = None) -> str:
    """Return an ``<a download>`` link that hands ``data`` to the browser as ``filename``."""
    if len(data) > MAX_DOWNLOAD_BYTES:
        raise TrajecttoolsError(
            f"Het bestand {filename} is te groot om hier te downloaden "
            f"({len(data) // (1024 * 1024)} MB); gebruik de opdracht 'trajecttools export'."
        )
    mime = MIME.get(Path(filename).suffix.lower(), "application/octet-stream")
    payload = base64.b64encode(data).decode("ascii")
    text = label or f"Download {filename}"
    return (f'<a class="tt-download-link" download="{esc(filename)}" '
            f'href="data:{mime};base64,{payload}">{esc(text)}</a>')


def safe_filename(name: str, default: str = "bestand") -> str:
    """Return an uploaded file's name without folders or odd characters."""
    base = Path(str(name).replace("\\", "/")).name
    cleaned = re.sub(r"[^\w.\- ]+", "_", base).strip(" .")
    return cleaned or default


def uploaded(value: object) -> tuple[str, bytes] | None:
    """Return (name, content) of the first file of a FileUpload value (None when empty)."""
    files = list(value or ())  # type: ignore[call-overload]
    if not files:
        return None
    first: Mapping[str, Any] = files[0]
    content = first.get("content", b"")
    return str(first.get("name") or "bestand"), bytes(content)


def _bar(*buttons: widgets.Button) -> widgets.HBox:
    """Return buttons in a row at their natural width."""
    return widgets.HBox(list(buttons), layout=widgets.Layout(width="100%"))


class ImportPart(widgets.VBox):
    """Upload a file, choose what it holds, check or import it; summary and reject file."""

    def __init__(self, store: Workspace, actor: str | None, workdir: Path) -> None:
        self.store, self.actor, self.workdir = store, actor, workdir
        self.result: Any = None
        self.status = Status(wide=True)
        self.kind = widgets.Dropdown(description="Soort rijen", options=IMPORT_KINDS,
                                     value="clients", style={"description_width": "110px"},
                                     layout=widgets.Layout(width="480px"))
        self.kind.add_class("tt-import-kind")
        self.upload = widgets.FileUpload(accept=",".join(UPLOAD_TYPES), multiple=False,
                                         description="Bestand kiezen")
        self.upload.add_class("tt-import-file")
        self.mapping = widgets.FileUpload(accept=".toml", multiple=False,
                                          description="Koppeling (optioneel)")
        self.mapping.add_class("tt-import-mapping")
        self.dry_run = widgets.Checkbox(value=True, indent=False,
                                        description="Alleen controleren (er wordt niets "
                                                    "opgeslagen)",
                                        layout=widgets.Layout(width="100%"))
        self.dry_run.add_class("tt-import-dry-run")
        self.run_button = button("Importeren", kind="primary", css="tt-import-run")
        self.progress = widgets.IntProgress(value=0, min=0, max=1, description="Voortgang",
                                            bar_style="info")
        self.progress.add_class("tt-progress")
        show(self.progress, False)
        self.summary = html_block("", "tt-summary")
        self.rejects = html_block("", "tt-download tt-rejects")
        files = widgets.HBox([self.upload, self.mapping],
                             layout=widgets.Layout(flex_flow="row wrap", align_items="center"))
        self.editor = MappingEditor(store)
        self.editor.read_button.on_click(
            guarded(self.editor.status, "Kolommen koppelen")(lambda _b: self.read_columns()))
        self.create_coaches = widgets.Checkbox(
            value=False, indent=False, layout=widgets.Layout(width="100%"),
            description="Caseload: onbekende jobcoaches aanmaken")
        self.create_coaches.add_class("tt-import-create-coaches")
        self.update = widgets.Checkbox(
            value=False, indent=False, layout=widgets.Layout(width="100%"),
            description="Caseload: gewijzigde fase of jobcoach vastleggen (faseovergang, "
                        "jobcoachwissel)")
        self.update.add_class("tt-import-update")
        super().__init__([
            html_block("<h3>Importeren</h3><p>CSV (komma of puntkomma, UTF-8 of Windows-1252) "
                       "of Excel. Nederlandse kolomnamen en datums als dd-mm-jjjj werken zonder "
                       "koppelbestand. Elke rij wordt gecontroleerd; foute rijen komen met "
                       "rijnummer en reden in een afkeurbestand.</p>"),
            self.kind, files, self.editor, self.dry_run, self.create_coaches, self.update,
            _bar(self.run_button), self.progress, self.status,
            self.summary, self.rejects,
        ])
        self.add_class("tt-section")
        self.add_class("tt-import")
        self.run_button.on_click(guarded(self.status, "Importeren")(lambda _b: self.run()))

    def _save_upload(self, value: object, folder: Path, allowed: tuple[str, ...],
                     field: str) -> Path | None:
        got = uploaded(value)
        if got is None:
            return None
        name, content = got
        filename = safe_filename(name)
        if Path(filename).suffix.lower() not in allowed:
            raise TrajecttoolsError(
                f"{field}: '{filename}' is geen {', '.join(allowed)}-bestand."
            )
        path = folder / filename
        path.write_bytes(content)
        return path

    def read_columns(self) -> Any:
        """Draft a mapping for the uploaded file in the editor (column → field, value → code)."""
        folder = Path(tempfile.mkdtemp(prefix="mapping-", dir=self.workdir))
        source = self._save_upload(self.upload.value, folder, UPLOAD_TYPES, "Bestand")
        if source is None:
            self.editor.status.error("Kies eerst een bestand.")
            return None
        mapping = self._save_upload(self.mapping.value, folder, (".toml",), "Koppeling")
        return self.editor.read(source, self.kind.value, mapping)

    def _progress(self, done: int, total: int | None = None) -> None:
        with self.progress.hold_sync():
            if total:
                self.progress.max = max(int(total), 1)
            elif done > self.progress.max:
                self.progress.max = int(done)
            self.progress.value = min(int(done), self.progress.max)

    def run(self) -> Any:
        """Check or import the uploaded file; show the summary and the reject file."""
        self.rejects.value = ""
        self.summary.value = ""
        folder = Path(tempfile.mkdtemp(prefix="import-", dir=self.workdir))
        source = self._save_upload(self.upload.value, folder, UPLOAD_TYPES, "Bestand")
        if source is None:
            self.status.error("Kies eerst een bestand om te importeren.")
            return None
        mapping = self._save_upload(self.mapping.value, folder, (".toml",), "Koppeling")
        if self.editor.toml is not None:  # the mapping made on this page
            mapping = folder / "koppeling.toml"
            mapping.write_text(self.editor.toml, "utf-8")
        show(self.progress, True)
        self.progress.value, self.progress.max = 0, 1
        result = import_file(self.store, source, kind=self.kind.value, mapping=mapping,
                             dry_run=bool(self.dry_run.value), actor=self.actor,
                             progress=self._progress,
                             create_coaches=bool(self.create_coaches.value),
                             update=bool(self.update.value))
        self.result = result
        self.progress.value = self.progress.max
        self.progress.bar_style = "success" if not result.rejected else "warning"
        reject_path = getattr(result, "reject_path", None)
        text = result.summary()
        if reject_path is not None:  # the server's temporary folder means nothing here
            text = text.replace(str(reject_path), Path(reject_path).name)
        done = "Controle klaar" if result.dry_run else "Import klaar"
        if result.rejected:
            self.status.info(f"{done}: {result.rejected} rijen afgewezen, zie hieronder.")
        else:
            self.status.ok(f"{done}: alle {result.read} rijen in orde.")
        self.summary.value = f'<p class="tt-summary-text">{esc(text)}</p>'
        if result.rejected and reject_path is not None and Path(reject_path).is_file():
            reject = Path(reject_path)
            self.rejects.value = download_link(
                reject.read_bytes(), reject.name,
                f"Download de afgekeurde rijen ({result.rejected}) met hun reden: {reject.name}",
            ) + self._reject_preview(result)
        return result

    @staticmethod
    def _reject_preview(result: Any, limit: int = 10) -> str:
        found = list(getattr(result, "rejects", []) or [])
        rows, more = found[:limit], len(found) - limit
        body = [f"<tr><td>{esc(row)}</td><td>{esc(field)}</td><td>{esc(reason)}</td></tr>"
                for row, field, reason in rows]
        return ("<table><thead><tr><th>Rij</th><th>Veld</th><th>Reden</th></tr></thead>"
                f"<tbody>{''.join(body)}</tbody></table>"
                + (f"<p>En nog {more} meldingen in het afkeurbestand.</p>" if more > 0 else ""))


class ExportPart(widgets.VBox):
    """Export the register as Excel or CSV (zip), pseudonymised by default; a download link."""

    def __init__(self, store: Workspace, workdir: Path) -> None:
        self.store, self.workdir = store, workdir
        self.status = Status(wide=True)
        self.format = widgets.Dropdown(description="Formaat", options=EXPORT_FORMATS,
                                       value=".xlsx", style={"description_width": "110px"},
                                       layout=widgets.Layout(width="460px"))
        self.format.add_class("tt-export-format")
        self.pseudonymised = widgets.Checkbox(
            value=True, indent=False,
            description="Gepseudonimiseerd (zonder namen en andere herleidbare gegevens)",
            layout=widgets.Layout(width="100%"))
        self.pseudonymised.add_class("tt-export-pseudonymised")
        self.run_button = button("Export maken", kind="primary", css="tt-export-run")
        self.link = html_block("", "tt-download tt-export-link")
        super().__init__([
            html_block("<h3>Exporteren</h3><p>Het hele register, elk onderdeel een tabblad of "
                       "CSV-bestand, met Nederlandse kolomnamen en echte datums. Het BSN zit "
                       "nooit in een export vanuit dit scherm.</p>"),
            self.format, self.pseudonymised, _bar(self.run_button), self.status, self.link,
        ])
        self.add_class("tt-section")
        self.add_class("tt-export")
        self.run_button.on_click(guarded(self.status, "Exporteren")(lambda _b: self.run()))

    def run(self) -> Path:
        """Write the export and offer it as a download link; return the written file."""
        self.link.value = ""
        stamp = f"{self.store.today:%Y%m%d}"
        kind = "gepseudonimiseerd" if self.pseudonymised.value else "register"
        folder = Path(tempfile.mkdtemp(prefix="export-", dir=self.workdir))
        path = export_register(self.store, folder / f"trajecttools-{kind}-{stamp}"
                               f"{self.format.value}",
                               pseudonymised=bool(self.pseudonymised.value))
        data = path.read_bytes()
        self.link.value = download_link(data, path.name,
                                        f"Download {path.name} ({_size(len(data))})")
        self.status.ok(f"Export gemaakt: {path.name}.")
        return path


def _size(n: int) -> str:
    if n < 1024 * 1024:
        return f"{max(1, round(n / 1024))} kB"
    return f"{n / (1024 * 1024):.1f} MB".replace(".", ",")


class ReportPart(widgets.VBox):
    """Make the intake report, MDO summary or end report as PDF or HTML; a download link."""

    def __init__(self, store: Workspace, actor: str | None) -> None:
        self.store, self.actor = store, actor
        self.status = Status(wide=True)
        style = {"description_width": "110px"}
        self.kind = widgets.Dropdown(description="Rapport", options=REPORT_KINDS,
                                     value="intake", style=style,
                                     layout=widgets.Layout(width="460px"))
        self.kind.add_class("tt-report-kind")
        self.search = widgets.Text(description="Zoek", placeholder="pseudoniem",
                                   continuous_update=False, style=style,
                                   layout=widgets.Layout(width="320px"))
        self.case = widgets.Dropdown(description="Dossier", options=[("— kies —", NO_CASE)],
                                     value=NO_CASE, style=style,
                                     layout=widgets.Layout(width="640px"))
        self.case.add_class("tt-report-case")
        self.meeting = widgets.Dropdown(description="Overleg",
                                        options=[("— geen MDO-verslag vastgelegd —",
                                                  NO_MEETING)],
                                        value=NO_MEETING, style=style,
                                        layout=widgets.Layout(width="460px"))
        self.meeting.add_class("tt-report-meeting")
        self.format = widgets.ToggleButtons(options=[("PDF", "pdf"), ("HTML", "html")],
                                            value="pdf", description="Formaat", style=style)
        self.format.add_class("tt-report-format")
        self.run_button = button("Rapport maken", kind="primary", css="tt-report-run")
        self.link = html_block("", "tt-download tt-report-link")
        self.case_box = widgets.HBox([self.search, self.case],
                                     layout=widgets.Layout(flex_flow="row wrap"))
        super().__init__([
            html_block("<h3>Rapporten</h3><p>Met naam en logo van de organisatie "
                       "(<code>trajecttools organisation</code>). Een intake- of "
                       "eindrapportage bevat de naam van de klant; het maken ervan wordt in "
                       "het logboek vastgelegd. Het MDO-verslag noemt alleen pseudoniemen."
                       "</p>"),
            self.kind, self.case_box, self.meeting, self.format, _bar(self.run_button),
            self.status, self.link,
        ])
        self.add_class("tt-section")
        self.add_class("tt-reports")
        self.kind.observe(guarded(self.status, "Rapport kiezen")(lambda _c: self._layout()),
                          "value")
        self.search.observe(guarded(self.status, "Zoeken")(lambda _c: self.refresh()), "value")
        self.run_button.on_click(guarded(self.status, "Rapport maken")(lambda _b: self.run()))
        self.refresh()
        self._layout()

    def refresh(self) -> None:
        """Reload the cases (by pseudonym and initials) and the recorded meetings."""
        keep = self.case.value
        options = [("— kies —", NO_CASE)] + [
            (c.label, c.trajectory_id) for c in case_choices(self.store, search=self.search.value)
        ]
        self.case.options = options
        self.case.value = keep if keep in [v for _, v in options] else NO_CASE
        found = mdo_minutes.meetings(self.store)
        meetings = [(f"{dutch_date(day)} · {team or 'alle teams'}",
                     f"{day.isoformat()}|{team or ''}") for day, team in found]
        self.meeting.options = meetings or [("— geen MDO-verslag vastgelegd —", NO_MEETING)]
        self.meeting.value = meetings[0][1] if meetings else NO_MEETING

    def _layout(self) -> None:
        mdo = self.kind.value == "mdo"
        show(self.case_box, not mdo)
        show(self.meeting, mdo)
        self.link.value = ""

    def choose_case(self, trajectory_id: int) -> None:
        """Pick a case for the intake or end report."""
        if trajectory_id not in [v for _, v in self.case.options]:
            self.search.value = ""
            self.refresh()
        self.case.value = int(trajectory_id)

    def run(self) -> bytes | str:
        """Make the chosen report and offer it as a download link; return its content."""
        self.link.value = ""
        kind, fmt = str(self.kind.value), self.format.value
        if kind == "mdo":
            if not self.meeting.value:
                raise TrajecttoolsError("er is nog geen MDO-verslag vastgelegd.")
            day_text, _, team = str(self.meeting.value).partition("|")
            day = dt.date.fromisoformat(day_text)
            out = printing.make_report(self.store, "mdo", fmt, held_on=day, team=team or None)
            name = f"mdo-verslag-{day:%d-%m-%Y}{'-' + safe_filename(team) if team else ''}"
        else:
            if not self.case.value:
                raise TrajecttoolsError("kies eerst een dossier.")
            tid = int(self.case.value)
            out = printing.make_report(self.store, kind, fmt, trajectory_id=tid,
                                       actor=self.actor)
            label = next((c for c, v in self.case.options if v == tid), str(tid))
            pseudonym = safe_filename(label.split(" ")[0], str(tid))
            name = f"{'intakerapportage' if kind == 'intake' else 'eindrapportage'}-{pseudonym}"
        data = out if isinstance(out, bytes) else out.encode("utf-8")
        filename = f"{name}.{fmt}"
        self.link.value = download_link(data, filename, f"Download {filename}")
        self.status.ok(f"{printing.REPORTS[kind]} gemaakt.")
        return out


class TransferPanel(widgets.VBox):
    """Import, export and reports of one register (see the module docstring)."""

    def __init__(self, store: Workspace, *, actor: str | None = None) -> None:
        self.store = store
        self._tmp = tempfile.TemporaryDirectory(prefix="trajecttools-transfer-")
        workdir = Path(self._tmp.name)
        self.importer = ImportPart(store, actor, workdir)
        self.exporter = ExportPart(store, workdir)
        self.reports = ReportPart(store, actor)
        super().__init__([
            form_style(), style_sheet("transfer"),
            self.importer, self.exporter, self.reports,
        ], layout=widgets.Layout(width="100%"))
        self.add_class("tt-form")
        self.add_class("tt-transfer")
        # a finished import changes what can be reported on
        self.importer.run_button.on_click(lambda _b: self.reports.refresh())

    def close(self) -> None:
        """Close the widgets and remove the temporary files."""
        self._tmp.cleanup()
        super().close()


__all__ = [
    "ExportPart",
    "ImportPart",
    "ReportPart",
    "TransferPanel",
    "download_link",
    "safe_filename",
    "uploaded",
]
