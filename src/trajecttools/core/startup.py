"""How a process that imports trajecttools starts: leaner, and one preheating kernel at a time.

**Leaner.** Third-party start-up work that trajecttools leaves out, as every kernel pays for it.

jsonschema (imported by Altair and nbformat) imports the optional ``rfc3987_syntax`` when it is
installed, and that module compiles some 35 Earley parsers at import: 1.7 s of every dashboard
kernel's start on this project's 2-core machine, out of about 7 s (see the jsonschema issue "Lazy
import `rfc3987_syntax`"). It serves only the ``iri`` and ``iri-reference`` formats, which no
schema of Altair, Vega-Lite or the notebook format uses; jsonschema treats a format it has no
checker for as valid. :func:`lean_jsonschema` imports jsonschema without it, once, before
anything else does; ``rfc3987_syntax`` stays importable for whoever asks for it by name.

**One preheating kernel at a time.** Under JupyterHub every user's server keeps its own
preheated kernels, and a team that opens its dashboards together takes all of them within a
minute; their replacements, each several CPU-seconds of start-up, would then all start at once
and stall the pages being used. When ``TRAJECTTOOLS_PREHEAT_LOCK`` names a file (the hub sets
it), a preheating Voilà kernel waits for its turn on that file (:func:`preheat_turn`) as soon as
it imports trajecttools, and gives the turn to the next when it starts waiting for a visitor
(:func:`end_preheat_turn`, called by :func:`trajecttools.apps.base.wait_for_request`): at most
one kernel on the machine is preheating, the other core stays for the people at work. The turn
is an ``flock`` on the file, so a kernel that dies gives it up with its process; a kernel that
waits longer than :data:`PREHEAT_WAIT` seconds goes ahead without it.

**A replacement yields to the visitors.** A kernel that replaces one a visitor just took
(``TRAJECTTOOLS_REFILL``, set by :mod:`trajecttools.voila_server` on every refill) starts its
heavy imports only once the machine has a core to spare (:func:`wait_for_quiet`: half the CPU
time idle over a quarter second, at most :data:`QUIET_WAIT` seconds): on a 2-core machine the
visitor's page, being built and drawn at that moment, would otherwise share the cores with it.
The first fill at start-up does not wait ("klaar" comes when every dashboard is ready), and
neither does a kernel that holds the preheat turn: the turn already keeps the other core for the
people at work, and waiting for quiet while holding it would hold up every other user's
replacement behind it (under the hub with ten users opening pages, a turn held through 30 s
waits made the queue of replacements grow: first signal row p95 86.6 s).
"""

from __future__ import annotations

import fcntl
import importlib
import os
import sys
import time
from collections.abc import Mapping

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


#: Environment variable naming the lock file that preheating kernels of one machine share.
ENV_PREHEAT_LOCK = "TRAJECTTOOLS_PREHEAT_LOCK"
#: Seconds a preheating kernel waits for its turn before it goes ahead anyway (a kernel that
#: hangs before it waits for a visitor must not stop every other user's refills).
PREHEAT_WAIT = 180.0
#: Seconds between two tries for the turn.
POLL = 0.2

#: Environment variable that marks a kernel replacing one a visitor took.
ENV_REFILL = "TRAJECTTOOLS_REFILL"
#: Seconds a replacement waits at most for a core to spare.
QUIET_WAIT = 30.0
#: Share of the machine's CPU time that must be idle for a replacement to start.
QUIET_IDLE = 0.5
#: Seconds over which the idle share is measured.
QUIET_SAMPLE = 0.25

_turn: dict[str, int] = {}


def preheating(environ: Mapping[str, str] = os.environ) -> bool:
    """Tell whether this process is a preheated Voilà kernel (Voilà sets ``VOILA_PREHEAT``)."""
    return environ.get("VOILA_PREHEAT", "False") != "False"


def preheat_turn(environ: Mapping[str, str] = os.environ, wait: float = PREHEAT_WAIT) -> bool:
    """Wait until no other kernel sharing ``TRAJECTTOOLS_PREHEAT_LOCK`` is preheating; return
    whether this process holds the turn now.

    Does nothing (False) outside a preheating Voilà kernel, without the setting, or when the
    turn is already held; gives up after ``wait`` seconds (False) and lets the kernel go on.
    """
    path = environ.get(ENV_PREHEAT_LOCK, "").strip()
    if not path or not preheating(environ) or "fd" in _turn:
        return False
    try:  # read-only is enough for flock: users of other system accounts share the file too
        fd = os.open(path, os.O_RDONLY | os.O_CREAT, 0o666)
    except OSError:  # no turn to take (folder gone, no access): the kernel goes on
        return False
    deadline = time.monotonic() + wait
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if time.monotonic() >= deadline:
                os.close(fd)
                return False
            time.sleep(POLL)
            continue
        _turn["fd"] = fd
        return True


def end_preheat_turn() -> None:
    """Give the turn to the next preheating kernel (nothing when this process holds none)."""
    fd = _turn.pop("fd", None)
    if fd is not None:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def _cpu_times() -> tuple[int, int] | None:
    """Return (idle, total) CPU time of the machine in ticks (Linux), None elsewhere."""
    try:
        with open("/proc/stat", encoding="ascii") as stat:
            fields = [int(x) for x in stat.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    # user nice system idle iowait irq softirq steal (guest time is counted in user already)
    return fields[3] + (fields[4] if len(fields) > 4 else 0), sum(fields[:8])


def idle_share(sample: float = QUIET_SAMPLE) -> float | None:
    """Return the share (0 to 1) of the machine's CPU time that was idle during ``sample``
    seconds; None where the system does not tell (no ``/proc/stat``)."""
    before = _cpu_times()
    time.sleep(sample)
    after = _cpu_times()
    if before is None or after is None or after[1] <= before[1]:
        return None
    return (after[0] - before[0]) / (after[1] - before[1])


def wait_for_quiet(environ: Mapping[str, str] = os.environ, wait: float = QUIET_WAIT,
                   idle: float = QUIET_IDLE) -> float:
    """In a kernel replacing one a visitor took, wait until ``idle`` of the CPU time is idle
    (at most ``wait`` seconds); return the seconds waited (0 in any other process, and in a
    kernel that holds the preheat turn)."""
    if not preheating(environ) or environ.get(ENV_REFILL) != "1" or "fd" in _turn:
        return 0.0
    start = time.monotonic()
    while time.monotonic() - start < wait:
        share = idle_share()
        if share is None or share >= idle:
            break
    return time.monotonic() - start


__all__ = ["ENV_PREHEAT_LOCK", "ENV_REFILL", "PREHEAT_WAIT", "QUIET_IDLE", "QUIET_WAIT",
           "SLOW_OPTIONAL", "end_preheat_turn", "idle_share", "lean_jsonschema", "preheat_turn",
           "preheating", "wait_for_quiet"]
