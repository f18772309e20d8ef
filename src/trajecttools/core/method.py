"""Methods as data: phases, allowed transitions and deadline rules, read from TOML files.

The package ships ``opstapbaan`` (“Traject Work-2-Gether”) and ``art60``
(“Trajectbegeleiding in vijf fasen”, OCMW; sources in docs/sources.md). An organisation loads its
own file with :func:`load_method`; ``extends = "opstapbaan"`` at the top inherits everything not
overridden. A broken file raises :class:`MethodError` naming the key in Dutch.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Iterable, Mapping
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, ValidationError, field_validator

from trajecttools.core.errors import MethodError
from trajecttools.core.outcome_rules import Outcomes, outcome_problems, outcomes_toml
from trajecttools.core.vocab import PLACEMENT_TYPES, SEVERITIES, STAGES

#: Every rule the signals engine knows, with the numbers it needs from the method file.
RULE_PARAMETERS: Mapping[str, tuple[str, ...]] = {
    "coach_assignment": ("hours",),
    "plan_signatures": ("days",),
    "intake_after_signing": ("days",),
    "stepping_stone_at_social_work_company": ("months",),
    "stepping_stone_max": ("months", "warn_days"),
    "social_employment_max": ("months", "warn_days"),
    "regular_contract_min": ("months",),
    "secondment_max": ("months",),
    "wage_subsidy_max": ("months",),
    "contact_gap": ("weeks",),
    "weekly_review": ("days", "grace_days"),
    "aftercare_contact": ("days",),
    "aftercare_duration": ("months",),
    "end_report": ("days",),
    "agreements_overdue": ("grace_days",),
    "agreements_not_kept": ("count", "window_days"),
    "coach_changes": ("max",),
    "hand_offs": ("max",),
    "referral_follow_up": ("days",),
    "revolving_door": ("months",),
    "severe_barriers_at_mapping": (),
    "job_search_contact": ("days",),
    "job_search_agreements": ("days",),
    "placement_missing": ("days",),
}

#: Rules that follow up regular work (aftercare); a method switches them off with
#: ``[settings] follow_up_after_work = false``.
FOLLOW_UP_RULES: tuple[str, ...] = ("aftercare_contact", "aftercare_duration", "end_report")
#: Rules that only make sense within named phases: ``phases = [...]`` is required for them.
PHASE_RULES: tuple[str, ...] = (
    "severe_barriers_at_mapping", "job_search_contact", "job_search_agreements",
)

Severity = Literal["high", "medium", "low"]
_NUMBERS = ("hours", "days", "weeks", "months", "warn_days", "grace_days", "count", "window_days")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Phase(_Strict):
    """One phase of a method, mapped onto a common stage."""

    code: str = Field(min_length=1, max_length=40, pattern=r"^[a-z][a-z0-9_]*$")
    label: str = Field(min_length=1)
    stage: Literal[
        "registration", "intake", "preparation", "employment", "job_search", "aftercare", "closed"
    ]
    #: A choice recorded with a reason on entering the phase: code -> Dutch label.
    choices: dict[str, str] | None = None


class Rule(_Strict):
    """A deadline rule: its Dutch label, severity, numbers and where they come from.

    ``source`` names the method text (title and a short quote or section) the rule comes from;
    ``default = true`` marks its number(s) as the organisation's own choice. Every rule has at
    least one of them. ``phases`` (when given) limits the rule to those phases of the method.
    """

    label: str = Field(min_length=1)
    severity: Severity
    enabled: bool = True
    source: str | None = Field(default=None, min_length=1)
    default: bool = False
    phases: tuple[str, ...] | None = None
    hours: StrictInt | None = Field(default=None, ge=0)
    days: StrictInt | None = Field(default=None, ge=0)
    weeks: StrictInt | None = Field(default=None, ge=0)
    months: StrictInt | None = Field(default=None, ge=0)
    warn_days: StrictInt | None = Field(default=None, ge=0)
    grace_days: StrictInt | None = Field(default=None, ge=0)
    count: StrictInt | None = Field(default=None, ge=1)
    window_days: StrictInt | None = Field(default=None, ge=1)
    max: StrictInt | None = Field(default=None, ge=0)

    def number(self, name: str) -> int:
        """Return a number of this rule (validated to be present on load)."""
        value = getattr(self, name)
        assert value is not None, name
        return int(value)


class PlacementLimit(_Strict):
    """Duration limits of a placement type within a method, and what it promises or starts.

    ``promise_min_months``: a placement of this type is only made with the employer's promise
    of a contract of at least that many months afterwards (without trial period), recorded on
    the placement. ``starts_aftercare``: aftercare starts only while a placement of this type
    runs (the phase change into the aftercare stage checks it).
    """

    min_months: StrictInt | None = Field(default=None, ge=0)
    max_months: StrictInt | None = Field(default=None, ge=0)
    promise_min_months: StrictInt | None = Field(default=None, ge=1)
    starts_aftercare: bool = False


class Settings(_Strict):
    """Switches of a method that are not deadlines."""

    #: Whether regular work is followed up (aftercare contact, duration, end report).
    follow_up_after_work: bool = True
    #: Phases (besides those of stage "aftercare") where a running regular contract is
    #: followed up when ``follow_up_after_work`` is on.
    follow_up_phases: tuple[str, ...] = ()


class Words(_Strict):
    """The words a method uses for its roles, its clients, their benefit and identifier."""

    coach: str = Field(default="jobcoach", min_length=1)
    coaches: str = Field(default="jobcoaches", min_length=1)
    #: The first conversation of the trajectory.
    intake: str = Field(default="intake", min_length=1)
    coach_change: str = Field(default="jobcoachwissel", min_length=1)
    coach_changes: str = Field(default="jobcoachwissels", min_length=1)
    client: str = Field(default="klant", min_length=1)
    clients: str = Field(default="klanten", min_length=1)
    case_manager: str = Field(default="casemanager", min_length=1)
    benefit: str = Field(default="uitkering", min_length=1)
    #: How a signal says a client is back on benefit.
    back_on_benefit: str = Field(default="terug in de uitkering", min_length=1)
    identifier: str = Field(default="BSN", min_length=1)


class MethodInfo(_Strict):
    code: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str = Field(min_length=1)
    description: str = ""
    initial_phase: str


class Method(_Strict):
    """A validated method: phases, transitions, placement limits and rules."""

    method: MethodInfo
    phases: tuple[Phase, ...] = Field(min_length=2)
    transitions: dict[str, tuple[str, ...]]
    placement_types: dict[str, PlacementLimit] = Field(default_factory=dict)
    rules: dict[str, Rule] = Field(default_factory=dict)
    settings: Settings = Field(default_factory=Settings)
    words: Words = Field(default_factory=Words)
    #: What counts as work, as a step, and as sustainable work (``[outcomes]``).
    outcomes: Outcomes = Field(default_factory=Outcomes)

    @field_validator("placement_types")
    @classmethod
    def _known_placement_types(cls, value: dict[str, PlacementLimit]) -> dict[str, PlacementLimit]:
        for key in value:
            if key not in PLACEMENT_TYPES:
                raise ValueError(
                    f"onbekend plaatsingstype '{key}'; kies uit {', '.join(PLACEMENT_TYPES)}"
                )
        return value

    @property
    def code(self) -> str:
        return self.method.code

    @property
    def name(self) -> str:
        return self.method.name

    @property
    def phase_codes(self) -> tuple[str, ...]:
        return tuple(p.code for p in self.phases)

    def phase(self, code: str) -> Phase:
        """Return the phase with this code."""
        for p in self.phases:
            if p.code == code:
                return p
        raise KeyError(code)

    def phase_label(self, code: str) -> str:
        """Return the Dutch label of a phase code (the code itself when unknown)."""
        try:
            return self.phase(code).label
        except KeyError:
            return code

    def phases_in_stage(self, stage: str) -> tuple[str, ...]:
        """Return the phase codes mapped onto a common stage."""
        return tuple(p.code for p in self.phases if p.stage == stage)

    @property
    def closed_phase(self) -> str:
        return self.phases_in_stage("closed")[0]

    def allowed_next(self, phase: str) -> tuple[str, ...]:
        """Return the phases a trajectory in ``phase`` may move to."""
        return self.transitions.get(phase, ())

    def can_move(self, from_phase: str, to_phase: str) -> bool:
        """Tell whether the method allows moving from one phase to another."""
        return to_phase in self.allowed_next(from_phase)

    def aftercare_placement_types(self) -> tuple[str, ...]:
        """Return the placement types that start aftercare (empty: the method does not check)."""
        return tuple(k for k, v in self.placement_types.items() if v.starts_aftercare)

    def rule(self, name: str) -> Rule | None:
        """Return an enabled rule, or None when the method does not use it.

        The follow-up rules (:data:`FOLLOW_UP_RULES`) are off when the method does not follow
        up regular work (``[settings] follow_up_after_work = false``).
        """
        rule = self.rules.get(name)
        if rule is None or not rule.enabled:
            return None
        if name in FOLLOW_UP_RULES and not self.settings.follow_up_after_work:
            return None
        return rule


#: Words for a screen that shows trajectories of methods with different words.
NEUTRAL_WORDS: Mapping[str, str] = {
    "coach": "begeleider", "coaches": "begeleiders", "client": "deelnemer", "clients": "deelnemers",
    "case_manager": "verwijzer", "benefit": "uitkering", "identifier": "identificatienummer",
}


def shared_word(methods: Iterable[Method], name: str) -> str:
    """The word (``coach``, ``client``...) the methods share, else a neutral word.

    >>> ms = builtin_methods()
    >>> shared_word([ms["art60"]], "coach"), shared_word(ms.values(), "coach")
    ('trajectbegeleider', 'begeleider')
    """
    words = {str(getattr(m.words, name)) for m in methods}
    if len(words) == 1:
        return words.pop()
    return NEUTRAL_WORDS.get(name, str(getattr(Words(), name)))


def _check_consistency(m: Method) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    codes = m.phase_codes
    seen: set[str] = set()
    for i, code in enumerate(codes):
        if code in seen:
            problems.append((f"phases[{i}].code", f"fase '{code}' komt twee keer voor"))
        seen.add(code)
    if m.method.initial_phase not in seen:
        problems.append(
            ("method.initial_phase", f"'{m.method.initial_phase}' is geen fase van deze methode")
        )
    closed = [p.code for p in m.phases if p.stage == "closed"]
    if len(closed) != 1:
        problems.append(("phases", 'precies één fase moet stage = "closed" hebben'))
    for src, targets in m.transitions.items():
        if src not in seen:
            problems.append((f"transitions.{src}", f"'{src}' is geen fase van deze methode"))
        for t in targets:
            if t not in seen:
                problems.append((f"transitions.{src}", f"doel '{t}' is geen fase van deze methode"))
    for code in codes:
        if code not in m.transitions:
            problems.append((f"transitions.{code}", "ontbreekt (gebruik [] voor een eindfase)"))
    for code in closed:
        if m.transitions.get(code):
            problems.append(
                (f"transitions.{code}", "de afgesloten fase mag geen overgangen hebben")
            )
    # every phase reachable from the initial phase
    if not problems:
        reach, todo = {m.method.initial_phase}, [m.method.initial_phase]
        while todo:
            for nxt in m.transitions.get(todo.pop(), ()):
                if nxt not in reach:
                    reach.add(nxt)
                    todo.append(nxt)
        for code in codes:
            if code not in reach:
                problems.append((f"transitions.{code}", "fase is onbereikbaar vanaf de beginfase"))
    for name, rule in m.rules.items():
        if name not in RULE_PARAMETERS:
            problems.append(
                (f"rules.{name}", f"onbekende regel; bekend zijn: {', '.join(RULE_PARAMETERS)}")
            )
            continue
        for param in RULE_PARAMETERS[name]:
            if getattr(rule, param) is None:
                problems.append((f"rules.{name}.{param}", "ontbreekt (een getal is verplicht)"))
        if rule.source is None and not rule.default:
            problems.append((
                f"rules.{name}",
                f"regel '{name}' mist de herkomst: geef source = \"<titel van de methodetekst"
                " + citaat>\" of default = true (standaard van de organisatie)",
            ))
        if name in PHASE_RULES and not rule.phases:
            problems.append((f"rules.{name}.phases", "ontbreekt (noem de fasen van deze regel)"))
        for ph in rule.phases or ():
            if ph not in seen:
                problems.append((f"rules.{name}.phases", f"'{ph}' is geen fase van deze methode"))
    for ph in m.settings.follow_up_phases:
        if ph not in seen:
            problems.append(("settings.follow_up_phases", f"'{ph}' is geen fase van deze methode"))
    problems += outcome_problems(m.outcomes)
    return problems


_PYDANTIC_DUTCH = {
    "missing": "ontbreekt",
    "extra_forbidden": "is geen bekende sleutel",
    "int_type": "moet een geheel getal zijn",
    "int_parsing": "moet een geheel getal zijn",
    "string_type": "moet tekst zijn",
    "bool_type": "moet true of false zijn",
    "greater_than_equal": "moet minstens {ge} zijn",
    "literal_error": "moet een van {expected} zijn",
    "string_pattern_mismatch": "mag alleen kleine letters, cijfers en _ bevatten",
    "string_too_short": "mag niet leeg zijn",
    "too_short": "heeft te weinig elementen",
    "list_type": "moet een lijst zijn",
    "tuple_type": "moet een lijst zijn",
    "dict_type": "moet een tabel zijn",
    "model_type": "moet een tabel zijn",
}


def _dutch_pydantic(err: Mapping[str, Any]) -> str:
    template = _PYDANTIC_DUTCH.get(str(err["type"]))
    if template is None:
        msg = str(err.get("msg", ""))
        return msg.removeprefix("Value error, ")
    ctx = {k: v for k, v in (err.get("ctx") or {}).items()}
    try:
        return template.format(**ctx)
    except (KeyError, IndexError):
        return template


def _loc(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def _deep_merge(base: dict[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = _deep_merge(dict(merged[key]), value)
        else:
            merged[key] = value
    return merged


def parse_method(
    data: Mapping[str, Any], source: str = "<methode>", *, stored: bool = False
) -> Method:
    """Validate a method given as a dict (parsed TOML) and return it.

    ``stored``: a method installed in a register before rules named their origin; its rules
    without ``source`` or ``default`` count as defaults of the organisation.
    """
    data = dict(data)
    if stored:
        data["rules"] = {
            name: ({**rule, "default": True}
                   if isinstance(rule, Mapping) and "source" not in rule and "default" not in rule
                   else rule)
            for name, rule in (data.get("rules") or {}).items()
        }
    parent = data.pop("extends", None)
    if parent is not None:
        if not isinstance(parent, str) or parent not in builtin_method_codes():
            raise MethodError(
                source,
                "extends",
                f"'{parent}' is geen ingebouwde methode ({', '.join(builtin_method_codes())})",
            )
        # a number the organisation overrides is its own choice, not the parent's source
        for name, rule in (data.get("rules") or {}).items():
            if (isinstance(rule, Mapping) and "source" not in rule and "default" not in rule
                    and any(k in rule for k in (*_NUMBERS, "max"))):
                data["rules"] = {**data["rules"], name: {**rule, "default": True}}
        data = _deep_merge(_builtin_data(parent), data)
    for name, rule in (data.get("rules") or {}).items():
        if isinstance(rule, Mapping):
            for key in _NUMBERS:
                if isinstance(rule.get(key), bool):
                    raise MethodError(source, f"rules.{name}.{key}", "moet een geheel getal zijn")
    try:
        method = Method.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        found = first.get("input")
        suffix = (
            "" if isinstance(found, dict | list) or found is None else f" (gevonden: {found!r})"
        )
        raise MethodError(
            source, _loc(tuple(first["loc"])), _dutch_pydantic(first) + suffix
        ) from None
    problems = _check_consistency(method)
    if problems:
        key, message = problems[0]
        raise MethodError(source, key, message)
    return method


def _builtin_data(code: str) -> dict[str, Any]:
    text = resources.files("trajecttools.core.methods").joinpath(f"{code}.toml").read_text("utf-8")
    return tomllib.loads(text)


@cache
def builtin_method_codes() -> tuple[str, ...]:
    """Return the codes of the methods shipped with the package."""
    files = resources.files("trajecttools.core.methods").iterdir()
    return tuple(sorted(f.name.removesuffix(".toml") for f in files if f.name.endswith(".toml")))


def load_method(source: str | Path) -> Method:
    """Load a method by built-in code (``"opstapbaan"``) or from a TOML file path."""
    if isinstance(source, str) and source in builtin_method_codes():
        return _builtin(source)
    path = Path(source)
    name = path.name
    try:
        text = path.read_text("utf-8")
    except FileNotFoundError:
        raise MethodError(name, "-", f"bestand niet gevonden: {path}") from None
    except UnicodeDecodeError:
        raise MethodError(name, "-", "het bestand is geen UTF-8-tekst") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise MethodError(name, "-", f"geen geldige TOML: {exc}") from None
    return parse_method(data, source=name)


@cache
def _builtin(code: str) -> Method:
    return parse_method(_builtin_data(code), source=f"{code}.toml")


def builtin_methods() -> dict[str, Method]:
    """Return every method shipped with the package, by code."""
    return {code: _builtin(code) for code in builtin_method_codes()}


def method_to_toml(m: Method) -> str:
    """Serialise a resolved method back to TOML text (for storing inherited methods)."""
    lines = [
        "[method]",
        f"code = {json.dumps(m.method.code)}",
        f"name = {json.dumps(m.method.name, ensure_ascii=False)}",
        f"description = {json.dumps(m.method.description, ensure_ascii=False)}",
        f"initial_phase = {json.dumps(m.method.initial_phase)}",
        "",
    ]
    for p in m.phases:
        lines += [
            "[[phases]]",
            f"code = {json.dumps(p.code)}",
            f"label = {json.dumps(p.label, ensure_ascii=False)}",
            f"stage = {json.dumps(p.stage)}",
        ]
        if p.choices:
            pairs = ", ".join(f"{k} = {json.dumps(v, ensure_ascii=False)}"
                              for k, v in p.choices.items())
            lines.append(f"choices = {{ {pairs} }}")
        lines.append("")
    lines.append("[transitions]")
    lines += [f"{k} = {json.dumps(list(v))}" for k, v in m.transitions.items()]
    lines.append("")
    for name, limit in m.placement_types.items():
        lines.append(f"[placement_types.{name}]")
        lines += [f"{k} = {str(v).lower() if isinstance(v, bool) else v}"
                  for k, v in limit.model_dump().items() if v is not None]
        lines.append("")
    for table, model in (("settings", m.settings), ("words", m.words)):
        lines.append(f"[{table}]")
        lines += [f"{k} = {_toml_value(v)}" for k, v in model.model_dump().items()]
        lines.append("")
    for name, rule in m.rules.items():
        lines.append(f"[rules.{name}]")
        for k, v in rule.model_dump().items():
            if v is None or (k == "default" and not v):
                continue
            lines.append(f"{k} = {_toml_value(v)}")
        lines.append("")
    lines += outcomes_toml(m.outcomes)
    return "\n".join(lines)


def _toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return str(v).lower()
    if isinstance(v, tuple):
        v = list(v)
    return json.dumps(v, ensure_ascii=False)


def rule_numbers(rule: Rule) -> dict[str, int]:
    """Return the numbers a rule has (hours, days, months, ...), by name."""
    return {k: int(getattr(rule, k)) for k in (*_NUMBERS, "max") if getattr(rule, k) is not None}


def explain(m: Method) -> str:
    """Return every rule of a method in Dutch: label, number(s) and source or default."""
    lines = [f"{m.name} ({m.code})", ""]
    follow = "aan" if m.settings.follow_up_after_work else "uit (facultatief)"
    lines.append(f"Opvolging van regulier werk (follow_up_after_work): {follow}")
    w = m.words
    lines.append(f"Woorden: {w.coach}, {w.client}, {w.case_manager}, {w.benefit}, {w.identifier}")
    lines.append("")
    for name, rule in m.rules.items():
        nums = ", ".join(f"{k} = {v}" for k, v in rule_numbers(rule).items()) or "geen getal"
        state = "" if m.rule(name) is not None else " [uit]"
        severity = SEVERITIES[rule.severity].lower()
        lines.append(f"- {name}{state}: {rule.label} ({nums}; ernst {severity})")
        if rule.phases:
            lines.append("    fasen: " + ", ".join(m.phase_label(p) for p in rule.phases))
        if rule.source:
            lines.append(f"    bron: {rule.source}")
        if rule.default:
            lines.append("    getal: standaard van de organisatie")
    return "\n".join(lines)



__all__ = [
    "FOLLOW_UP_RULES",
    "NEUTRAL_WORDS",
    "PHASE_RULES",
    "RULE_PARAMETERS",
    "STAGES",
    "Method",
    "Phase",
    "PlacementLimit",
    "Rule",
    "Settings",
    "Words",
    "builtin_method_codes",
    "builtin_methods",
    "explain",
    "load_method",
    "method_to_toml",
    "parse_method",
    "rule_numbers",
    "shared_word",
]
