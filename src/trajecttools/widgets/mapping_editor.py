"""The mapping editor of the import page: column → field, value → code, saved as TOML.

"Kolommen koppelen" reads the uploaded file
(:func:`trajecttools.outputs.importer.drafting.draft_mapping`): one dropdown a column with the
kind's fields (the guess preselected), and for each field with a code list one dropdown a value
the file has that is no code or label yet, with the code list to pick from. Reading again keeps
the choices made and lists the values of a column newly given a field with a code list.
"Koppeling opslaan" writes the choices as a mapping file
(:func:`~trajecttools.outputs.importer.drafting.mapping_toml`): a download link to keep for
next month, and the import on this page uses it.
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import ipywidgets as widgets

from trajecttools.outputs.importer.drafting import (
    CODE_FIELDS,
    MappingDraft,
    code_choices,
    draft_mapping,
    field_choices,
    mapping_toml,
)
from trajecttools.outputs.importer.kinds import KIND_SPECS
from trajecttools.outputs.report.document import esc
from trajecttools.widgets.toolkit import Status, button, guarded, html_block, show

#: Dropdown value of a column that fills no field / a value left as it is.
UNUSED = ""


class MappingEditor(widgets.VBox):
    """Edit a mapping for an uploaded file; ``toml`` holds the saved mapping (or None)."""

    def __init__(self, store: Any) -> None:
        self.store = store
        self.draft: MappingDraft | None = None
        self.toml: str | None = None
        self.column_boxes: dict[str, widgets.Dropdown] = {}
        self.code_boxes: dict[tuple[str, str], widgets.Dropdown] = {}
        self.status = Status(wide=True)
        self.read_button = button("Kolommen koppelen", css="tt-mapping-read")
        self.save_button = button("Koppeling opslaan", kind="primary", css="tt-mapping-save")
        show(self.save_button, False)
        self.table = widgets.VBox([])
        self.table.add_class("tt-mapping-table")
        self.link = html_block("", "tt-download tt-mapping-link")
        super().__init__([
            html_block("<h4>Koppeling maken</h4><p>Lees de kolommen van het gekozen bestand, "
                       "kies per kolom het veld en per afwijkende waarde de code, en sla de "
                       "koppeling op voor de volgende keer.</p>"),
            widgets.HBox([self.read_button, self.save_button]), self.status, self.table,
            self.link,
        ])
        self.add_class("tt-mapping-editor")
        self.save_button.on_click(guarded(self.status, "Koppeling opslaan")(
            lambda _b: self.save()))

    def read(self, source: Path, kind: str, mapping: Path | None = None) -> MappingDraft:
        """Draft the mapping of ``source`` and show a dropdown per column and per value."""
        chosen, picked = None, {}
        if self.draft is not None and self.draft.kind == kind:  # read again: keep the choices
            chosen = {h: (b.value or None) for h, b in self.column_boxes.items()}
            picked = {k: b.value for k, b in self.code_boxes.items() if b.value}
        draft = draft_mapping(self.store, source, kind, mapping, chosen)
        for (fld, value), code in picked.items():
            draft.codes.setdefault(fld, {})[value] = code
        self.draft, self.toml, self.link.value = draft, None, ""
        fields = [("(niet gebruiken)", UNUSED), *field_choices(kind)]
        rows: list[widgets.Widget] = [html_block("<b>Kolom → veld</b>")]
        self.column_boxes = {}
        for head in draft.headers:
            box = widgets.Dropdown(options=fields, value=draft.columns.get(head) or UNUSED,
                                   description=head, style={"description_width": "220px"},
                                   layout=widgets.Layout(width="620px"))
            box.add_class("tt-mapping-column")
            self.column_boxes[head] = box
            rows.append(box)
        self.code_boxes = {}
        method = draft.defaults.get("method")
        for fld, values in draft.values.items():
            if not values or fld not in CODE_FIELDS:
                continue
            choices = [("(laten zoals het is)", UNUSED), *code_choices(self.store, fld, method)]
            label = KIND_SPECS[kind].label(fld)
            rows.append(html_block(f"<b>Waarden → code: {esc(label)}</b>"))
            for value in values:
                code = draft.codes.get(fld, {}).get(value, UNUSED)
                box = widgets.Dropdown(
                    options=choices, value=code if code in dict(choices).values() else UNUSED,
                    description=value, style={"description_width": "220px"},
                    layout=widgets.Layout(width="620px"))
                box.add_class("tt-mapping-code")
                self.code_boxes[(fld, value)] = box
                rows.append(box)
        self.table.children = rows
        show(self.save_button, True)
        self.status.ok(f"{len(draft.headers)} kolommen gelezen; controleer de koppeling.")
        return draft

    def save(self) -> str:
        """Turn the choices into a mapping file; offer it as a download; return the TOML."""
        if self.draft is None:
            raise ValueError("read a file first")
        draft = self.draft
        draft.columns = {h: (b.value or None) for h, b in self.column_boxes.items()}
        for (fld, value), box in self.code_boxes.items():
            draft.codes.setdefault(fld, {})[value] = box.value or ""
        self.toml = mapping_toml(draft)
        name = f"koppeling-{draft.kind}.toml"
        self.link.value = download_toml(self.toml.encode("utf-8"), name)
        self.status.ok(f"Koppeling opgeslagen: {name}. De import hieronder gebruikt haar.")
        return self.toml


def download_toml(data: bytes, filename: str) -> str:
    """Return a download link for a mapping file."""
    payload = base64.b64encode(data).decode("ascii")
    return (f'<a class="tt-download-link" download="{esc(filename)}" '
            f'href="data:application/toml;charset=utf-8;base64,{payload}">'
            f"Download de koppeling: {esc(filename)}</a>")


__all__ = ["MappingEditor", "download_toml"]
