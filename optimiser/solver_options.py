"""Solver names, default time limit and gap, and the time-limit check: the few settings the command line
needs before it loads anything heavy (numpy, pandas, the solvers)."""

from __future__ import annotations

import math

SOLVERS: tuple[str, ...] = ("auto", "highs", "cbc", "race", "cbc-pulp", "highs-pulp")
DEFAULT_TIME_LIMIT = 30.0
# The relative gap at which a solver may stop. 0 asks every back-end to prove optimality; a result is
# called "optimal" only when its own bound proves it (see `backends.is_proven`), whatever this setting.
DEFAULT_GAP = 0.0
MAX_TIME_LIMIT = 3600.0  # seconds


def check_time_limit(seconds: float) -> float:
    """A solver time limit in seconds: a finite number above 0 and at most MAX_TIME_LIMIT, else ValueError
    (a negative limit would mean none to one back-end, NaN confuses another)."""
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or not math.isfinite(seconds):
        raise ValueError(f"The time limit must be a finite number of seconds, not {seconds!r}.")
    if not 0 < seconds <= MAX_TIME_LIMIT:
        raise ValueError(f"The time limit must be above 0 and at most {MAX_TIME_LIMIT:g} seconds, not {seconds:g}.")
    return float(seconds)
