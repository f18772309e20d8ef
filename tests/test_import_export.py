"""Import and export: round trip of the register, messy files, hostile values, the CLI."""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook
from sqlalchemy import select, text

from conftest import DEMO_AS_OF, TODAY, add_staff
from trajecttools.core.model import Base
from trajecttools.outputs.export import SHEETS, export_register
from trajecttools.outputs.importer import ImportFileError, ImportResult, import_file
from trajecttools.workspace import Workspace


# -- helpers -----------------------------------------------------------------------------------
def workbook_cells(path: Path) -> dict[str, list[list[tuple[Any, str]]]]:
    """Every sheet's cells as (value, number format), in order."""
    wb = load_workbook(path, read_only=True)
    try:
        return {
            ws.title: [[(c.value, c.number_format) for c in row] for row in ws.iter_rows()]
            for ws in wb.worksheets
        }
    finally:
        wb.close()


def snapshot(store: Workspace) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table (audit log included), to prove nothing changed."""
    out = {}
    with store.engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            order = list(table.primary_key.columns)  # read model tables have no "id"
            out[table.name] = [tuple(r) for r in conn.execute(select(table).order_by(*order))]
    return out


def write_csv(
    path: Path, rows: list[list[Any]], *, delimiter: str = ";", encoding: str = "utf-8"
) -> Path:
    buf = io.StringIO(newline="")
    csv.writer(buf, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


def check_bookkeeping(result: ImportResult) -> None:
    assert result.read == result.imported + result.rejected
    assert result.imported == result.new + result.unchanged + result.updated
    assert len({r for r, _, _ in result.rejects}) == result.rejected
    assert f"{result.read} rijen gelezen = {result.imported} geïmporteerd" in result.summary()
    assert f"+ {result.rejected} afgewezen" in result.summary()


def reject_file_rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text("utf-8-sig")), delimiter=";"))


def fresh(tmp_path: Path, name: str = "doel.db", today: dt.date = TODAY) -> Workspace:
    return Workspace(tmp_path / name, actor="importeur", today=today, role="beheer")


# -- round trip --------------------------------------------------------------------------------
def test_round_trip_xlsx_is_cell_for_cell_equal(demo_db: Path, tmp_path: Path) -> None:
    first, second = tmp_path / "eerste.xlsx", tmp_path / "tweede.xlsx"
    with Workspace(demo_db, today=DEMO_AS_OF, role="beheer") as demo:
        export_register(demo, first)
        total = sum(demo.count(e) for e in SHEETS)
    with fresh(tmp_path, today=DEMO_AS_OF) as target:
        result = import_file(target, first, kind="register")
        assert result.rejects == []
        assert (result.read, result.new, result.rejected) == (total, total, 0)
        check_bookkeeping(result)
        export_register(target, second)
        again = import_file(target, first, kind="register")
        assert (again.new, again.unchanged, again.rejected) == (0, total, 0)
        assert target.verify_audit() == []
    a, b = workbook_cells(first), workbook_cells(second)
    assert list(a) == list(SHEETS.values())
    assert a == b
    klanten = a["Klanten"]
    assert klanten[0][0] == ("Nummer", "General")
    assert "BSN" not in [h for h, _ in klanten[0]]
    dates = [cell for row in klanten[1:] for cell in row if isinstance(cell[0], dt.datetime)]
    assert dates and all(fmt.startswith("dd-mm-yyyy") for _, fmt in dates)


def test_round_trip_csv_zip_is_byte_equal(demo_db: Path, tmp_path: Path) -> None:
    first, second = tmp_path / "eerste.zip", tmp_path / "tweede.zip"
    with Workspace(demo_db, today=DEMO_AS_OF, role="beheer") as demo:
        export_register(demo, first, full=True)
    with fresh(tmp_path, today=DEMO_AS_OF) as target:
        result = import_file(target, first, kind="register")
        assert result.rejected == 0 and result.new == result.read > 0
        export_register(target, second, full=True)
    assert first.read_bytes() == second.read_bytes()
    with zipfile.ZipFile(first) as zf:
        clients = zf.read("klanten.csv").decode("utf-8-sig").splitlines()
    assert clients[0].split(";")[:7] == [
        "Nummer",
        "Pseudoniem",
        "Extern nummer",
        "Voornaam",
        "Achternaam",
        "Geboortedatum",
        "BSN",
    ]
    birth = clients[1].split(";")[5]
    assert dt.datetime.strptime(birth, "%d-%m-%Y")  # dd-mm-jjjj


def test_export_csv_writes_one_file_per_entity_in_a_folder(demo_db: Path, tmp_path: Path) -> None:
    with Workspace(demo_db, today=DEMO_AS_OF, role="beheer") as demo:
        folder = export_register(demo, tmp_path / "uit" / "register.csv")
        contacts = demo.count("contacts")
    assert folder == tmp_path / "uit" / "register"
    assert len(list(folder.glob("*.csv"))) == len(SHEETS)
    lines = (folder / "contactmomenten.csv").read_text("utf-8-sig").splitlines()
    assert len(lines) == contacts + 1
    with fresh(tmp_path, today=DEMO_AS_OF) as target:
        result = import_file(target, folder, kind="register")
        assert result.rejected == 0 and target.count("contacts") == contacts


def test_pseudonymised_export_has_no_names_bsn_or_notes(demo_db: Path, tmp_path: Path) -> None:
    with Workspace(demo_db, today=DEMO_AS_OF, role="beheer") as demo:
        plain = workbook_cells(export_register(demo, tmp_path / "gewoon.xlsx"))
        pseudo = workbook_cells(export_register(demo, tmp_path / "pseudo.xlsx", pseudonymised=True))
        full = workbook_cells(export_register(demo, tmp_path / "vol.xlsx", full=True))
        with demo.engine.connect() as conn:
            names = {r[0] for r in conn.execute(text("SELECT family_name FROM clients"))}
            bsns = {
                r[0] for r in conn.execute(text("SELECT bsn FROM clients WHERE bsn IS NOT NULL"))
            }
    assert bsns, "demo register should hold some BSNs"
    heads = [h for h, _ in pseudo["Klanten"][0]]
    assert {"Voornaam", "Achternaam", "BSN", "Geboortedatum"}.isdisjoint(heads)
    assert "Geboortejaar" in heads and "Pseudoniem" in heads
    values = {v for sheet in pseudo.values() for row in sheet for v, _ in row}
    assert not values & names and not values & bsns
    assert "Verslag" not in [h for h, _ in pseudo["Contactmomenten"][0]]
    plain_values = {v for row in plain["Klanten"] for v, _ in row}
    assert plain_values & names and not plain_values & bsns
    assert {v for row in full["Klanten"] for v, _ in row} & bsns


def test_export_refuses_unknown_format_and_contradictory_options(
    sqlite_store: Workspace, tmp_path: Path
) -> None:
    with pytest.raises(Exception, match="onbekend formaat"):
        export_register(sqlite_store, tmp_path / "x.pdf")
    with pytest.raises(Exception, match="niet allebei"):
        export_register(sqlite_store, tmp_path / "x.xlsx", pseudonymised=True, full=True)


def test_export_never_writes_formulas(
    sqlite_store: Workspace, tmp_path: Path
) -> None:
    sqlite_store.add(
        "clients",
        {
            "given_name": '=HYPERLINK("http://x")',
            "family_name": "+SUM(A1)",
            "target_group": "over_45",
        },
    )
    path = export_register(sqlite_store, tmp_path / "x.xlsx")
    wb = load_workbook(path)
    row = [c for c in wb["Klanten"][2]]
    cells = {c.value: c.data_type for c in row}
    assert cells['=HYPERLINK("http://x")'] == "s" and cells["+SUM(A1)"] == "s"


# -- messy files -------------------------------------------------------------------------------
HEAD = ["Extern nummer", "Voornaam", "Achternaam", "Geboortedatum", "Doelgroep", "Gemeente"]


def test_messy_csv_semicolons_cp1252_serial_dates_empty_lines_dupes_codes_truncated(
    store: Workspace, tmp_path: Path
) -> None:
    body = (
        "Extern nummer;Voornaam;Achternaam;Geboortedatum;Doelgroep;Gemeente\r\n"
        "K1;Zoë;Müller;14-03-2001;Jongeren (school naar werk);'s-Hertogenbosch\r\n"  # row 2
        "\r\n"  # row 3: empty
        "K2;François;Çelik;36965;over_45;Ede\r\n"  # row 4: Excel serial date
        ";;;;;\r\n"  # row 5: empty cells only
        "K3;Anaïs;de Vries;31-02-2000;refugees;Zwolle\r\n"  # row 6: impossible date
        "K1;Zoë;Anders;14-03-2001;young_people;Ede\r\n"  # row 7: duplicated id
        "K4;Bram;Smit;01-01-1990;ZZZ;Urk\r\n"  # row 8: unknown code
        "K5;Jan;Kort;01-01-1990\r\n"  # row 9: truncated line
    )
    path = tmp_path / "klanten.csv"
    path.write_bytes(body.encode("cp1252"))
    before = snapshot(store)
    result = import_file(store, path, kind="clients")
    check_bookkeeping(result)
    assert (result.read, result.new, result.rejected, result.empty_rows) == (6, 2, 4, 2)
    by_row = {row: (fld, reason) for row, fld, reason in result.rejects}
    assert set(by_row) == {6, 7, 8, 9}
    assert by_row[6][0] == "Geboortedatum" and "geen geldige datum" in by_row[6][1]
    assert by_row[7][0] == "Extern nummer" and "regel 2" in by_row[7][1]
    assert by_row[8][0] == "Doelgroep" and "onbekende waarde 'ZZZ'" in by_row[8][1]
    assert "4 van de 6 kolommen" in by_row[9][1]
    assert "2 lege regels overgeslagen" in result.summary()
    rows = reject_file_rows(result.reject_path)  # type: ignore[arg-type]
    assert [r["Regel"] for r in rows] == ["6", "7", "8", "9"]
    assert rows[2]["Extern nummer"] == "K4" and rows[2]["Reden"].startswith("onbekende waarde")
    with store.engine.connect() as conn:
        stored = conn.execute(
            text(
                "SELECT external_id, given_name, family_name, birth_date, target_group, "
                "municipality FROM clients ORDER BY external_id"
            )
        ).all()
    assert [tuple(str(v) for v in r) for r in stored] == [
        ("K1", "Zoë", "Müller", "2001-03-14", "young_people", "'s-Hertogenbosch"),
        ("K2", "François", "Çelik", "2001-03-15", "over_45", "Ede"),
    ]
    after = snapshot(store)
    assert after["audit_log"][len(before["audit_log"]) :]  # the import left audit rows
    assert store.verify_audit() == []


def test_reimport_imports_nothing_twice_and_refuses_changed_rows(
    sqlite_store: Workspace, tmp_path: Path
) -> None:
    rows = [HEAD] + [
        [f"X{i}", f"Naam{i}", "Test", "01-02-1990", "over_45", "Ede"] for i in range(5)
    ]
    path = write_csv(tmp_path / "k.csv", rows, delimiter=",")
    first = import_file(sqlite_store, path, kind="clients")
    assert (first.new, first.unchanged, first.rejected) == (5, 0, 0)
    assert first.reject_path is None
    second = import_file(sqlite_store, path, kind="clients")
    assert (second.new, second.unchanged, second.rejected) == (0, 5, 0)
    assert sqlite_store.count("clients") == 5
    rows[3][1] = "Anders"
    third = import_file(sqlite_store, write_csv(path, rows, delimiter=","), kind="clients")
    assert (third.new, third.unchanged, third.rejected) == (0, 4, 1)
    assert third.rejects[0][:2] == (4, "Voornaam") and "overschrijft niets" in third.rejects[0][2]
    check_bookkeeping(third)


def test_excel_serial_dates_typed_cells_and_empty_rows(
    sqlite_store: Workspace, tmp_path: Path
) -> None:
    wb = Workbook()
    ws = wb.active
    ws.append([*HEAD, "Postcode"])
    ws.append(["E1", "Noor", "Jansen", 36965, "Jongeren (school naar werk)", "Ede", 3011])
    ws.append([None] * 7)
    ws.append(["E2", "Sem", "Bakker", dt.datetime(1985, 5, 6), "over_45", "Ede", "3011ab"])
    ws.append([3, "Lotte", "de Boer", "06-05-1985", "over_45", "Ede", None])  # number as id
    ws.append(["E4", "Tim", "Visser", True, "over_45", "Ede", None])  # wrong type
    path = tmp_path / "klanten.xlsx"
    wb.save(path)
    result = import_file(sqlite_store, path, kind="clients")
    check_bookkeeping(result)
    assert (result.read, result.new, result.rejected, result.empty_rows) == (4, 3, 1, 1)
    assert result.rejects == [(6, "Geboortedatum", "is geen geldige datum (gebruik dd-mm-jjjj)")]
    with sqlite_store.engine.connect() as conn:
        stored = dict(conn.execute(text("SELECT external_id, birth_date FROM clients")).all())
        postcodes = dict(conn.execute(text("SELECT external_id, postcode FROM clients")).all())
    assert stored == {"E1": "2001-03-15", "E2": "1985-05-06", "3": "1985-05-06"}
    assert postcodes == {"E1": "3011", "E2": "3011 AB", "3": None}


def test_truncated_files_leave_the_register_as_it_was(
    sqlite_store: Workspace, tmp_path: Path
) -> None:
    add_staff(sqlite_store)
    good = tmp_path / "goed.xlsx"
    wb = Workbook()
    wb.active.append(HEAD)
    for i in range(50):
        wb.active.append([f"T{i}", "Naam", "Test", "01-01-1990", "over_45", "Ede"])
    wb.save(good)
    broken = tmp_path / "afgebroken.xlsx"
    broken.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    before = snapshot(sqlite_store)
    with pytest.raises(ImportFileError, match="beschadigd of afgebroken"):
        import_file(sqlite_store, broken, kind="clients")
    assert snapshot(sqlite_store) == before
    # a CSV cut inside a quoted field: the rows before it go in, the cut row is rejected
    csv_path = tmp_path / "afgebroken.csv"
    csv_path.write_text(
        'Extern nummer;Voornaam;Achternaam;Doelgroep\nC1;Ann;Smit;over_45\nC2;"Bo', "utf-8"
    )
    result = import_file(sqlite_store, csv_path, kind="clients")
    check_bookkeeping(result)
    assert (result.new, result.rejected) == (1, 1)
    assert result.rejects[0][0] == 3 and "houdt midden in een veld op" in result.rejects[0][2]


def test_database_error_rolls_back_everything(
    sqlite_store: Workspace, tmp_path: Path
) -> None:
    with sqlite_store.engine.begin() as conn:  # a real database refusal halfway the insert
        conn.execute(
            text(
                "CREATE TRIGGER weiger BEFORE INSERT ON clients WHEN NEW.external_id = 'B40' "
                "BEGIN SELECT RAISE(ABORT, 'opslag geweigerd'); END"
            )
        )
    sqlite_store.add(
        "clients", {"given_name": "Al", "family_name": "Er", "target_group": "over_45"}
    )
    rows = [HEAD] + [[f"B{i}", "Naam", "Test", "", "over_45", ""] for i in range(80)]
    path = write_csv(tmp_path / "k.csv", rows)
    before = snapshot(sqlite_store)
    with pytest.raises(ImportFileError, match="niets opgeslagen"):
        import_file(sqlite_store, path, kind="clients")
    assert snapshot(sqlite_store) == before
    assert not (tmp_path / "k.afgewezen.csv").exists()


def test_dry_run_checks_everything_and_saves_nothing(
    sqlite_store: Workspace, tmp_path: Path
) -> None:
    rows = [HEAD, ["D1", "A", "B", "", "over_45", ""], ["D2", "", "B", "", "over_45", ""]]
    path = write_csv(tmp_path / "k.csv", rows)
    before = snapshot(sqlite_store)
    seen: list[tuple[int, int]] = []
    result = import_file(
        sqlite_store, path, kind="clients", dry_run=True, progress=lambda d, t: seen.append((d, t))
    )
    assert (result.new, result.rejected) == (1, 1)
    assert "Proefimport: er is niets opgeslagen." in result.summary()
    assert snapshot(sqlite_store) == before
    assert seen[-1] == (2, 2) and all(d <= t for d, t in seen)
    assert result.rejects == [(3, "Voornaam", "is verplicht")]


def test_every_problem_of_a_row_is_named(
    sqlite_store: Workspace, tmp_path: Path
) -> None:
    rows = [HEAD, ["P1", "", "Bos", "31-02-2001", "onbekend", ""]]
    result = import_file(sqlite_store, write_csv(tmp_path / "k.csv", rows), kind="clients")
    assert (result.read, result.rejected) == (1, 1)
    assert sorted((r, f) for r, f, _ in result.rejects) == [
        (2, "Doelgroep"),
        (2, "Geboortedatum"),
        (2, "Voornaam"),
    ]
    assert len(reject_file_rows(result.reject_path)) == 3  # type: ignore[arg-type]


def test_mapping_file_maps_columns_and_codes(
    sqlite_store: Workspace, tmp_path: Path
) -> None:
    mapping = tmp_path / "bron.toml"
    mapping.write_text(
        '[columns]\n"Clientnr" = "external_id"\n"Roep" = "Voornaam"\n"Fam" = "family_name"\n'
        '"DG" = "target_group"\n[codes.target_group]\n"JNG" = "young_people"\n'
        '"VLU" = "Vluchtelingen en statushouders"\n',
        "utf-8",
    )
    rows = [
        ["Clientnr", "Roep", "Fam", "DG", "Extra"],
        ["M1", "Ida", "Kok", "jng", "x"],
        ["M2", "Eva", "Kok", "VLU", ""],
        ["M3", "Ole", "Kok", "ONB", ""],
    ]
    result = import_file(
        sqlite_store, write_csv(tmp_path / "k.csv", rows), kind="clients", mapping=mapping
    )
    assert (result.new, result.rejected) == (2, 1)
    assert (
        result.ignored_columns == ["Extra"] and "Niet gebruikte kolommen: Extra" in result.summary()
    )
    with sqlite_store.engine.connect() as conn:
        groups = dict(conn.execute(text("SELECT external_id, target_group FROM clients")).all())
    assert groups == {"M1": "young_people", "M2": "refugees"}
    broken = tmp_path / "fout.toml"
    broken.write_text('[columns]\n"Clientnr" = "klantnummer_x"\n', "utf-8")
    with pytest.raises(ImportFileError, match=r"sleutel 'columns\.Clientnr': onbekend veld"):
        import_file(sqlite_store, tmp_path / "k.csv", kind="clients", mapping=broken)


def test_trajectories_contacts_employers_vacancies_chain(store: Workspace, tmp_path: Path) -> None:
    staff = add_staff(store)
    write_csv(tmp_path / "k.csv", [HEAD, ["K1", "Ana", "Bos", "", "over_45", ""]])
    assert import_file(store, tmp_path / "k.csv", kind="clients").new == 1
    traj = write_csv(
        tmp_path / "t.csv",
        [
            ["Extern nummer", "Klant", "Methode", "Aanmelding", "Jobcoach", "Fase"],
            ["T1", "K1", "opstapbaan", "02-05-2026 09:30", "JC01", ""],
            ["T2", "K1", "opstapbaan", "03-05-2026", "", "intake"],
            ["T3", "K9", "opstapbaan", "03-05-2026", "", ""],
            ["T4", "K1", "onbekend", "03-05-2026", "", ""],
        ],
    )
    result = import_file(store, traj, kind="trajectories")
    check_bookkeeping(result)
    assert (result.new, result.rejected) == (2, 2)
    assert {r[0]: r[1] for r in result.rejects} == {4: "Klant", 5: "Methode"}
    t1 = store.cases().set_index("trajectory_id")
    assert len(t1) == 2
    with store.engine.connect() as conn:
        tid = conn.execute(text("SELECT id FROM trajectories WHERE external_id='T1'")).scalar()
        assert (
            conn.execute(
                text("SELECT coach_id FROM coach_assignments WHERE trajectory_id=:t"), {"t": tid}
            ).scalar()
            == staff.coach
        )
        assert conn.execute(text("SELECT count(*) FROM phase_events")).scalar() == 2
        assert conn.execute(text("SELECT count(*) FROM trajectory_plans")).scalar() == 2
    contacts = write_csv(
        tmp_path / "c.csv",
        [
            ["Traject", "Soort contact", "Datum", "Verslag"],
            ["T1", "Intakegesprek", "10-05-2026", "Goed gesprek"],
            ["T1", "phone", "11-05-2026", ""],
            ["T1", "phone", "11-05-2026", ""],
            ["T2", "phone", "01-01-2030", ""],
        ],
    )
    result = import_file(store, contacts, kind="contacts")
    assert (result.new, result.rejected) == (2, 2)
    assert [r[0] for r in result.rejects] == [4, 5]
    assert "regel 3" in result.rejects[0][2] and "toekomst" in result.rejects[1][2]
    assert import_file(store, contacts, kind="contacts").new == 0
    employers = write_csv(
        tmp_path / "w.csv",
        [["Extern nummer", "Naam werkgever", "Inclusieve werkgever"], ["W1", "Bakkerij", "ja"]],
    )
    assert import_file(store, employers, kind="employers").new == 1
    vacancies = write_csv(
        tmp_path / "v.csv",
        [
            [
                "Extern nummer",
                "Werkgever",
                "Functie",
                "Uren per week",
                "Open sinds",
                "Rijbewijs vereist",
            ],
            ["V1", "bakkerij", "Hulpbakker", "32,5", "01-06-2026", "nee"],
            ["V2", "Slagerij", "Hulp", "", "01-06-2026", ""],
            ["V3", "W1", "Bezorger", "veel", "01-06-2026", "misschien"],
        ],
    )
    result = import_file(store, vacancies, kind="vacancies")
    assert (result.new, result.rejected) == (1, 2)
    v3 = [r for r in result.rejects if r[0] == 4]
    assert {f for _, f, _ in v3} == {"Uren per week", "Rijbewijs vereist"}
    with store.engine.connect() as conn:
        assert conn.execute(text("SELECT hours_per_week FROM vacancies")).scalar() == 32.5


def test_unknown_kind_and_missing_external_id_column(
    sqlite_store: Workspace, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "k.csv", [["Voornaam", "Achternaam"], ["A", "B"]])
    with pytest.raises(ImportFileError, match="Onbekende soort import"):
        import_file(sqlite_store, path, kind="pizza")
    with pytest.raises(ImportFileError, match="'Extern nummer' ontbreekt"):
        import_file(sqlite_store, path, kind="clients")


# -- hostile values ----------------------------------------------------------------------------
hostile_text = st.one_of(
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=0, max_size=200),
    st.sampled_from(
        [
            "<script>alert(1)</script>",
            "Robert'); DROP TABLE clients;--",
            "' OR '1'='1",
            '"; DELETE FROM clients; --',
            "=cmd|' /C calc'!A0",
            "x" * 5000,
            "名前",
            "😀" * 30,
            "Ærøskøbing",
            "\u202egnirts",
            "NULL",
            "",
            "   ",
        ]
    ),
    st.integers(min_value=-(10**12), max_value=10**12).map(str),
    st.floats(allow_nan=True).map(str),
)


@pytest.fixture(scope="module")
def hostile_store(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """One register for all hostile examples (each example uses its own external numbers)."""
    with Workspace(tmp_path_factory.mktemp("vijandig") / "r.db", actor="t", today=TODAY) as store:
        yield store


_example = iter(range(10**9))


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    rows=st.lists(
        st.tuples(hostile_text, hostile_text, hostile_text, hostile_text), min_size=1, max_size=6
    )
)
def test_hostile_values_are_rejected_clearly_or_stored_exactly(
    hostile_store: Workspace,
    tmp_path_factory: pytest.TempPathFactory,
    rows: list[tuple[str, str, str, str]],
) -> None:
    n = next(_example)
    tmp = tmp_path_factory.mktemp("vijandig")
    data = [["Extern nummer", "Voornaam", "Achternaam", "Doelgroep", "Gemeente"]]
    data += [
        [f"H{n}-{i}", a, b, c if i % 2 else "over_45", d] for i, (a, b, c, d) in enumerate(rows)
    ]
    path = write_csv(tmp / "vijandig.csv", data)
    before = hostile_store.count("clients")
    result = import_file(hostile_store, path, kind="clients")
    check_bookkeeping(result)
    assert all(reason and field for _, field, reason in result.rejects)
    assert hostile_store.count("clients") == before + result.new
    with hostile_store.engine.connect() as conn:
        stored = {
            r[0]: r[1:]
            for r in conn.execute(
                text(
                    "SELECT external_id, given_name, family_name, municipality FROM clients "
                    "WHERE external_id LIKE :p"
                ),
                {"p": f"H{n}-%"},
            )
        }
    rejected_rows = {r for r, _, _ in result.rejects}
    for i, (a, b, _c, d) in enumerate(rows):
        if i + 2 in rejected_rows:
            assert f"H{n}-{i}" not in stored
            continue
        assert stored[f"H{n}-{i}"] == (a.strip(), b.strip(), d.strip() or None)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    cells=st.lists(
        st.one_of(
            hostile_text,
            st.integers(),
            st.floats(allow_nan=False, allow_infinity=False),
            st.booleans(),
            st.datetimes(min_value=dt.datetime(1900, 3, 1)),
        ),
        min_size=4,
        max_size=4,
    )
)
def test_hostile_excel_cells_never_crash(
    hostile_store: Workspace, tmp_path_factory: pytest.TempPathFactory, cells: list[Any]
) -> None:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    n = next(_example)
    tmp = tmp_path_factory.mktemp("vijandig_xlsx")
    wb = Workbook()
    ws = wb.active
    ws.append(["Extern nummer", "Voornaam", "Achternaam", "Geboortedatum", "Doelgroep"])
    clean = [ILLEGAL_CHARACTERS_RE.sub("", c) if isinstance(c, str) else c for c in cells]
    ws.append([f"X{n}-1", *clean[:3], "over_45"])
    ws.append([f"X{n}-2", "Ok", "Ok", clean[3], "over_45"])
    path = tmp / "v.xlsx"
    wb.save(path)
    before = hostile_store.count("clients")
    result = import_file(hostile_store, path, kind="clients")
    check_bookkeeping(result)
    assert result.read == 2
    assert all(reason for _, _, reason in result.rejects)
    assert hostile_store.count("clients") == before + result.new


# -- command line ------------------------------------------------------------------------------
def run_cli(
    *args: str | Path, extra_env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TRAJECTTOOLS_USER": "cli-test", "TRAJECTTOOLS_ROLE": "beheer",
           **(extra_env or {})}
    return subprocess.run(
        [sys.executable, "-m", "trajecttools.cli", *map(str, args)],
        capture_output=True,
        check=False,
        text=True,
        env=env,
        timeout=300,
    )


def test_cli_import_and_export(tmp_path: Path) -> None:
    db = tmp_path / "cli.db"
    rows = [HEAD] + [[f"C{i}", "Naam", "Test", "01-02-1990", "over_45", "Ede"] for i in range(3)]
    rows.append(["C9", "Naam", "Test", "99-99-1990", "over_45", "Ede"])
    path = write_csv(tmp_path / "klanten.csv", rows)
    dry = run_cli("import", path, "--kind", "clients", "--dry-run", "--db", db)
    assert dry.returncode == 1, dry.stderr
    assert "4 rijen gelezen = 3 geïmporteerd (3 nieuw" in dry.stdout
    assert "Proefimport" in dry.stdout and "rij 5: Geboortedatum" in dry.stdout
    assert "100%" in dry.stderr  # the progress bar
    real = run_cli("import", path, "--kind", "clients", "--db", db)
    assert real.returncode == 1 and "3 nieuw" in real.stdout
    assert (tmp_path / "klanten.afgewezen.csv").exists()
    again = run_cli("import", path, "--kind", "clients", "--db", db)
    assert "0 nieuw, 3 al aanwezig" in again.stdout
    out = tmp_path / "uit.xlsx"
    exp = run_cli("export", "--to", out, "--db", db)
    assert exp.returncode == 0, exp.stderr
    assert "geëxporteerd" in exp.stdout
    assert len(workbook_cells(out)["Klanten"]) == 4
    bad = run_cli("import", tmp_path / "weg.csv", "--kind", "clients", "--db", db)
    assert bad.returncode == 2 and "bestaat niet" in bad.stderr
    wrong = run_cli("export", "--to", tmp_path / "x.doc", "--db", db)
    assert wrong.returncode == 2 and "onbekend formaat" in wrong.stderr


def test_export_with_names_or_bsn_needs_the_administrator_role(tmp_path: Path) -> None:
    db = tmp_path / "rol.db"
    row = ["C1", "Naam", "Test", "01-02-1990", "over_45", "Ede"]
    path = write_csv(tmp_path / "k.csv", [HEAD, row])
    assert run_cli("import", path, "--kind", "clients", "--db", db).returncode == 0
    analyst = {"TRAJECTTOOLS_ROLE": "analyst"}
    names = run_cli("export", "--to", tmp_path / "a.xlsx", "--db", db, extra_env=analyst)
    assert names.returncode == 2 and "export met namen" in names.stderr
    assert not (tmp_path / "a.xlsx").exists()
    bsn = run_cli("export", "--to", tmp_path / "b.xlsx", "--full", "--db", db, extra_env=analyst)
    assert bsn.returncode == 2 and "volledige export (met BSN)" in bsn.stderr
    pseudo = run_cli("export", "--to", tmp_path / "p.xlsx", "--pseudonymised", "--db", db,
                     extra_env=analyst)
    assert pseudo.returncode == 0, pseudo.stderr
    assert "Naam" not in str(workbook_cells(tmp_path / "p.xlsx")["Klanten"])
