"""Composite ipywidgets of the meeting dashboards (the only place that imports ipywidgets).

One module per composite widget: :mod:`~trajecttools.widgets.signal_table`,
:mod:`~trajecttools.widgets.agenda`, :mod:`~trajecttools.widgets.case_card`,
:mod:`~trajecttools.widgets.overview_charts` and the whole MDO page in
:mod:`~trajecttools.widgets.mdo`. Whole dashboards are built by :mod:`trajecttools.apps`.
"""

from __future__ import annotations
