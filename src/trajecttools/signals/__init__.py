"""Method signals: trajectories that break a deadline rule of their method, as of a date.

:mod:`~trajecttools.signals.inputs` reads what the rules need, :mod:`~trajecttools.signals.rules`
holds the rules (on the arrays of :mod:`~trajecttools.signals.context`), and
:mod:`~trajecttools.signals.engine` joins them: :func:`compute`, :func:`signals`,
:func:`case_states`.
"""

from trajecttools.signals.arrays import add_months
from trajecttools.signals.engine import (
    COLUMNS,
    SEVERITY_ORDER,
    case_states,
    compute,
    signals,
)
from trajecttools.signals.inputs import SignalInputs, load_inputs, read_inputs
from trajecttools.signals.rules import RULES

__all__ = [
    "COLUMNS",
    "RULES",
    "SEVERITY_ORDER",
    "SignalInputs",
    "add_months",
    "case_states",
    "compute",
    "load_inputs",
    "read_inputs",
    "signals",
]
