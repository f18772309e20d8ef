"""Import of clients, trajectories, contacts, employers and vacancies from CSV or Excel.

Reading: CSV separated by commas, semicolons or tabs, in UTF-8 or Windows-1252 (both
detected), or Excel (``.xlsx``, first sheet unless the mapping names one). Row 1 holds the
headers; Dutch headers (``Voornaam``, ``Geboortedatum`` …), dd-mm-jjjj dates, Excel serial dates,
decimal commas, ``ja``/``nee`` and codes or their Dutch labels work without a mapping file. A
mapping file (TOML) maps other column names and code values to ours::

    [columns]                 # source header = our field (code name or Dutch header)
    "Clientnr" = "external_id"
    "Doelgroepcode" = "target_group"
    [codes.target_group]      # source value = our code or its Dutch label
    "JNG" = "young_people"
    [defaults]                # value for a field the source does not have
    method = "opstapbaan"
    [options]                 # all optional: encoding, delimiter, sheet
    encoding = "cp1252"

Rules:

* Every row is validated (:func:`trajecttools.core.validation.validate`); good rows go in together
in one
  transaction, bad rows are written to a reject file (``<bestand>.afgewezen.csv`` next to the
  input) with row number, field and Dutch reason, and the summary says read = imported +
  rejected. A failed import (database error, unreadable file) writes nothing.
* Row numbers are the spreadsheet's: the header is row 1, a cell spanning lines is one row.
  Empty rows are not counted as read; the summary says how many there were.
* Stable identities, so re-importing a file imports nothing twice: clients, trajectories,
  employers and vacancies by their ``Extern nummer`` (required); contacts by trajectory, kind and
  date (one contact of a kind per trajectory a day). A row already present with the same values
  counts as imported (unchanged); with other values it is rejected (imports do not overwrite).
* ``kind="caseload"`` reads a client and their trajectory from one row, with the date the plan
  was signed, the intake date, the phase and the coach (see
  :mod:`trajecttools.outputs.importer.caseload`): the trajectory is recognised by its
  ``Trajectnummer``, else by client number and registration date (``[options] key``);
  ``create_coaches`` adds unknown coaches, ``update`` applies a changed phase, coach, plan or
  intake date through the register's rules instead of rejecting the row.
* ``kind="register"`` reads back a whole export of
:func:`trajecttools.outputs.export.export_register`
  (``.xlsx``, ``.zip`` or a folder of CSVs) with its own numbers, into an empty register or one
  holding the same rows.
* Text is stored as given, trimmed of surrounding spaces; text with control characters is
  rejected. Each imported table leaves one audit row (who, which file, how many rows).

The package, by step: ``readers`` (CSV and Excel into numbered rows), ``mapping`` (which column
fills which field, code tables), ``conversion`` (cell values and their Dutch problems),
``kinds`` (the kinds and their fields), ``rows`` (the rows of one kind against the register),
``roundtrip`` (a register export read back), ``caseload`` and ``caseload_write`` (the
caseload kind), ``drafting`` (a mapping file drafted from a source file), ``run``
(:func:`import_file` and the write), ``result`` (what an import reports).
"""

from __future__ import annotations

from trajecttools.outputs.importer.kinds import KINDS
from trajecttools.outputs.importer.result import ImportFileError, ImportResult
from trajecttools.outputs.importer.run import import_file

__all__ = ["KINDS", "ImportFileError", "ImportResult", "import_file"]
