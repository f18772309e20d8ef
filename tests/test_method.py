"""Methods as data: the shipped methods load, broken files name the key in Dutch."""

from __future__ import annotations

from pathlib import Path

import pytest

from trajecttools.core.errors import MethodError
from trajecttools.core.method import RULE_PARAMETERS, builtin_methods, load_method, parse_method


def test_shipped_methods_have_their_phases_and_numbers() -> None:
    methods = builtin_methods()
    assert set(methods) == {"opstapbaan", "art60"}
    op = methods["opstapbaan"]
    assert op.phase_codes == (
        "registration",
        "intake",
        "stepping_stone",
        "placement",
        "aftercare",
        "closed",
    )
    assert op.rule("coach_assignment").hours == 48  # type: ignore[union-attr]
    assert op.rule("intake_after_signing").days == 14  # type: ignore[union-attr]
    assert op.rule("stepping_stone_at_social_work_company").months == 3  # type: ignore[union-attr]
    assert op.rule("stepping_stone_max").months == 6  # type: ignore[union-attr]
    assert op.rule("secondment_max").months == 3  # type: ignore[union-attr]
    assert op.rule("wage_subsidy_max").months == 6  # type: ignore[union-attr]
    assert op.rule("aftercare_contact").days == 14  # type: ignore[union-attr]
    assert op.rule("aftercare_duration").months == 3  # type: ignore[union-attr]
    assert op.placement_types["regular"].min_months == 6
    assert op.can_move("placement", "aftercare") and not op.can_move("intake", "aftercare")
    art = methods["art60"]
    assert art.method.initial_phase == "exploration"
    assert art.rule("stepping_stone_max") is None
    assert art.placement_types["social_employment"].max_months == 24
    for m in methods.values():
        assert set(m.rules) <= set(RULE_PARAMETERS)
        assert m.closed_phase == "closed" and m.allowed_next("closed") == ()


def _broken(tmp_path: Path, text: str) -> MethodError:
    path = tmp_path / "mijn_methode.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(MethodError) as err:
        load_method(path)
    assert "mijn_methode.toml" in str(err.value)
    return err.value


@pytest.mark.parametrize(
    ("override", "key", "message"),
    [
        (
            '[rules.intake_after_signing]\ndays = "twee"\n',
            "rules.intake_after_signing.days",
            "moet een geheel getal zijn",
        ),
        (
            "[rules.intake_after_signing]\ndays = true\n",
            "rules.intake_after_signing.days",
            "moet een geheel getal zijn",
        ),
        (
            "[rules.intake_after_signing]\ndays = -3\n",
            "rules.intake_after_signing.days",
            "moet minstens 0 zijn",
        ),
        ('[rules.koffie]\nlabel = "x"\nseverity = "low"\n', "rules.koffie", "onbekende regel"),
        (
            '[rules.contact_gap]\nseverity = "urgent"\n',
            "rules.contact_gap.severity",
            "moet een van",
        ),
        (
            '[transitions]\nintake = ["nazorg"]\n',
            "transitions.intake",
            "doel 'nazorg' is geen fase",
        ),
        (
            "[placement_types.stage]\nmax_months = 2\n",
            "placement_types",
            "onbekend plaatsingstype 'stage'",
        ),
        ('[method]\ninitial_phase = "start"\n', "method.initial_phase", "'start' is geen fase"),
        ("[rules.contact_gap]\nweken = 4\n", "rules.contact_gap.weken", "is geen bekende sleutel"),
    ],
)
def test_broken_method_names_the_key(tmp_path: Path, override: str, key: str, message: str) -> None:
    err = _broken(tmp_path, 'extends = "opstapbaan"\n' + override)
    assert err.key == key
    assert message in err.message


def test_missing_number_and_unreachable_phase(tmp_path: Path) -> None:
    base = """
[method]
code = "mini"
name = "Mini"
initial_phase = "a"
[[phases]]
code = "a"
label = "A"
stage = "intake"
[[phases]]
code = "b"
label = "B"
stage = "employment"
[[phases]]
code = "z"
label = "Z"
stage = "closed"
[transitions]
a = ["z"]
b = ["z"]
z = []
"""
    err = _broken(tmp_path, base)
    assert (err.key, err.message) == ("transitions.b", "fase is onbereikbaar vanaf de beginfase")
    fixed = base.replace('a = ["z"]', 'a = ["b", "z"]')
    err = _broken(tmp_path, fixed + '[rules.contact_gap]\nlabel = "x"\nseverity = "low"\n')
    assert err.key == "rules.contact_gap.weeks" and "ontbreekt" in err.message
    path = tmp_path / "ok.toml"
    path.write_text(fixed, encoding="utf-8")
    assert load_method(path).phase_codes == ("a", "b", "z")


def test_not_toml_and_not_found(tmp_path: Path) -> None:
    err = _broken(tmp_path, "[method\ncode = 1")
    assert "geen geldige TOML" in err.message
    with pytest.raises(MethodError, match="bestand niet gevonden"):
        load_method(tmp_path / "bestaat_niet.toml")


def test_extends_overrides_only_what_is_given() -> None:
    m = parse_method({"extends": "opstapbaan", "rules": {"contact_gap": {"weeks": 6}}})
    assert m.rule("contact_gap").weeks == 6  # type: ignore[union-attr]
    assert m.rule("contact_gap").severity == "medium"  # type: ignore[union-attr]
    assert m.rule("intake_after_signing").days == 14  # type: ignore[union-attr]
    with pytest.raises(MethodError, match="'nergens' is geen ingebouwde methode"):
        parse_method({"extends": "nergens"})
