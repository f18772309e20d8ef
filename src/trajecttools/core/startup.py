"""Third-party start-up work that trajecttools leaves out: every kernel pays for it otherwise.

jsonschema (imported by Altair and nbformat) imports the optional ``rfc3987_syntax`` when it is
installed, and that module compiles some 35 Earley parsers at import: 1.7 s of every dashboard
kernel's start on this project's 2-core machine, out of about 7 s (see the jsonschema issue "Lazy
import `rfc3987_syntax`"). It serves only the ``iri`` and ``iri-reference`` formats, which no
schema of Altair, Vega-Lite or the notebook format uses; jsonschema treats a format it has no
checker for as valid. :func:`lean_jsonschema` imports jsonschema without it, once, before
anything else does; ``rfc3987_syntax`` stays importable for whoever asks for it by name.
"""

from __future__ import annotations

import importlib
import sys

#: The optional module jsonschema's format checkers import eagerly (slow).
SLOW_OPTIONAL = "rfc3987_syntax"


def lean_jsonschema() -> None:
    """Import jsonschema without its IRI format checkers (no-op when it is already imported)."""
    if "jsonschema" in sys.modules:
        return
    blocked = SLOW_OPTIONAL not in sys.modules
    if blocked:
        sys.modules[SLOW_OPTIONAL] = None  # type: ignore[assignment]  # "not installed"
    try:
        importlib.import_module("jsonschema")
    finally:
        if blocked and sys.modules.get(SLOW_OPTIONAL, SLOW_OPTIONAL) is None:
            del sys.modules[SLOW_OPTIONAL]


__all__ = ["SLOW_OPTIONAL", "lean_jsonschema"]
