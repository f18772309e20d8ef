"""Method signals: trajectories that break a deadline rule of their method, as of a date.

:mod:`~trajecttools.reads.signals.inputs` reads what the rules need,
:mod:`~trajecttools.reads.signals.rules`
holds the rules (on the arrays of :mod:`~trajecttools.reads.signals.context`), and
:mod:`~trajecttools.reads.signals.engine` joins them: :func:`compute`, :func:`signals`,
:func:`case_states`.
"""

from trajecttools.reads.signals.engine import (
    COLUMNS,
    SEVERITY_ORDER,
    case_states,
    compute,
    signals,
)
from trajecttools.reads.signals.inputs import SignalInputs, load_inputs, read_inputs
from trajecttools.reads.signals.rules import RULES

__all__ = [
    "COLUMNS",
    "RULES",
    "SEVERITY_ORDER",
    "SignalInputs",
    "case_states",
    "compute",
    "load_inputs",
    "read_inputs",
    "signals",
]
