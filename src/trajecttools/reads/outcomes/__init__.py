"""Outcomes that count: flow, time to first job, quality of the first job, sustainable work,
revolving door, and progress on the ZRM and the participatieladder.

The package holds :mod:`~trajecttools.reads.outcomes.register` (the frames, loaded once, and each
trajectory's facts on a date), :mod:`~trajecttools.reads.outcomes.grouping` (splits and
suppression), :mod:`~trajecttools.reads.outcomes.flow`, :mod:`~trajecttools.reads.outcomes.survival`
(Kaplan-Meier), :mod:`~trajecttools.reads.outcomes.competing` (Aalen-Johansen),
:mod:`~trajecttools.reads.outcomes.employment` (first job, sustainable work,
revolving door), :mod:`~trajecttools.reads.outcomes.progress` (ZRM, participatieladder) and
:mod:`~trajecttools.reads.outcomes.summary`; import the names from here.

Every measure is a function returning a DataFrame of aggregates, one row per group (and per
month or horizon where that applies). All take ``by=`` (one or more of :data:`GROUPS`), an
``as_of`` date (facts after it are ignored: later registrations, placements, closings and benefit
periods do not exist yet) and a ``period=(start, end)`` filter (inclusive; either end may be
``None``). The period selects the event that brings a trajectory into a measure:

===========================  ==================================================
measure                      a trajectory counts when ... falls in the period
===========================  ==================================================
:func:`flow`                 its registration or closing (per calendar month)
:func:`time_to_first_job`    its registration (a registration cohort)
:func:`km_curve`             its registration
:func:`cumulative_incidence` its registration
:func:`work_status`          its registration
:func:`first_job_quality`    the start of its first job
:func:`retention_curve`      the start of its first job
:func:`revolving_door`       the start of its first job (art. 60: its end)
:func:`zrm_change`           its registration
:func:`ladder_change`        its registration
===========================  ==================================================

A *first job* is the earliest placement that counts as work under the trajectory's method (the
``[outcomes]`` section of its method file: by default a regular contract without wage subsidy)
that started on or before ``as_of`` and not after the trajectory was closed. The other kinds
(opstapbaan, trial, secondment, wage subsidy, art. 60§7) are *steps*, counted apart
(:func:`work_status`: "in een opstap", "in art. 60"). The cases frame's ``first_job_on`` (for
the meeting screens) is the first placement of any job kind and can be earlier.

Counts stand beside every percentage (numerator and denominator). Groups smaller than
``min_n`` (default :data:`MIN_N`) are suppressed: their figures become missing and the row gets
``suppressed = True`` (see :func:`suppress`). Pass ``min_n=None`` for the unsuppressed frame.

>>> from trajecttools.reads import outcomes
>>> reg = outcomes.load(store)
>>> table = outcomes.time_to_first_job(reg, by="target_group")
>>> list(table.columns[:5])
['target_group', 'n', 'events', 'censored', 'median_days']
"""

from trajecttools.reads.outcomes.competing import STARTS, cumulative_incidence
from trajecttools.reads.outcomes.employment import (
    AT_WORK,
    HORIZONS,
    NEITHER,
    first_job_quality,
    retention,
    retention_curve,
    revolving_door,
    work_status,
)
from trajecttools.reads.outcomes.flow import flow
from trajecttools.reads.outcomes.grouping import suppress
from trajecttools.reads.outcomes.progress import ladder_change, zrm_change, zrm_domain_change
from trajecttools.reads.outcomes.register import (
    CENSORED,
    GROUPS,
    JOB_KINDS,
    MIN_N,
    QUALITY_FLAGS,
    STOPPED,
    UNKNOWN,
    WORK,
    By,
    DateLike,
    Period,
    Register,
    as_day,
    facts,
    from_frames,
    load,
)
from trajecttools.reads.outcomes.summary import MEASURES, summary
from trajecttools.reads.outcomes.survival import CLOSING_RULES, km_curve, time_to_first_job

__all__ = [
    "AT_WORK",
    "CENSORED",
    "CLOSING_RULES",
    "GROUPS",
    "HORIZONS",
    "JOB_KINDS",
    "MEASURES",
    "MIN_N",
    "NEITHER",
    "QUALITY_FLAGS",
    "STARTS",
    "STOPPED",
    "UNKNOWN",
    "WORK",
    "By",
    "DateLike",
    "Period",
    "Register",
    "as_day",
    "cumulative_incidence",
    "facts",
    "first_job_quality",
    "flow",
    "from_frames",
    "km_curve",
    "ladder_change",
    "load",
    "retention",
    "retention_curve",
    "revolving_door",
    "summary",
    "suppress",
    "time_to_first_job",
    "work_status",
    "zrm_change",
    "zrm_domain_change",
]
