"""Start-up: jsonschema without its slow IRI checkers (Altair still validates charts), and one
preheating kernel at a time when the kernels share a lock file."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from trajecttools.core import startup
from trajecttools.core.startup import ENV_PREHEAT_LOCK


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


# -- one preheating kernel at a time ------------------------------------------------------------
_KERNEL = """
import sys, time
import trajecttools  # a preheating kernel waits here for its turn
from trajecttools.core import startup
print(f"took {time.time():.3f}", flush=True)
time.sleep(float(sys.argv[1]))  # preheating: imports, reading the register, the rehearsal
print(f"left {time.time():.3f}", flush=True)
startup.end_preheat_turn()  # what wait_for_request does
time.sleep(float(sys.argv[2]))  # alive after its turn, as a kernel waiting for a visitor
"""


def _kernel(lock: Path, hold: float, linger: float) -> subprocess.Popen[str]:
    env = {**os.environ, "VOILA_PREHEAT": "True", ENV_PREHEAT_LOCK: str(lock)}
    return subprocess.Popen([sys.executable, "-c", _KERNEL, str(hold), str(linger)], env=env,
                            stdout=subprocess.PIPE, text=True)


def _stamp(proc: subprocess.Popen[str], word: str) -> float:
    assert proc.stdout is not None
    line = proc.stdout.readline().split()
    assert line and line[0] == word, line
    return float(line[1])


def test_preheating_kernels_take_turns_and_a_dead_one_gives_its_turn_up(tmp_path: Path) -> None:
    lock = tmp_path / "preheat.lock"
    first = _kernel(lock, hold=2.0, linger=30.0)
    second = third = None
    try:
        took_first = _stamp(first, "took")
        second = _kernel(lock, hold=0.0, linger=30.0)  # starts while the first preheats
        left_first = _stamp(first, "left")
        took_second = _stamp(second, "took")
        assert took_second >= left_first > took_first
        third = _kernel(lock, hold=60.0, linger=0.0)  # holds the turn, then dies holding it
        took_third = _stamp(third, "took")
        third.kill()
        third.wait(timeout=30)
        fourth = _kernel(lock, hold=0.0, linger=0.0)
        assert _stamp(fourth, "took") > took_third
        assert fourth.wait(timeout=60) == 0
    finally:
        for proc in (first, second, third):
            if proc is not None:
                proc.kill()
                proc.wait(timeout=30)


def test_a_kernel_waits_for_its_turn_only_so_long(tmp_path: Path) -> None:
    lock = tmp_path / "preheat.lock"
    holder = _kernel(lock, hold=60.0, linger=0.0)
    try:
        _stamp(holder, "took")
        environ = {"VOILA_PREHEAT": "True", ENV_PREHEAT_LOCK: str(lock)}
        start = time.monotonic()
        assert startup.preheat_turn(environ, wait=0.6) is False  # goes ahead without the turn
        assert 0.6 <= time.monotonic() - start < 10
    finally:
        holder.kill()
        holder.wait(timeout=30)
    assert startup.preheat_turn(environ, wait=5.0) is True  # free again
    startup.end_preheat_turn()


def test_no_turn_outside_a_preheating_kernel(tmp_path: Path) -> None:
    lock = tmp_path / "preheat.lock"
    assert startup.preheat_turn({ENV_PREHEAT_LOCK: str(lock)}) is False  # a visitor's kernel
    assert startup.preheat_turn({"VOILA_PREHEAT": "True"}) is False  # no lock file set
    assert not lock.exists()


# -- a replacement yields to the visitors ----------------------------------------------------------
def test_a_replacement_waits_for_a_core_to_spare_only_so_long(tmp_path: Path) -> None:
    refill = {"VOILA_PREHEAT": "True", startup.ENV_REFILL: "1"}
    busy = [subprocess.Popen([sys.executable, "-c", "while True: pass"])
            for _ in range((os.cpu_count() or 2) + 1)]
    try:
        time.sleep(0.5)
        share = startup.idle_share()
        assert share is not None and share < startup.QUIET_IDLE
        assert startup.wait_for_quiet(refill, wait=1.0) >= 1.0  # no core to spare: it gave up
        # with the hub's preheat turn in hand it does not wait: others queue behind the turn
        assert startup.preheat_turn({**refill, ENV_PREHEAT_LOCK: str(tmp_path / "lock")}) is True
        try:
            assert startup.wait_for_quiet(refill, wait=1.0) == 0.0
        finally:
            startup.end_preheat_turn()
        assert startup.wait_for_quiet(refill, wait=0.5) >= 0.5  # turn given up: it waits again
    finally:
        for proc in busy:
            proc.kill()
            proc.wait(timeout=30)


def test_only_a_replacement_waits_for_quiet() -> None:
    assert startup.wait_for_quiet({"VOILA_PREHEAT": "True"}) == 0.0  # the first fill
    assert startup.wait_for_quiet({startup.ENV_REFILL: "1"}) == 0.0  # not a preheating kernel
    share = startup.idle_share(0.1)
    assert share is not None and 0.0 <= share <= 1.0


def test_a_lock_file_that_cannot_be_made_leaves_the_kernel_going(tmp_path: Path) -> None:
    environ = {"VOILA_PREHEAT": "True", ENV_PREHEAT_LOCK: str(tmp_path / "weg" / "preheat.lock")}
    assert startup.preheat_turn(environ, wait=5.0) is False
