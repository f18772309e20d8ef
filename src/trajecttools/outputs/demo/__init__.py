"""A reproducible synthetic case register: realistic routes, clearly fictional people.

:func:`generate` returns one DataFrame per table (ids and foreign keys included), built with
numpy/pandas only from ``numpy.random.default_rng(seed)``: the same size, seed and ``as_of`` give
identical frames. :func:`build` loads them into an empty
:class:`~trajecttools.register.store.Store`.

The register follows the two built-in methods (``opstapbaan`` in the Dutch municipalities,
``art60`` in the Flemish ones). Most trajectories are on time; on ``as_of`` a few are late on
every deadline rule of their method, so each signal has something to show.

Modules: ``catalogue`` (names, places and texts from ``data/``), ``routes`` (one route generator
driven by ``data/routes.toml`` and the method files), ``timeline``, ``people``, ``work``, ``care``,
``contacts`` (the tables), ``builder`` (:func:`generate`, :func:`build`).
"""

from trajecttools.outputs.demo.arrays import NEVER
from trajecttools.outputs.demo.builder import TABLES, build, generate
from trajecttools.outputs.demo.catalogue import FICTIONAL_MARKERS

__all__ = ["FICTIONAL_MARKERS", "NEVER", "TABLES", "build", "generate"]
