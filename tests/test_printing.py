"""Intake report, MDO summary and end report as HTML and PDF, under the organisation's name.

The PDFs are made by WeasyPrint, rendered to PNG with pypdfium2 (written to
``artifacts/screenshots/report-*.png`` to be looked at) and their text is extracted and checked.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from PIL import Image, ImageDraw
from sqlalchemy import select, text

from conftest import DEMO_AS_OF, add_staff, make_store, register_case
from trajecttools.cli import main
from trajecttools.core.errors import InvalidRecord, NotFoundError
from trajecttools.core.model import AuditEntry
from trajecttools.outputs import report as printing
from trajecttools.outputs.report import minutes as mdo_minutes
from trajecttools.reads.signals import signals
from trajecttools.register.access import AccessDenied
from trajecttools.workspace import Workspace

ROOT = Path(__file__).resolve().parents[1]
SHOTS = ROOT / "artifacts" / "screenshots"
ORG = "Stichting Wérkpunt Zuid — Één loket"
BSN = "123456782"


def _logo(path: Path) -> Path:
    img = Image.new("RGB", (240, 64), "white")
    draw = ImageDraw.Draw(img)
    draw.rectangle((0, 0, 64, 64), fill=(0, 90, 160))
    draw.text((76, 24), "Werkpunt", fill="black")
    img.save(path)
    return path


def _pdf_text_and_pngs(pdf: bytes, name: str) -> tuple[int, str]:
    """Render every page to PNG in artifacts/screenshots; return page count and text."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    doc = pdfium.PdfDocument(pdf)
    try:
        texts = []
        for i in range(len(doc)):
            page = doc[i]
            image = page.render(scale=1.4).to_pil()
            assert image.size[0] > 500 and image.size[1] > 700
            # a page with content: not one flat colour
            assert len(image.convert("L").getcolors(maxcolors=100_000) or []) > 10
            image.save(SHOTS / f"report-{name}-{i + 1}.png")
            textpage = page.get_textpage()
            texts.append(textpage.get_text_range())
            textpage.close()
            page.close()
        return len(doc), "\n".join(texts)
    finally:
        doc.close()


@pytest.fixture
def demo_copy(demo_db: Path, tmp_path: Path) -> Path:
    target = tmp_path / "demo.db"
    shutil.copy(demo_db, target)
    return target


@pytest.fixture
def demo(demo_copy: Path, tmp_path: Path) -> Workspace:
    with Workspace(demo_copy, actor="tester", today=DEMO_AS_OF, role="beheer") as store:
        printing.set_organisation(store, name=ORG, logo=_logo(tmp_path / "logo.png"))
        yield store


def _names(store: Workspace, tid: int) -> tuple[str, str, str]:
    with store.engine.connect() as conn:
        row = conn.execute(text(
            "SELECT c.pseudonym, c.given_name, c.family_name FROM trajectories t"
            " JOIN clients c ON c.id = t.client_id WHERE t.id = :t"), {"t": tid}).one()
    return str(row[0]), str(row[1]), str(row[2])


def test_intake_and_end_report_pdfs_carry_organisation_and_sections(demo: Workspace) -> None:
    with demo.engine.connect() as conn:
        tid = int(conn.execute(text(
            "SELECT e.trajectory_id FROM end_reports e JOIN contacts c"
            " ON c.trajectory_id = e.trajectory_id AND c.kind IN ('intake', 'home_visit')"
            " ORDER BY e.trajectory_id LIMIT 1")).scalar_one())
    pseudonym, given, _family = _names(demo, tid)
    before = demo.count("audit_log")

    intake = printing.intake_report(demo, tid, "pdf")
    assert isinstance(intake, bytes) and intake.startswith(b"%PDF")
    pages, body = _pdf_text_and_pngs(intake, "intake")
    assert pages >= 1
    for expected in (ORG, "Intakerapportage", pseudonym, "Klant", "Traject", "Intakegesprek",
                     "Belemmeringen en doorverwijzingen", "Actieplan", "pagina 1 van"):
        assert expected in body, expected
    assert given in body  # the intake report is the case's own report: the name is in it

    end = printing.end_report(demo, tid, "pdf")
    pages, body = _pdf_text_and_pngs(end, "end")
    assert pages >= 1
    for expected in (ORG, "Beëindigingsrapportage", pseudonym, "Plaatsingen",
                     "Nazorgcontacten", "Behaalde resultaten", "Resterende aandachtspunten"):
        assert expected in body, expected

    with demo.engine.connect() as conn:
        logged = conn.execute(select(AuditEntry.action, AuditEntry.entity_id)
                              .where(AuditEntry.id > before)).all()
    assert [(a, e) for a, e in logged] == [("report", tid), ("report", tid)]

    html = printing.intake_report(demo, tid, "html")
    assert isinstance(html, str) and 'src="data:image/png;base64,' in html
    assert "Wérkpunt" in html and "<h2>Actieplan</h2>" in html


def test_mdo_summary_shows_agenda_and_decisions_without_names(demo: Workspace) -> None:
    sig = signals(demo).drop_duplicates("trajectory_id").head(3)
    assert len(sig) == 3
    items = [
        {"trajectory_id": int(r.trajectory_id), "reason": r.rule_label,
         "decision": f"Besluit {i}: jobcoach plant een driegesprek; schuldhulp inschakelen.",
         "owner": "Jet Coach", "due_on": "09-11-2026"}
        for i, r in enumerate(sig.itertuples(), start=1)
    ]
    items[2]["decision"] = ""
    mdo_minutes.save_meeting(demo, "02-11-2026", items, team="Team Noord", chair="Mieke Voorzit")
    pdf = printing.mdo_summary(demo, "02-11-2026", "pdf", team="Team Noord")
    assert isinstance(pdf, bytes)
    pages, body = _pdf_text_and_pngs(pdf, "mdo")
    assert pages >= 1
    for expected in (ORG, "MDO-verslag", "Team Noord", "02-11-2026", "Agenda", "Besluiten",
                     "Besluit 1: jobcoach plant", "Besluit 2:", "Geen besluit vastgelegd",
                     "Uiterlijk: 09-11-2026", "3 cliënten geagendeerd, over 2 een besluit"):
        assert expected in body, expected
    flat = " ".join(body.split())
    with demo.engine.connect() as conn:
        staff = [n for (n,) in conn.execute(text("SELECT name FROM coaches"))]
    staff += ["Jet Coach", "Mieke Voorzit"]
    for r in sig.itertuples():
        pseudonym, given, family = _names(demo, int(r.trajectory_id))
        assert pseudonym in body
        assert str(r.rule_label).split()[0] in body
        assert f"{given} {family}" not in flat
        # synthetic staff and clients share a small pool of names: a client's name may only
        # appear inside a staff member's name
        for part in (given, family):
            assert flat.count(part) == sum(flat.count(s) for s in staff if part in s), part
    with demo.engine.connect() as conn:
        bsns = [b for (b,) in conn.execute(text("SELECT bsn FROM clients WHERE bsn IS NOT NULL"))]
    assert not any(b in flat for b in bsns)


def test_mdo_meeting_validation_writes_nothing(demo: Workspace) -> None:
    tid = int(signals(demo)["trajectory_id"].iloc[0])
    before = demo.count("audit_log")
    with pytest.raises(InvalidRecord) as bad:
        mdo_minutes.save_meeting(demo, "03-11-2026", [
            {"trajectory_id": tid, "decision": "ok"},
            {"trajectory_id": 999_999, "decision": "bestaat niet"},
        ])
    assert bad.value.row == 2 and "traject 999999 bestaat niet" in str(bad.value)
    with pytest.raises(InvalidRecord, match=r"rij 2.*Uiterlijk: '31-02-2026'"):
        mdo_minutes.save_meeting(demo, "03-11-2026", [
            {"trajectory_id": tid}, {"trajectory_id": tid + 1, "due_on": "31-02-2026"}])
    with pytest.raises(InvalidRecord, match="staat al op de agenda"):
        mdo_minutes.save_meeting(demo, "03-11-2026", [{"trajectory_id": tid},
                                                      {"trajectory_id": tid}])
    assert demo.count("audit_log") == before
    assert mdo_minutes.meetings(demo) == []
    with pytest.raises(NotFoundError, match="MDO-verslag 03-11-2026"):
        printing.mdo_summary(demo, "03-11-2026")
    mdo_minutes.save_meeting(demo, "03-11-2026", [{"trajectory_id": tid, "decision": "A"}])
    mdo_minutes.save_meeting(demo, "03-11-2026", [{"trajectory_id": tid, "decision": "B"}])
    assert mdo_minutes.meetings(demo) == [(DEMO_AS_OF.replace(day=3), None)]
    assert mdo_minutes.load_meeting(demo, "03-11-2026").items[0].decision == "B"


@pytest.fixture
def beheer_store(tmp_path: Path) -> Workspace:
    with make_store("sqlite", tmp_path, role="beheer") as store:
        yield store


def test_case_reports_follow_the_rules_of_opening_a_case(tmp_path: Path) -> None:
    with make_store("sqlite", tmp_path, role="beheer") as store:
        staff = add_staff(store)
        own = register_case(store, staff)
        other = register_case(store, staff, coach_id=staff.other_coach)
    with make_store("sqlite", tmp_path, role="analyst") as store:
        with pytest.raises(AccessDenied, match="Een analist ziet alleen gepseudonimiseerde"):
            printing.intake_report(store, own)
        assert store.count("audit_log") > 0
    with make_store("sqlite", tmp_path, role="coach", coach="JC01") as store:
        assert "Intakerapportage" in str(printing.intake_report(store, own))
        with pytest.raises(AccessDenied, match=f"Traject {other} hoort niet bij uw caseload"):
            printing.end_report(store, other)
        with store.engine.connect() as conn:
            logged = conn.execute(select(AuditEntry.entity_id)
                                  .where(AuditEntry.action == "report")).scalars().all()
        assert logged == [own]  # the refused report left no trace of being made


def test_broken_organisation_settings_name_the_key(beheer_store: Workspace, tmp_path: Path) -> None:
    sqlite_store = beheer_store
    tid = register_case(sqlite_store, add_staff(sqlite_store))
    assert printing.organisation(sqlite_store) == printing.Organisation()
    assert 'class="tt-org"' not in str(printing.intake_report(sqlite_store, tid))
    sqlite_store.set_info("organisation_logo", "logo.png")
    with pytest.raises(printing.ConfigError, match="Instelling 'organisation_logo': is geen"):
        printing.intake_report(sqlite_store, tid)
    sqlite_store.set_info("organisation_logo", "data:image/png;base64,@@@")
    with pytest.raises(printing.ConfigError, match="organisation_logo"):
        printing.organisation(sqlite_store)
    sqlite_store.set_info("organisation_logo", "")
    sqlite_store.set_info("organisation_name", "  ")
    with pytest.raises(printing.ConfigError, match="Instelling 'organisation_name': is leeg"):
        printing.end_report(sqlite_store, tid)
    with pytest.raises(printing.ConfigError, match=r"bestand .*ontbreekt\.png' bestaat niet"):
        printing.set_organisation(sqlite_store, logo=tmp_path / "ontbreekt.png")
    (tmp_path / "logo.bmp").write_bytes(b"BM")
    with pytest.raises(printing.ConfigError, match=r"'logo\.bmp' is geen PNG"):
        printing.set_organisation(sqlite_store, name="Goed", logo=tmp_path / "logo.bmp")
    assert sqlite_store.info()["organisation_name"] == "  "  # nothing half-written


def test_cli_writes_reports_and_refuses_bad_input(
    demo: Workspace, demo_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TRAJECTTOOLS_ROLE", "beheer")
    tid = int(signals(demo)["trajectory_id"].iloc[0])
    pseudonym, _, _ = _names(demo, tid)
    mdo_minutes.save_meeting(demo, "02-11-2026", [{"trajectory_id": tid, "decision": "Door"}])
    db = str(demo_copy)
    out = tmp_path / "out"
    assert main(["report", "intake", pseudonym, "--to", str(out / "i.pdf"), "--db", db]) == 0
    assert (out / "i.pdf").read_bytes().startswith(b"%PDF")
    assert main(["report", "end", str(tid), "--to", str(out / "e.html"), "--db", db]) == 0
    assert "Beëindigingsrapportage" in (out / "e.html").read_text(encoding="utf-8")
    assert main(["report", "mdo", "--date", "02-11-2026", "--to", str(out / "m.html"),
                 "--db", db]) == 0
    assert pseudonym in (out / "m.html").read_text(encoding="utf-8")
    assert "Intakerapportage geschreven naar" in capsys.readouterr().out

    assert main(["report", "intake", str(tid), "--to", str(out / "i.docx"), "--db", db]) == 2
    assert "Doelbestand 'i.docx' moet eindigen op .pdf of .html" in capsys.readouterr().err
    assert main(["report", "intake", "--to", str(out / "z.pdf"), "--db", db]) == 2
    assert "Geef het trajectnummer of pseudoniem" in capsys.readouterr().err
    assert main(["report", "mdo", "--date", "01-01-2026", "--to", str(out / "x.pdf"),
                 "--db", db]) == 2
    assert "MDO-verslag 01-01-2026 (alle teams) bestaat niet" in capsys.readouterr().err
    assert main(["report", "intake", "K-NIEMAND", "--to", str(out / "y.pdf"), "--db", db]) == 2
    assert "'K-NIEMAND' bestaat niet" in capsys.readouterr().err
    assert not (out / "x.pdf").exists() and not (out / "y.pdf").exists()
    assert main(["organisation", "--name", "Nieuwe Naam", "--db", db]) == 0
    assert "Organisatie: Nieuwe Naam; logo: ingesteld." in capsys.readouterr().out
