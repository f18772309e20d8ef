"""The core: words, errors, the data model, methods and validation; imports nothing above it.

Imported first by every part of trajecttools, so it also imports jsonschema without its slow IRI
checkers before Altair or nbformat do (:mod:`trajecttools.core.startup`).
"""

from trajecttools.core.startup import lean_jsonschema

lean_jsonschema()
