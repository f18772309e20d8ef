"""A municipal-style caseload export (and its next month) for the caseload import tests.

Semicolons, Windows-1252, dd-mm-jjjj, the municipality's own headers and labels (mapped by
``docs/caseload-gemeente.toml``), dates relative to the day the test runs, and the faults a
real export has: an empty line, a duplicate row, an impossible date, a future birth date, an
unknown target group, a plan signed before the registration and hostile text in a name.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MAPPING = ROOT / "docs" / "caseload-gemeente.toml"
HEADERS = ("Klantnummer;Voorletters;Achternaam;Geboortedatum;Doelgroep;Consulent;"
           "Datum aanmelding;Datum plan getekend;Datum intake;Fase;Opleiding;Rijbewijs")
HOSTILE = "<script>alert('x')</script>"

#: Spreadsheet row -> why it is rejected (the words the reason must contain).
REJECTED = {
    6: ("dubbel in het bestand", "regel 5"),
    7: ("Geboortedatum", "geen geldige datum"),
    8: ("Geboortedatum", "toekomst"),
    9: ("Doelgroep", "Ruimtevaarder"),
    10: ("Datum plan getekend", "vóór de Datum aanmelding"),
}


def _day(today: dt.date, days_ago: int) -> str:
    return (today - dt.timedelta(days=days_ago)).strftime("%d-%m-%Y")


def caseload_rows(today: dt.date, *, month: int = 1) -> list[str]:
    """The export's lines; ``month=2`` moves client 1001 on to placement and 1002 to intake
    (its intake not held yet, so its signal stays)."""

    def d(days_ago: int) -> str:
        return _day(today, days_ago)

    phase_1001 = "Geplaatst" if month == 2 else "Opstap"
    phase_1002 = "Intake" if month == 2 else "Aangemeld"
    return [
        HEADERS,
        f"1001;A.;Jansen;01-02-1990;Jongere;Petra Smit;{d(120)};{d(110)};{d(100)};{phase_1001};"
        "MBO 2;ja",
        f"1002;B.;Çelik;03-04-1985;45+;Petra Smit;{d(20)};{d(15)};;{phase_1002};"
        "VMBO;nee",
        "",
        f"1003;C.;de Vries;05-06-1975;Statushouder;Karel Bos;{d(200)};{d(190)};{d(180)};Geplaatst;"
        "HBO;ja",
        f"1003;C.;de Vries;05-06-1975;Statushouder;Karel Bos;{d(200)};{d(190)};{d(180)};Geplaatst;"
        "HBO;ja",
        f"1004;D.;Bakker;31-02-1990;Jongere;Petra Smit;{d(60)};;;Aangemeld;MBO 2;nee",
        f"1005;E.;Visser;01-01-{today.year + 1};Jongere;Petra Smit;{d(60)};;;Aangemeld;MBO 2;nee",
        f"1006;F.;Smit;01-01-1980;Ruimtevaarder;Petra Smit;{d(60)};;;Aangemeld;MBO 2;nee",
        f"1007;G.;Mulder;01-01-1980;Jongere;Petra Smit;{d(60)};{d(70)};;Intake;MBO 2;nee",
        f"1008;{HOSTILE};Hackers;01-01-1980;Jongere;Karel Bos;{d(50)};{d(45)};{d(40)};Intake;"
        "MBO 2;nee",
    ]


def write_caseload(path: Path, today: dt.date, *, month: int = 1) -> Path:
    """Write the export as Windows-1252 with CRLF line ends."""
    path.write_bytes(("\r\n".join(caseload_rows(today, month=month)) + "\r\n").encode("cp1252"))
    return path
