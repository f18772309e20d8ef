"""jsonschema is imported without its slow IRI checkers, and Altair still validates charts."""

from __future__ import annotations

import subprocess
import sys
import textwrap


def _run(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_a_dashboard_kernel_skips_the_iri_parsers_and_altair_still_validates() -> None:
    out = _run("""
        import sys
        import trajecttools.widgets.overview_charts  # Altair, jsonschema
        import altair as alt
        import jsonschema
        import pandas as pd
        print("rfc3987_syntax" in sys.modules)
        print("iri" in jsonschema.Draft7Validator.FORMAT_CHECKER.checkers)
        try:
            alt.Chart(pd.DataFrame({"a": [1]})).mark_bar(opacity="veel").encode(x="a:Q").to_dict()
        except Exception as exc:
            print(type(exc).__name__)
        import rfc3987_syntax  # still there for whoever asks for it by name
        print(rfc3987_syntax.is_valid_syntax("iri", "https://example.org/ä"))
    """)
    assert out.splitlines() == ["False", "False", "SchemaValidationError", "True"]


def test_nothing_changes_when_jsonschema_came_first() -> None:
    out = _run("""
        import sys
        import jsonschema
        import trajecttools
        print("rfc3987_syntax" in sys.modules)
        print("iri" in jsonschema.Draft7Validator.FORMAT_CHECKER.checkers)
    """)
    assert out.splitlines() == ["True", "True"]
