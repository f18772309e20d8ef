"""Every dashboard and form page, one call each, for thin Voilà dashboards and notebooks.

>>> from trajecttools.apps.mdo import mdo
>>> page = mdo(team="Team Rijnmond", as_of="02-11-2026")
>>> type(page).__name__
'MdoDashboard'

The pages: ``mdo``, ``matchtafel`` and ``monitoring`` (meeting dashboards, read
only), ``intake``, ``follow_up`` and ``transfer`` (forms and import/export). Each
goes through :func:`trajecttools.apps.base.dashboard`, which does the common work: the server
log, the wait for a visitor in a preheated Voilà kernel, the peildatum, opening the register and
the Dutch failure box.

One module a page (:mod:`~trajecttools.apps.mdo`, :mod:`~trajecttools.apps.matchtafel`, ...),
so a dashboard's kernel imports only its own screen; :mod:`~trajecttools.apps.base` holds what
they share.
"""
