"""The caseload import: client and trajectory in one row, its history, coaches, monthly updates."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import text

from caseload_files import HOSTILE, MAPPING, REJECTED, write_caseload
from conftest import TODAY, add_staff
from test_import_export import check_bookkeeping, fresh, reject_file_rows, snapshot, write_csv
from trajecttools.outputs.importer import ImportFileError, caseload_write, import_file
from trajecttools.reads.check import check
from trajecttools.reads.signals import signals
from trajecttools.register import changes
from trajecttools.workspace import Workspace


def _rows(store: Workspace, sql: str) -> list[tuple[object, ...]]:
    with store.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(sql))]


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, object]:
    """A register with the municipal caseload imported (coaches created on the way)."""
    tmp = tmp_path_factory.mktemp("caseload")
    source = write_caseload(tmp / "caseload.csv", TODAY)
    with fresh(tmp) as store:
        result = import_file(store, source, kind="caseload", mapping=MAPPING,
                             create_coaches=True)
    return tmp / "doel.db", source, result


def test_municipal_export_imports_good_rows_and_names_each_rejected_row(
    imported: tuple[Path, Path, object],
) -> None:
    _db, source, result = imported
    check_bookkeeping(result)  # type: ignore[arg-type]
    assert (result.read, result.new, result.rejected) == (9, 4, 5)  # type: ignore[attr-defined]
    assert result.empty_rows == 1  # type: ignore[attr-defined]
    assert "Rijbewijs" in result.ignored_columns  # type: ignore[attr-defined]
    by_row: dict[int, list[str]] = {}
    for row, label, reason in result.rejects:  # type: ignore[attr-defined]
        by_row.setdefault(row, []).append(f"{label}: {reason}")
    assert set(by_row) == set(REJECTED)
    for row, words in REJECTED.items():
        assert len(by_row[row]) == 1, by_row[row]  # one cause, one message
        assert all(w in by_row[row][0] for w in words), by_row[row]
    lines = reject_file_rows(source.with_name("caseload.afgewezen.csv"))
    assert sorted({int(r["Regel"]) for r in lines}) == sorted(REJECTED)
    assert "Nieuwe jobcoaches (2): Petra Smit (PS), Karel Bos (KB)" in result.summary()  # type: ignore[attr-defined]


def test_imported_history_is_real_history(imported: tuple[Path, Path, object]) -> None:
    db, _source, _result = imported
    with Workspace(db, today=TODAY, role="beheer") as store:
        names = _rows(store, "SELECT given_name FROM clients WHERE external_id = '1008'")
        assert names == [(HOSTILE,)]  # stored verbatim
        plans = dict(_rows(store, "SELECT c.external_id, p.signed_client_on FROM "
                                  "trajectory_plans p JOIN trajectories t ON t.id = "
                                  "p.trajectory_id JOIN clients c ON c.id = t.client_id"))
        assert plans["1001"] is not None and plans["1002"] is not None
        intakes = _rows(store, "SELECT c.external_id FROM contacts k JOIN trajectories t ON "
                               "t.id = k.trajectory_id JOIN clients c ON c.id = t.client_id "
                               "WHERE k.kind = 'intake' ORDER BY 1")
        assert intakes == [("1001",), ("1003",), ("1008",)]
        events = _rows(store, "SELECT c.external_id, e.phase FROM phase_events e JOIN "
                              "trajectories t ON t.id = e.trajectory_id JOIN clients c ON "
                              "c.id = t.client_id WHERE c.external_id = '1001' ORDER BY e.id")
        # the method's route to the current phase; without a phase date it began on the
        # intake date (the latest date of the row)
        assert events == [("1001", "registration"), ("1001", "intake"),
                          ("1001", "stepping_stone")]
        dates = _rows(store, "SELECT e.started_on, t.phase_since FROM phase_events e JOIN "
                             "trajectories t ON t.id = e.trajectory_id JOIN clients c ON "
                             "c.id = t.client_id WHERE c.external_id = '1001' ORDER BY e.id")
        assert dates[1][0] == dates[2][0] == dates[2][1] == f"{TODAY - dt.timedelta(100)}"
        cases = store.cases()
        found = signals(store)
        audit = _rows(store, "SELECT entity, new FROM audit_log WHERE action = 'import'")
    assert len(cases) == 4
    late = found.merge(cases[["trajectory_id", "phase"]], on="trajectory_id")
    # 1003 is in "Plaatsing" without a placement; 1002's plan was signed 15 days ago, no intake
    assert set(late.loc[late["rule"] == "placement_missing", "phase"]) == {"placement"}
    assert "intake_after_signing" in set(found["rule"])
    assert "plan_signatures" not in set(found["rule"])  # the imported plans are signed
    imported_tables = {e for e, new in audit if "uit caseload.csv" in str(new)}
    assert {"clients", "trajectories", "trajectory_plans", "contacts"} <= imported_tables


def test_unknown_coach_is_rejected_with_the_known_coaches(tmp_path: Path) -> None:
    source = write_caseload(tmp_path / "caseload.csv", TODAY)
    with fresh(tmp_path) as store:
        add_staff(store)
        before = snapshot(store)
        result = import_file(store, source, kind="caseload", mapping=MAPPING, dry_run=True)
        assert snapshot(store) == before
    coach_rows = [r for r in result.rejects if r[1] == "Jobcoach"]
    assert coach_rows and "onbekende jobcoach 'Petra Smit'" in coach_rows[0][2]
    assert "Jet Coach (JC01)" in coach_rows[0][2] and "--create-coaches" in coach_rows[0][2]
    assert result.new == 0


def test_monthly_reimport_unchanged_rejected_or_updated(store: Workspace,
                                                        tmp_path: Path) -> None:
    today = TODAY
    first = write_caseload(tmp_path / "maand1.csv", today)
    second = write_caseload(tmp_path / "maand2.csv", today, month=2)
    import_file(store, first, kind="caseload", mapping=MAPPING, create_coaches=True)
    again = import_file(store, first, kind="caseload", mapping=MAPPING)
    assert (again.new, again.unchanged, again.rejected) == (0, 4, 5)
    assert "4 al aanwezig en ongewijzigd" in again.summary()
    before = snapshot(store)
    refused = import_file(store, second, kind="caseload", mapping=MAPPING)
    assert snapshot(store) == before  # without --update nothing changes
    changed = {r: reason for r, _l, reason in refused.rejects if r in (2, 3)}
    assert set(changed) == {2, 3} and all("--update" in m for m in changed.values())
    updated = import_file(store, second, kind="caseload", mapping=MAPPING, update=True)
    assert not any("intake op" in c for c in updated.changes)
    check_bookkeeping(updated)
    assert updated.updated == 2 and updated.rejected == 5
    summary = updated.summary()
    assert "2 bijgewerkt" in summary and "Bijgewerkt: 2 trajecten" in summary
    assert any("'Opstapbaan' → 'Plaatsing'" in c for c in updated.changes)
    phases = dict(_rows(store, "SELECT c.external_id, t.phase FROM trajectories t JOIN "
                               "clients c ON c.id = t.client_id"))
    assert phases["1001"] == "placement" and phases["1002"] == "intake"
    audit = _rows(store, "SELECT entity_id, old, new FROM audit_log WHERE action = 'phase'")
    assert {(o, n) for _i, o, n in audit} == {("stepping_stone", "placement"),
                                              ("registration", "intake")}
    intakes = _rows(store, "SELECT COUNT(*) FROM contacts WHERE kind = 'intake'")
    assert intakes == [(3,)]
    third = import_file(store, second, kind="caseload", mapping=MAPPING, update=True)
    assert (third.updated, third.unchanged) == (0, 4)
    assert check(store) == []  # imported history and updates follow the method


def test_a_transition_the_method_forbids_is_rejected_with_update(tmp_path: Path) -> None:
    header = ["Klantnummer", "Voornaam", "Achternaam", "Doelgroep", "Methode",
              "Datum aanmelding", "Fase"]
    row = ["K1", "Ans", "Bos", "45-plussers", "opstapbaan", "01-03-2026"]
    with fresh(tmp_path) as store:
        import_file(store, write_csv(tmp_path / "a.csv", [header, [*row, "Intake"]]),
                    kind="caseload")
        before = snapshot(store)
        back = import_file(store, write_csv(tmp_path / "b.csv", [header, [*row, "Aanmelding"]]),
                           kind="caseload", update=True)
        assert snapshot(store) == before
    assert back.rejected == 1 and back.updated == 0
    assert back.rejects[0][1] == "Fase" and "niet toegestaan" in back.rejects[0][2]


def test_trajectory_number_or_configured_key_identifies_the_trajectory(tmp_path: Path) -> None:
    header = ["Trajectnummer", "Klantnummer", "Voornaam", "Achternaam", "Doelgroep", "Methode",
              "Datum aanmelding"]
    rows = [header, ["T1", "K1", "Ans", "Bos", "45-plussers", "opstapbaan", "01-03-2026"],
            ["T2", "K1", "Ans", "Bos", "45-plussers", "art60", "01-03-2026"]]
    keyed = tmp_path / "sleutel.toml"
    keyed.write_text('[options]\nkey = ["Klantnummer", "Methode"]\n', "utf-8")
    with fresh(tmp_path) as store:
        by_number = import_file(store, write_csv(tmp_path / "a.csv", rows), kind="caseload")
        assert (by_number.new, store.count("clients"), store.count("trajectories")) == (2, 1, 2)
        without = [r[1:] for r in rows]
        plain = import_file(store, write_csv(tmp_path / "b.csv", without), kind="caseload",
                            mapping=keyed)
        assert (plain.new, plain.unchanged) == (0, 2)  # the same client and method: known
        dupes = import_file(store, write_csv(tmp_path / "d.csv", without), kind="caseload")
        assert dupes.rejects[0][0] == 3 and "dubbel" in dupes.rejects[0][2]
    bad = tmp_path / "fout.toml"
    bad.write_text('[options]\nkey = ["Achternaam"]\n', "utf-8")
    with fresh(tmp_path, "ander.db") as store, pytest.raises(ImportFileError,
                                                             match=r"options\.key"):
        import_file(store, write_csv(tmp_path / "e.csv", without), kind="caseload", mapping=bad)


def test_cross_field_checks_name_both_fields(tmp_path: Path) -> None:
    header = ["Klantnummer", "Voornaam", "Achternaam", "Doelgroep", "Methode",
              "Datum aanmelding", "Datum intake", "Fase", "Datum fase"]
    rows = [header,
            ["K1", "A", "B", "45-plussers", "opstapbaan", "01-03-2026", "01-02-2026", "", ""],
            ["K2", "A", "B", "45-plussers", "opstapbaan", "01-03-2026", "", "Intake",
             "01-01-2026"],
            ["K3", "A", "B", "45-plussers", "opstapbaan", "01-03-2026", "", "Verkenning", ""],
            ["K4", "A", "B", "45-plussers", "onbekend", "01-03-2026", "", "", ""]]
    with fresh(tmp_path) as store:
        result = import_file(store, write_csv(tmp_path / "a.csv", rows), kind="caseload")
    reasons = {row: f"{label}: {reason}" for row, label, reason in result.rejects}
    assert len(result.rejects) == 4
    assert "Datum intake" in reasons[2] and "Datum aanmelding" in reasons[2]
    assert "Datum fase" in reasons[3] and "Datum aanmelding" in reasons[3]
    assert "Fase" in reasons[4] and "methode" in reasons[4]
    assert "Methode" in reasons[5]


def test_unknown_client_in_a_trajectory_row_gets_one_message(tmp_path: Path) -> None:
    rows = [["Extern nummer", "Klant", "Methode", "Aanmelddatum"],
            ["T1", "ONBEKEND", "opstapbaan", "01-03-2026"]]
    with fresh(tmp_path) as store:
        result = import_file(store, write_csv(tmp_path / "t.csv", rows), kind="trajectories")
    assert len(result.rejects) == 1
    assert "onbekende klant 'ONBEKEND'" in result.rejects[0][2]


def test_caseload_kind_is_offered_on_the_command_line(tmp_path: Path) -> None:
    import subprocess
    import sys

    source = write_caseload(tmp_path / "caseload.csv", dt.date.today())
    env_db = f"sqlite:///{tmp_path / 'cli.db'}"
    proc = subprocess.run(
        [sys.executable, "-m", "trajecttools.cli", "import", str(source), "--kind", "caseload",
         "--mapping", str(MAPPING), "--create-coaches", "--db", env_db],
        capture_output=True, text=True, check=False)
    assert proc.returncode == 1, proc.stderr  # rows were rejected
    assert "9 rijen gelezen = 4 geïmporteerd" in proc.stdout
    with Workspace(env_db, role="beheer") as store:
        assert store.count("coaches") == 2
        assert store.count("trajectories") == 4


def test_mapping_editor_maps_columns_and_values_and_saves_toml(tmp_path: Path) -> None:
    import tomllib

    from test_transfer_widgets import _download, _upload
    from trajecttools.widgets.transfer import TransferPanel

    source = write_caseload(tmp_path / "export.csv", TODAY)
    with fresh(tmp_path) as store:
        add_staff(store)
        panel = TransferPanel(store, actor="tester")
        part = panel.importer
        part.upload.value = _upload("export.csv", source.read_bytes())
        part.kind.value = "caseload"
        part.editor.read_button.click()
        editor = part.editor
        assert editor.draft is not None, editor.status.message
        cols = editor.column_boxes
        assert cols["Klantnummer"].value == "client_number"  # guessed from our labels
        assert cols["Geboortedatum"].value == "birth_date"
        assert cols["Consulent"].value == ""  # not ours: the person picks it
        cols["Voorletters"].value = "given_name"
        cols["Consulent"].value = "coach"
        cols["Datum plan getekend"].value = "plan_signed_on"
        cols["Opleiding"].value = "education_level"
        cols["Doelgroep"].value = ""
        editor.code_boxes[("phase", "Opstap")].value = "stepping_stone"
        part.editor.read_button.click()  # read again: the choices stay
        assert editor.column_boxes["Consulent"].value == "coach"
        assert editor.column_boxes["Doelgroep"].value == ""
        assert editor.code_boxes[("phase", "Opstap")].value == "stepping_stone"
        assert not any(f == "target_group" for f, _v in editor.code_boxes)
        editor.column_boxes["Doelgroep"].value = "target_group"
        part.editor.read_button.click()  # a column given a code field: its values listed
        values = {v for _f, v in editor.code_boxes}
        assert {"Jongere", "Statushouder", "Ruimtevaarder", "MBO 2"} <= values
        targets = dict(editor.code_boxes[("target_group", "Jongere")].options)
        assert targets["Jongeren (school naar werk)"] == "young_people"  # the code list
        for (fld, value), box in editor.code_boxes.items():
            box.value = {"Jongere": "young_people", "45+": "over_45",
                         "Statushouder": "refugees", "MBO 2": "mbo2", "VMBO": "vmbo",
                         "HBO": "hbo", "Opstap": "stepping_stone", "Geplaatst": "placement",
                         "Aangemeld": "registration"}.get(value, "")
            assert fld in ("target_group", "education_level", "phase")
        editor.draft.defaults["method"] = "opstapbaan"
        editor.save_button.click()
        name, _mime, data = _download(editor.link.value)
        assert name == "koppeling-caseload.toml"
        saved = tomllib.loads(data.decode("utf-8"))
        assert saved["columns"]["Consulent"] == "coach"
        assert saved["codes"]["target_group"]["Jongere"] == "young_people"
        assert "Ruimtevaarder" not in saved["codes"]["target_group"]  # left as it is
        # the import on the page uses the saved mapping; coaches created on request
        part.dry_run.value = False
        part.create_coaches.value = True
        part.run_button.click()
        result = part.result
        assert result is not None, part.status.message
        assert (result.new, result.rejected) == (4, 5), result.rejects
        again = tmp_path / "koppeling.toml"
        again.write_bytes(data)  # and next month, as a file
        assert import_file(store, source, kind="caseload", mapping=again).unchanged == 4
        panel.close()


def test_update_adds_a_new_intake_and_a_coach_change_through_the_rules(tmp_path: Path) -> None:
    header = ["Klantnummer", "Voornaam", "Achternaam", "Doelgroep", "Methode",
              "Datum aanmelding", "Jobcoach", "Datum plan getekend", "Datum intake"]
    row = ["K1", "Ans", "Bos", "45-plussers", "opstapbaan", "01-03-2026"]
    with fresh(tmp_path) as store:
        add_staff(store)
        import_file(store, write_csv(tmp_path / "a.csv", [header, [*row, "JC01", "", ""]]),
                    kind="caseload")
        later = write_csv(tmp_path / "b.csv", [header, [*row, "Kees Coach", "05-03-2026",
                                                        "20-03-2026"]])
        result = import_file(store, later, kind="caseload", update=True)
        assert result.updated == 1, result.rejects
        change = result.changes[0]
        assert "plan getekend op 05-03-2026" in change and "intake op 20-03-2026" in change
        assert "jobcoach Jet Coach → Kees Coach" in change
        assert _rows(store, "SELECT kind, held_on FROM contacts") == [("intake", "2026-03-20")]
        assert _rows(store, "SELECT signed_coach_on FROM trajectory_plans") == [("2026-03-05",)]
        assert _rows(store, "SELECT COUNT(*) FROM coach_assignments") == [(2,)]
        actions = {a for (a,) in _rows(store, "SELECT action FROM audit_log")}
        assert {"assign_coach", "create", "update"} <= actions


def test_the_import_page_offers_every_kind_of_the_command_line() -> None:
    from trajecttools.outputs.importer import KINDS
    from trajecttools.widgets.transfer import IMPORT_KINDS

    assert {kind for _label, kind in IMPORT_KINDS} == set(KINDS)


@pytest.mark.parametrize("rebuild_from", [1, 10**9])
def test_a_large_import_rebuilds_the_read_models_instead_of_logging_each_row(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rebuild_from: int) -> None:
    """From ``REBUILD_FROM`` new trajectories on, the import drops the change-log triggers for
    its inserts and installs them again (models dropped) in the same transaction: the next read
    is a full rebuild with the same result as the row-by-row log, and later writes are logged."""
    monkeypatch.setattr(caseload_write, "REBUILD_FROM", rebuild_from)
    source = write_caseload(tmp_path / "caseload.csv", TODAY)
    with fresh(tmp_path) as store:
        store.cases(), signals(store)  # models stored before the import
        import_file(store, source, kind="caseload", mapping=MAPPING, create_coaches=True)
        with store.engine.connect() as conn:
            assert changes.missing_triggers(conn) == []
        logged = _rows(store, "SELECT count(*) FROM read_model_changes")[0][0]
        cases, found = store.cases(), signals(store)
        with store.engine.begin() as conn:
            changes.invalidate(conn)  # a full rebuild from the tables, to compare with
        assert cases.equals(store.cases())
        assert found.equals(signals(store))
    assert len(cases) == 4 and not found.empty
    assert (logged == 0) == (rebuild_from == 1)  # no change rows when rebuilt
