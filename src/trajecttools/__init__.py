"""trajecttools: the case register, method signals and meeting dashboards for guiding people
with a small chance on the labour market to work.

>>> import trajecttools as tt
>>> tt.load_method("opstapbaan").rule("intake_after_signing").days
14
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from trajecttools.errors import (
    IllegalTransitionError,
    InvalidRecord,
    MethodError,
    StaleEditError,
    TrajecttoolsError,
)
from trajecttools.method import Method, load_method
from trajecttools.store import Store, open

__version__ = "0.1.0"

#: Names served lazily from their modules (keeps `import trajecttools` light for dashboards).
_LAZY = {
    "signals": ("trajecttools.signals", "signals"),
    "caseload": ("trajecttools.signals", "caseload"),
    "demo": ("trajecttools.demo", None),
    "outcomes": ("trajecttools.outcomes", None),
    "matching": ("trajecttools.matching", None),
    "decisions": ("trajecttools.matching.decisions", None),
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        module, attr = _LAZY[name]
        mod = import_module(module)
        return mod if attr is None else getattr(mod, attr)
    raise AttributeError(f"module 'trajecttools' has no attribute {name!r}")


__all__ = [
    "IllegalTransitionError",
    "InvalidRecord",
    "Method",
    "MethodError",
    "StaleEditError",
    "Store",
    "TrajecttoolsError",
    "caseload",
    "decisions",
    "demo",
    "load_method",
    "matching",
    "open",
    "outcomes",
    "signals",
]
