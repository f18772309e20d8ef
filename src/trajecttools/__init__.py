"""trajecttools: the case register, method signals and meeting dashboards for guiding people
with a small chance on the labour market to work.

>>> import trajecttools as tt
>>> tt.load_method("opstapbaan").rule("intake_after_signing").days
14

The layers, from the bottom: :mod:`trajecttools.core`, :mod:`trajecttools.register`,
:mod:`trajecttools.reads`, :mod:`trajecttools.outputs`, and on top the widgets, apps and the
command line (see ``docs/architecture.md``).
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from trajecttools.core.errors import (
    IllegalTransitionError,
    InvalidRecord,
    MethodError,
    StaleEditError,
    TrajecttoolsError,
)
from trajecttools.core.method import Method, load_method
from trajecttools.core.version import __version__
from trajecttools.register.store import Store
from trajecttools.workspace import Workspace, open

#: Names served lazily from their modules (keeps `import trajecttools` light for dashboards):
#: name -> (module, attribute or None for the module itself).
_LAZY = {
    "signals": ("trajecttools.reads.signals", "signals"),
    "caseload": ("trajecttools.reads.caseload", "caseload"),
    "demo": ("trajecttools.outputs.demo", None),
    "outcomes": ("trajecttools.reads.outcomes", None),
    "matching": ("trajecttools.reads.matching", None),
    "decisions": ("trajecttools.reads.matching.decisions", None),
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
    "Workspace",
    "__version__",
    "caseload",
    "decisions",
    "demo",
    "load_method",
    "matching",
    "open",
    "outcomes",
    "signals",
]
