"""The core: words, errors, the data model, methods and validation; imports nothing above it.

Imported first by every part of trajecttools, so a preheating dashboard kernel waits here for
its turn when the machine's kernels share one (``TRAJECTTOOLS_PREHEAT_LOCK``) and, when it
replaces a kernel a visitor took, for a core to spare (``TRAJECTTOOLS_REFILL``); jsonschema is
imported without its slow IRI checkers before Altair or nbformat import it
(:mod:`trajecttools.core.startup`).
"""

from trajecttools.core.startup import lean_jsonschema, preheat_turn, wait_for_quiet

preheat_turn()
wait_for_quiet()
lean_jsonschema()
