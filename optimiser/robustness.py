"""Robustness: how often each priority is kept when the scores and costs are drawn from their ranges.

Method (README, "Robustness"):

1. The uncertain judgements are every score and cost with a range: the priority's own low/high (the score or cost
   itself is the likely figure), else the global spread of its criterion or capacity dimension (likely x (1 -
   spread) to likely x (1 + spread), scores kept within 0-10).
2. Each sample draws every judgement from the triangular distribution (low, likely, high) by the inverse of its
   distribution function applied to a uniform number from numpy's seeded Generator (`numpy.random.default_rng(seed)`),
   so the same portfolio, number of samples and seed give the same answer on any machine.
3. Each sample is a portfolio in its own right: it is built by the one model builder, solved by the usual back-end
   (HiGHS, in up to two threads) and its selection checked against every rule of that sample (`check_rules`).
4. A priority's selection frequency is the share of solved samples that keep it, with the Monte Carlo standard
   error sqrt(f (1 - f) / n). Robustly kept: 90% or more; robustly dropped: 10% or less; contested between.
5. Influence of a judgement: the samples are split at the median of its draw (uniform number below or above 0.5);
   for each priority the shift, its frequency in the upper half minus its frequency in the lower half; the
   judgement's influence is the sum over priorities of the size of the shift beyond three times its standard error
   sqrt(f (1 - f) (1/n_upper + 1/n_lower)) (f the priority's frequency over all samples): how many kept-or-dropped
   decisions move, beyond sampling noise, when the judgement goes from its low half to its high half. The three
   with the largest influence above zero are where narrowing a range would most change what is kept; none is
   named when no shift stands clear of the noise (more samples then help). A judgement of a priority that no
   sample keeps is left out (every optimum was a selection without it, which does not depend on its figures), as
   is the score of a priority that every sample keeps.

Typed answers only; :mod:`optimiser.words` words them.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace

import numpy as np

from .backends import run_solver
from .domain import SCORE_MAX, Portfolio
from .model import build_model
from .parsing import COST_PREFIX, SCORE_PREFIX
from .rules import assert_rules

KEPT_FROM = 0.9  # robustly kept: kept in at least this share of the samples
DROPPED_TO = 0.1  # robustly dropped: kept in at most this share
DEFAULT_SAMPLES = 500
MAX_SAMPLES = 10_000
DEFAULT_SEED = 1
SAMPLE_TIME_LIMIT = 10.0  # seconds per sampled solve
NOISE_SE = 3.0  # a shift between the two halves counts only beyond this many standard errors
WORKERS = 2  # threads solving samples (HiGHS releases the GIL while it solves)
CHUNK = 10  # samples per unit of work (and per progress report)


@dataclass(frozen=True)
class Judgement:
    """One uncertain figure: a priority's score on a criterion or cost in a dimension."""

    priority_id: str
    column: str  # 'score:<criterion>' or 'cost:<dimension>'
    low: float
    likely: float
    high: float

    @property
    def kind(self) -> str:
        return "score" if self.column.startswith(SCORE_PREFIX) else "cost"

    @property
    def name(self) -> str:
        """The criterion or dimension."""
        return self.column.split(":", 1)[1]


def judgements(portfolio: Portfolio) -> tuple[Judgement, ...]:
    """Every score and cost whose range has some width, in portfolio order."""
    out: list[Judgement] = []
    for p in portfolio.priorities:
        own = {column: (low, high) for column, low, high in p.ranges}
        for c in portfolio.criteria:
            column = SCORE_PREFIX + c.name
            likely = p.score(c.name)
            low, high = own.get(column) or (
                max(0.0, likely * (1 - c.spread_pct / 100)),
                min(SCORE_MAX, likely * (1 + c.spread_pct / 100)),
            )
            if high > low:
                out.append(Judgement(p.id, column, low, likely, high))
        for d in portfolio.dimensions:
            column = COST_PREFIX + d.name
            likely = p.cost(d.name)
            low, high = own.get(column) or (likely * (1 - d.spread_pct / 100), likely * (1 + d.spread_pct / 100))
            if high > low:
                out.append(Judgement(p.id, column, low, likely, high))
    return tuple(out)


def triangular(u: np.ndarray, low: np.ndarray, likely: np.ndarray, high: np.ndarray) -> np.ndarray:
    """Draws from triangular distributions (low, likely, high) by the inverse distribution function at u in
    [0, 1); a zero-width range gives its likely figure."""
    width = high - low
    safe = np.where(width > 0, width, 1.0)
    left = likely - low
    right = high - likely
    split = np.where(width > 0, left / safe, 0.0)
    lower = low + np.sqrt(np.clip(u * safe * left, 0.0, None))
    upper = high - np.sqrt(np.clip((1.0 - u) * safe * right, 0.0, None))
    draw = np.where(u < split, lower, upper)
    return np.where(width > 0, draw, likely)


def draws(found: tuple[Judgement, ...], samples: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(uniform numbers, drawn figures), each samples x judgements."""
    rng = np.random.default_rng(seed)
    u = rng.random((samples, len(found)))
    if not found:
        return u, u
    low = np.array([j.low for j in found])
    likely = np.array([j.likely for j in found])
    high = np.array([j.high for j in found])
    return u, triangular(u, low, likely, high)


def sampled_portfolio(portfolio: Portfolio, found: tuple[Judgement, ...], figures: np.ndarray) -> Portfolio:
    """The portfolio with each judgement set to its drawn figure (one sample)."""
    if not found:
        return portfolio
    changes: dict[str, dict[str, float]] = {}
    for j, value in zip(found, figures):
        changes.setdefault(j.priority_id, {})[j.column] = float(value)
    priorities = []
    for p in portfolio.priorities:
        new = changes.get(p.id)
        if new is None:
            priorities.append(p)
            continue
        costs = tuple((d, new.get(COST_PREFIX + d, v)) for d, v in p.costs)
        scores = tuple((c, new.get(SCORE_PREFIX + c, v)) for c, v in p.scores)
        priorities.append(replace(p, costs=costs, scores=scores, ranges=()))
    return replace(portfolio, priorities=tuple(priorities))


@dataclass(frozen=True)
class PriorityFrequency:
    priority_id: str
    frequency: float  # share of solved samples that keep it, 0-1
    standard_error: float  # Monte Carlo standard error of the frequency
    band: str  # kept | contested | dropped
    uncertain: int  # judgements of this priority with a range


@dataclass(frozen=True)
class Influence:
    """A judgement whose range most changes what is kept."""

    judgement: Judgement
    influence: float  # sum over priorities of the shift between the halves beyond its noise (see `influential`)
    priority_id: str  # the priority whose frequency moves most with it
    when_low: float  # that priority's frequency when the judgement is in the lower half of its draws
    when_high: float  # ... and in the upper half


@dataclass(frozen=True)
class Robustness:
    samples: int
    seed: int
    solved: int  # samples with a selection (each checked against every rule of that sample)
    infeasible: int  # samples in which no selection meets the rules
    unsolved: int  # samples stopped without a selection (time limit)
    unproven: int  # samples whose selection was not proven optimal within the time limit
    judgements: int  # uncertain figures sampled
    priorities: tuple[PriorityFrequency, ...]  # portfolio order
    influential: tuple[Influence, ...]  # at most three, largest influence first
    seconds: float

    def band_ids(self, band: str) -> tuple[str, ...]:
        return tuple(f.priority_id for f in self.priorities if f.band == band)

    def frequency(self, pid: str) -> PriorityFrequency:
        return next(f for f in self.priorities if f.priority_id == pid)


def band_of(frequency: float) -> str:
    if frequency >= KEPT_FROM:
        return "kept"
    if frequency <= DROPPED_TO:
        return "dropped"
    return "contested"


def check_samples(samples: int) -> int:
    if isinstance(samples, bool) or not isinstance(samples, int) or not 1 <= samples <= MAX_SAMPLES:
        raise ValueError(f"The number of samples must be a whole number from 1 to {MAX_SAMPLES:,}, not {samples!r}.")
    return samples


# HiGHS options for the sampled solves, on top of the back-end's own. A cut pool of one stale row at most
# (default 10,000) halved the solve time of gen.py N=200 samples (about 0.43 s -> 0.21 s, the same optima) and cut
# the sample portfolio's by about a fifth, measured with interleaved runs on the same sampled models.
SAMPLE_HIGHS_OPTIONS = {"mip_pool_soft_limit": 1}


def _run(model, time_limit: float, tuned: bool):
    """Solve one sampled model with HiGHS in-process (proving optimality), with SAMPLE_HIGHS_OPTIONS when
    `tuned`; the back-end's own route otherwise (or if its HiGHS helpers are not there)."""
    from . import backends

    instance, run = getattr(backends, "highs_instance", None), getattr(backends, "run_highs", None)
    if not tuned or instance is None or run is None:
        return run_solver(model, solver="highs", time_limit=time_limit)
    started = time.perf_counter()
    h = instance(model, time_limit, 0.0)
    for option, value in SAMPLE_HIGHS_OPTIONS.items():
        h.setOptionValue(option, value)
    return run(h, time_limit, started, model.is_integer())


def _solve_sample(portfolio: Portfolio, found: tuple[Judgement, ...], figures: np.ndarray, time_limit: float):
    """(status, kept mask or None, proven) of one sample; its selection is checked against every rule. Without
    uncertain judgements every sample is today's portfolio, solved exactly as `solve` does (so that a tie is
    broken the same way)."""
    sample = sampled_portfolio(portfolio, found, figures)
    outcome = _run(build_model(sample), time_limit, tuned=bool(found))
    if outcome.x is None:
        return outcome.status, None, False
    mask = outcome.x[: len(portfolio.priorities)] > 0.5
    assert_rules(sample, [p.id for p, m in zip(portfolio.priorities, mask) if m], "a sampled selection")
    return "solved", mask, outcome.status == "optimal"


def robustness(
    portfolio: Portfolio,
    samples: int = DEFAULT_SAMPLES,
    seed: int = DEFAULT_SEED,
    *,
    progress: Callable[[int, int], None] | None = None,
    workers: int = WORKERS,
    time_limit: float = SAMPLE_TIME_LIMIT,
) -> Robustness:
    """Selection frequency of every priority over `samples` seeded draws of the uncertain judgements.
    `progress(done, samples)` is called from the calling thread as samples finish."""
    check_samples(samples)
    started = time.perf_counter()
    found = judgements(portfolio)
    u, figures = draws(found, samples, seed)
    n = len(portfolio.priorities)
    kept = np.zeros((samples, n), dtype=bool)
    solved = np.zeros(samples, dtype=bool)
    counts = {"infeasible": 0, "unsolved": 0, "unproven": 0}

    def chunk(start: int) -> list[tuple[int, str, np.ndarray | None, bool]]:
        stop = min(start + CHUNK, samples)
        return [(s, *_solve_sample(portfolio, found, figures[s], time_limit)) for s in range(start, stop)]

    def record(results) -> None:
        for s, status, mask, proven in results:
            if mask is not None:
                kept[s] = mask
                solved[s] = True
                counts["unproven"] += not proven
            elif status == "infeasible":
                counts["infeasible"] += 1
            else:
                counts["unsolved"] += 1

    starts = list(range(0, samples, CHUNK))
    done = 0
    workers = max(1, min(workers, os.cpu_count() or 1, len(starts)))
    if workers == 1:
        for start in starts:
            results = chunk(start)
            record(results)
            done += len(results)
            if progress:
                progress(done, samples)
    else:
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="robust") as pool:
            for results in pool.map(chunk, starts):
                record(results)
                done += len(results)
                if progress:
                    progress(done, samples)

    m = int(solved.sum())
    frequency = kept[solved].mean(axis=0) if m else np.zeros(n)
    per_priority: dict[str, int] = {}
    for j in found:
        per_priority[j.priority_id] = per_priority.get(j.priority_id, 0) + 1
    priorities = tuple(
        PriorityFrequency(
            p.id,
            float(f),
            math.sqrt(f * (1 - f) / m) if m else 0.0,
            band_of(float(f)),
            per_priority.get(p.id, 0),
        )
        for p, f in zip(portfolio.priorities, frequency)
    )
    return Robustness(
        samples=samples,
        seed=seed,
        solved=m,
        infeasible=counts["infeasible"],
        unsolved=counts["unsolved"],
        unproven=counts["unproven"],
        judgements=len(found),
        priorities=priorities,
        influential=influential(portfolio, found, u[solved], kept[solved]),
        seconds=time.perf_counter() - started,
    )


def influential(
    portfolio: Portfolio, found: tuple[Judgement, ...], u: np.ndarray, kept: np.ndarray, top: int = 3
) -> tuple[Influence, ...]:
    """The `top` judgements whose draws most change what is kept (see the module's method, step 5)."""
    if not found or len(kept) < 2:
        return ()
    upper = (u >= 0.5).astype(float)  # samples x judgements
    lower = 1.0 - upper
    n_upper = upper.sum(axis=0)
    n_lower = lower.sum(axis=0)
    usable = (n_upper > 0) & (n_lower > 0)
    k = kept.astype(float)
    f_upper = (upper.T @ k) / np.where(n_upper > 0, n_upper, 1.0)[:, None]  # judgements x priorities
    f_lower = (lower.T @ k) / np.where(n_lower > 0, n_lower, 1.0)[:, None]
    shift = f_upper - f_lower
    # Each half's frequency has its own Monte Carlo error; only the part of a shift beyond three times the standard
    # error of a difference between the halves counts, so that with hundreds of judgements the noise of many
    # small, chance shifts does not outweigh one real one.
    f_all = k.mean(axis=0)
    halves = 1.0 / np.where(n_upper > 0, n_upper, 1.0) + 1.0 / np.where(n_lower > 0, n_lower, 1.0)
    noise = NOISE_SE * np.sqrt(np.outer(halves, f_all * (1.0 - f_all)))
    # A judgement of a priority no sample keeps moves nothing (every optimum was a selection without it, whose
    # value and use of capacity do not depend on it), nor does the score of a priority every sample keeps.
    index = {p.id: i for i, p in enumerate(portfolio.priorities)}
    own = np.array([f_all[index[j.priority_id]] for j in found])
    is_cost = np.array([j.kind == "cost" for j in found])
    can_move = (own > 0) & (is_cost | (own < 1))
    effect = np.where(usable & can_move, np.clip(np.abs(shift) - noise, 0.0, None).sum(axis=1), 0.0)
    order = np.argsort(-effect, kind="stable")[:top]
    out = []
    for j in order:
        if effect[j] <= 0:
            break
        q = int(np.argmax(np.abs(shift[j])))
        out.append(
            Influence(
                found[j],
                float(effect[j]),
                portfolio.priorities[q].id,
                float(f_lower[j, q]),
                float(f_upper[j, q]),
            )
        )
    return tuple(out)
