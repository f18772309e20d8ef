"""The ipywidgets of the dashboards and forms (the only place that imports ipywidgets).

One UI toolkit, :mod:`~trajecttools.widgets.toolkit` (status line, buttons, guarded handlers,
the meeting screen with "Alles verbergen", style sheets from ``widgets/css``), with the form
pieces in :mod:`~trajecttools.widgets.fields`, :mod:`~trajecttools.widgets.submission`,
:mod:`~trajecttools.widgets.panels` and :mod:`~trajecttools.widgets.case_app`. One module per
composite widget or page: :mod:`~trajecttools.widgets.signal_table`,
:mod:`~trajecttools.widgets.agenda`, :mod:`~trajecttools.widgets.case_card`,
:mod:`~trajecttools.widgets.overview_charts`, :mod:`~trajecttools.widgets.mdo`,
:mod:`~trajecttools.widgets.matchtafel`, :mod:`~trajecttools.widgets.monitoring`,
:mod:`~trajecttools.widgets.intake`, :mod:`~trajecttools.widgets.follow_up` and
:mod:`~trajecttools.widgets.transfer`. Whole pages are built by
:mod:`trajecttools.apps`.
"""

from __future__ import annotations

__all__: list[str] = []
