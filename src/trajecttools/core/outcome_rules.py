"""What counts as work, as a step towards it, and as sustainable work, per method.

The ``[outcomes]`` section of a method file. By default only a regular contract without wage
subsidy counts as work ("Traject Work-2-Gether": the aim is "een arbeidsovereenkomst bij een
reguliere werkgever zonder loonkostensubsidie"); the opstapbaan, trial, secondment, wage
subsidy and art. 60§7 are steps, shown separately ("in een opstap", "in art. 60"). Retention
is measured 6, 12 and 18 months after the start of that work, benefit-free: the horizons of the
CBS cohort study of exits from social assistance to work (cited in issue 15; not one of the
texts in docs/sources.md, so the horizons are marked as the organisation's default), so the
figures can be set beside it. A benefit that starts after an art. 60 contract opens rights
("rechten geopend"): counted apart, not as the revolving door.

>>> rules = Outcomes()
>>> rules.work, rules.retention_months, rules.step_label("social_employment")
(('regular',), (6, 12, 18), 'in art. 60')
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from pydantic import BaseModel, ConfigDict, Field, StrictInt

from trajecttools.core.vocab import PLACEMENT_TYPES

#: Shown for a step kind; the art. 60§7 contract has its own words.
STEP = "in een opstap"
ART60 = "in art. 60"
#: The default steps: every placement kind but the regular contract.
DEFAULT_STEPS: Final = {
    "stepping_stone": STEP,
    "trial": STEP,
    "secondment": STEP,
    "wage_subsidy": STEP,
    "social_employment": ART60,
}


class Outcomes(BaseModel):
    """The ``[outcomes]`` section of a method: work, steps, retention horizons, revolving door.

    ``work``: placement kinds that count as work ("aan het werk"). ``steps``: placement kind ->
    the Dutch words shown for someone in it. Every placement kind is in exactly one of the two.
    ``retention_months``: months after the start of work at which "still at work and
    benefit-free" is judged. ``revolving_door_months``: a benefit starting within this many
    months after the start of work is the revolving door. ``rights_after``: step kinds after
    which a benefit opens rights (counted apart). ``source`` says where the definition comes
    from; ``defaults`` names the keys whose values are the organisation's default rather than
    the source's.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    work: tuple[str, ...] = ("regular",)
    steps: dict[str, str] = Field(default_factory=lambda: dict(DEFAULT_STEPS))
    retention_months: tuple[StrictInt, ...] = (6, 12, 18)
    revolving_door_months: StrictInt = Field(default=12, ge=1)
    rights_after: tuple[str, ...] = ("social_employment",)
    source: str = ""
    defaults: tuple[str, ...] = ()

    def step_label(self, kind: str) -> str | None:
        """Return the Dutch words for someone in a step of this kind (None: not a step)."""
        return self.steps.get(kind)

    @property
    def step_labels(self) -> tuple[str, ...]:
        """The distinct Dutch step words, in the order of the file."""
        return tuple(dict.fromkeys(self.steps.values()))


def outcome_problems(rules: Outcomes) -> list[tuple[str, str]]:
    """Return what is wrong with an ``[outcomes]`` section as (key, Dutch message) pairs."""
    problems: list[tuple[str, str]] = []
    known = ", ".join(PLACEMENT_TYPES)
    if not rules.work:
        problems.append(("outcomes.work", "noem minstens één plaatsingstype dat als werk telt"))
    for kind in rules.work:
        if kind not in PLACEMENT_TYPES:
            problems.append(("outcomes.work",
                             f"onbekend plaatsingstype '{kind}'; kies uit {known}"))
    for kind, label in rules.steps.items():
        if kind not in PLACEMENT_TYPES:
            problems.append((f"outcomes.steps.{kind}",
                             f"onbekend plaatsingstype '{kind}'; kies uit {known}"))
        elif kind in rules.work:
            problems.append((f"outcomes.steps.{kind}",
                             "staat ook bij work: een plaatsingstype is werk óf een opstap"))
        if not label.strip():
            problems.append((f"outcomes.steps.{kind}",
                             "de tekst voor het scherm mag niet leeg zijn"))
    missing = [k for k in PLACEMENT_TYPES if k not in rules.work and k not in rules.steps]
    if missing:
        problems.append(("outcomes.steps", "elk plaatsingstype is werk of een opstap; ontbreekt: "
                         + ", ".join(missing)))
    if len(set(rules.work)) != len(rules.work):
        problems.append(("outcomes.work", "een plaatsingstype staat er dubbel in"))
    months = rules.retention_months
    if not months:
        problems.append(("outcomes.retention_months", "noem minstens één termijn in maanden"))
    if any(m < 1 for m in months):
        problems.append(("outcomes.retention_months", "elke termijn moet minstens 1 maand zijn"))
    if list(months) != sorted(set(months)):
        problems.append(("outcomes.retention_months",
                         "termijnen oplopend en zonder dubbele, bijvoorbeeld [6, 12, 18]"))
    for kind in rules.rights_after:
        if kind not in rules.steps:
            problems.append(("outcomes.rights_after",
                             f"'{kind}' is geen opstap van deze methode (zie outcomes.steps)"))
    fields = set(Outcomes.model_fields) - {"source", "defaults"}
    for key in rules.defaults:
        if key not in fields:
            problems.append(("outcomes.defaults",
                             f"'{key}' is geen sleutel van [outcomes]; kies uit "
                             + ", ".join(sorted(fields))))
    return problems


def outcomes_toml(rules: Outcomes) -> list[str]:
    """Return the ``[outcomes]`` section as TOML lines (for storing a resolved method)."""
    def text(value: str) -> str:
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'

    def items(values: tuple[str, ...]) -> str:
        return "[" + ", ".join(text(v) for v in values) + "]"

    lines = [
        "[outcomes]",
        f"work = {items(rules.work)}",
        f"retention_months = [{', '.join(str(m) for m in rules.retention_months)}]",
        f"revolving_door_months = {rules.revolving_door_months}",
        f"rights_after = {items(rules.rights_after)}",
        f"source = {text(rules.source)}",
        f"defaults = {items(rules.defaults)}",
        "",
        "[outcomes.steps]",
        *[f"{kind} = {text(label)}" for kind, label in rules.steps.items()],
        "",
    ]
    return lines


def rules_by_method(methods: Mapping[str, object]) -> dict[str, Outcomes]:
    """Return each method's ``[outcomes]`` rules (a method without them gets the defaults)."""
    out: dict[str, Outcomes] = {}
    for code, method in methods.items():
        rules = getattr(method, "outcomes", None)
        out[code] = rules if isinstance(rules, Outcomes) else Outcomes()
    return out


__all__ = ["ART60", "DEFAULT_STEPS", "STEP", "Outcomes", "outcome_problems", "outcomes_toml",
           "rules_by_method"]
