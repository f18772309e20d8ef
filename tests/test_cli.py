"""The trajecttools command: demo, check, migrate, method; Dutch errors on bad input."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from trajecttools.cli import main
from trajecttools.workspace import Workspace


def test_demo_then_check(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "demo.db"
    assert main(["demo", "--size", "120", "--seed", "3", "--db", str(db),
                 "--as-of", "02-11-2026"]) == 0
    assert "Demoregister gemaakt: 120 trajecten" in capsys.readouterr().out
    with Workspace(db) as store:
        assert store.count("trajectories") == 120
        assert store.info()["synthetic"] == "true"
    assert main(["check", "--db", str(db)]) == 0
    assert "Geen problemen gevonden." in capsys.readouterr().out


def test_demo_refuses_to_overwrite_without_replace(tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "demo.db"
    assert main(["demo", "--size", "20", "--db", str(db), "--as-of", "02-11-2026"]) == 0
    assert main(["demo", "--size", "20", "--db", str(db), "--as-of", "02-11-2026"]) == 2
    assert "bestaat al; gebruik --replace" in capsys.readouterr().err
    assert main(["demo", "--size", "30", "--db", str(db), "--as-of", "02-11-2026",
                 "--replace"]) == 0
    with Workspace(db) as store:
        assert store.count("trajectories") == 30


@pytest.mark.parametrize(
    ("argv", "message"),
    [(["demo", "--size", "nul"], "'nul' is geen positief geheel getal"),
     (["demo", "--as-of", "31-02-2026"], "'31-02-2026' is geen geldige datum"),
     (["serve", "--port", "70000"], "poort 70000 bestaat niet")],
)
def test_bad_arguments_get_a_dutch_message(argv: list[str], message: str,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


def test_check_reports_problems_with_exit_code_1(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    from sqlalchemy import text

    db = tmp_path / "r.db"
    assert main(["migrate", "--db", str(db)]) == 0
    with Workspace(db) as store:
        client = store.add("clients", {"given_name": "Ab", "family_name": "Proefstra",
                                       "target_group": "over_45"})
        with store.engine.begin() as conn:
            conn.execute(text("INSERT INTO skills (client_id, kind, name, recorded_on) "
                              "VALUES (:c, 'x', 'y', '2026-01-01')"), {"c": client})
    assert main(["check", "--db", str(db)]) == 1
    assert "onbekende codes x" in capsys.readouterr().out


def test_method_install_and_broken_method(tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "r.db"
    good = tmp_path / "eigen.toml"
    good.write_text('extends = "art60"\n[method]\ncode = "eigen"\nname = "Eigen"\n', "utf-8")
    assert main(["method", str(good), "--db", str(db)]) == 0
    assert "Methode 'eigen' (Eigen) is geïnstalleerd." in capsys.readouterr().out
    bad = tmp_path / "kapot.toml"
    bad.write_text('extends = "art60"\n[rules.contact_gap]\nweeks = "vier"\n', "utf-8")
    assert main(["method", str(bad), "--db", str(db)]) == 2
    err = capsys.readouterr().err
    assert "kapot.toml: sleutel 'rules.contact_gap.weeks': moet een geheel getal zijn" in err


def test_user_maps_logins_to_roles_checked_and_audited(
    demo_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "demo.db"
    shutil.copy(demo_db, db)
    with Workspace(db, role="beheer", migrate=False) as store:
        code = str(store.frame("coaches")["code"].iloc[0])
        team = str(store.frame("teams")["name"].iloc[0])
    assert main(["user", "--db", str(db), "jet", f"coach:{code}"]) == 0
    assert main(["user", "--db", str(db), "anna", f"team_lead:{team}"]) == 0
    assert f"Gebruiker anna heeft nu de rol team_lead:{team}." in capsys.readouterr().out
    assert main(["user", "--db", str(db), "kees", "coach:ONBEKEND"]) == 2
    assert "geen jobcoach met code 'ONBEKEND'" in capsys.readouterr().err
    assert main(["user", "--db", str(db), "kees", "baas"]) == 2
    assert "onbekende rol 'baas'" in capsys.readouterr().err
    assert main(["user", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert f"jet\tcoach:{code}" in out and "2 gebruikers gekoppeld" in out and "kees" not in out
    with Workspace(db, actor="jet", migrate=False) as store:
        assert store.access.role == "coach"
    with Workspace(db, actor="kees", migrate=False) as store:
        assert store.access.role == "analyst"
    with Workspace(db, role="beheer", migrate=False) as store:
        audit = store.audit()
    assert (audit["entity"] == "register_info").sum() >= 2
