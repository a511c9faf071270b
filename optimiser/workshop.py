"""Workshop mode, the engine: a board scores together and sees where it disagrees.

Pure functions on typed answers (no store, no Streamlit): the group's scores (median by default, mean as an
option), swing weights turned into criterion weights, the spread of every scored cell and the most contested
priorities, and the set each participant's own scores and weights would keep ("kept under 9 of 12
participants' views"). Every selection is checked rule by rule (`check_rules`) and called optimal only when the
solver proved it. Sentences come from :mod:`optimiser.words`.
"""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from .backends import DEFAULT_GAP, choose_solver, highs_instance, run_highs, run_solver
from .domain import SCORE_MAX, SCORE_MIN, Portfolio
from .model import build_model
from .result import Result
from .rules import RuleViolationError, check_rules
from .solve import solve

AGGREGATIONS: tuple[str, ...] = ("median", "mean")
# The anchor words of the 0-10 scale, shown to participants next to every score.
SCALE_ANCHORS: tuple[tuple[int, str], ...] = (
    (0, "no benefit"),
    (2, "slight"),
    (4, "some"),
    (6, "substantial"),
    (8, "major"),
    (10, "transformational"),
)
SWING_TOP = 100.0  # the criterion whose swing from worst to best matters most gets 100; the others a share of it

Cell = tuple[str, str]  # (priority id, criterion name)


class WorkshopInputError(ValueError):
    """An answer the workshop cannot use; the message says what is wrong and how to fix it."""


def anchor_text() -> str:
    """'0 no benefit · 2 slight · ... · 10 transformational'."""
    return " · ".join(f"{value} {word}" for value, word in SCALE_ANCHORS)


def check_score(value: object, what: str = "A score") -> float:
    """A score 0-10 (whole or half points are not enforced), else WorkshopInputError naming the range."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise WorkshopInputError(f"{what} must be a number from {SCORE_MIN:g} to {SCORE_MAX:g}, not {value!r}.")
    if not SCORE_MIN <= value <= SCORE_MAX:
        raise WorkshopInputError(
            f"{what} is {value:g}, outside the scale: give a score from {SCORE_MIN:g} (no benefit) "
            f"to {SCORE_MAX:g} (transformational)."
        )
    return float(value)


def check_swing(value: object, what: str = "A swing weight") -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise WorkshopInputError(f"{what} must be a number from 0 to {SWING_TOP:g}, not {value!r}.")
    if not 0 <= value <= SWING_TOP:
        raise WorkshopInputError(
            f"{what} is {value:g}: give the most important swing {SWING_TOP:g} and every other a percentage of it "
            f"(0 to {SWING_TOP:g})."
        )
    return float(value)


@dataclass(frozen=True)
class ParticipantAnswers:
    """One participant's answers: scores by (priority, criterion) and, when asked, swing weights (percent of
    the top criterion) by criterion."""

    participant_id: str
    name: str
    scores: tuple[tuple[Cell, float], ...] = ()
    swings: tuple[tuple[str, float], ...] = ()

    @property
    def score_of(self) -> dict[Cell, float]:
        return dict(self.scores)

    @property
    def swing_of(self) -> dict[str, float]:
        return dict(self.swings)


def aggregate(values: Sequence[float], rule: str = "median") -> float:
    """The group's figure from one cell's answers: the median (half-way between the middle two when the count
    is even) or the mean, rounded to 2 decimals."""
    if rule not in AGGREGATIONS:
        raise WorkshopInputError(f"Unknown aggregation rule '{rule}': use median or mean.")
    if not values:
        raise WorkshopInputError("No answers to aggregate.")
    figure = statistics.median(values) if rule == "median" else statistics.fmean(values)
    return round(float(figure), 2)


def group_scores(answers: Iterable[ParticipantAnswers], rule: str = "median") -> dict[Cell, float]:
    """The group's score of every cell at least one participant answered."""
    by_cell: dict[Cell, list[float]] = {}
    for person in answers:
        for cell, value in person.scores:
            by_cell.setdefault(cell, []).append(value)
    return {cell: aggregate(values, rule) for cell, values in sorted(by_cell.items())}


def swing_weights(swings: Mapping[str, float], criteria: Sequence[str], total: float) -> dict[str, float]:
    """Weights from swing weighting: each criterion's swing as a share of all the swings, times `total` (the sum
    of the scenario's weights of these criteria, so that the weights of criteria not weighed keep their share).
    Swings 100, 50 and 50 with a total of 4 give 2, 1 and 1. The top swing must be 100."""
    values = {c: check_swing(swings.get(c, 0.0), f"The swing weight of {c}") for c in criteria}
    if not values or max(values.values()) != SWING_TOP:
        raise WorkshopInputError(
            f"Give the criterion whose swing from worst to best matters most {SWING_TOP:g}, "
            "and every other a percentage of it."
        )
    whole = sum(values.values())
    return {c: round(total * v / whole, 4) for c, v in values.items()}


def swing_rank(swings: Mapping[str, float]) -> list[str]:
    """The criteria from the largest swing to the smallest (ties in name order)."""
    return sorted(swings, key=lambda c: (-swings[c], c))


def with_answers(
    portfolio: Portfolio, scores: Mapping[Cell, float], weights: Mapping[str, float] | None = None
) -> Portfolio:
    """The portfolio with these scores (cells not given keep the portfolio's) and criterion weights."""
    by_priority: dict[str, dict[str, float]] = {}
    for (pid, criterion), value in scores.items():
        by_priority.setdefault(pid, {})[criterion] = value
    priorities = []
    for p in portfolio.priorities:
        changes = by_priority.get(p.id)
        if changes:
            merged = dict(p.scores) | changes
            p = replace(p, scores=tuple((c.name, merged[c.name]) for c in portfolio.criteria if c.name in merged))
        priorities.append(p)
    criteria = portfolio.criteria
    if weights:
        criteria = tuple(replace(c, weight=weights.get(c.name, c.weight)) for c in criteria)
    return replace(portfolio, priorities=tuple(priorities), criteria=criteria)


def group_weights(
    portfolio: Portfolio, answers: Sequence[ParticipantAnswers], criteria: Sequence[str], rule: str = "median"
) -> dict[str, float]:
    """The group's weights of the weighed criteria: the rule applied to each participant's swing weights
    (those who gave them), scaled back to the scenario's total for these criteria. Empty when nobody did."""
    total = sum(c.weight for c in portfolio.criteria if c.name in criteria)
    personal = [swing_weights(a.swing_of, criteria, total) for a in answers if a.swings]
    if not personal:
        return {}
    raw = {c: aggregate([w[c] for w in personal], rule) for c in criteria}
    whole = sum(raw.values())
    return {c: round(total * v / whole, 4) for c, v in raw.items()} if whole > 0 else raw


@dataclass(frozen=True)
class CellSpread:
    """The answers to one (priority, criterion): how many, lowest, highest, the group's figure."""

    priority_id: str
    criterion: str
    values: tuple[float, ...]
    group: float

    @property
    def count(self) -> int:
        return len(self.values)

    @property
    def low(self) -> float:
        return min(self.values)

    @property
    def high(self) -> float:
        return max(self.values)

    @property
    def spread(self) -> float:
        """Highest minus lowest answer: 0 when everyone agrees."""
        return self.high - self.low


def spreads(answers: Sequence[ParticipantAnswers], rule: str = "median") -> list[CellSpread]:
    by_cell: dict[Cell, list[float]] = {}
    for person in answers:
        for cell, value in person.scores:
            by_cell.setdefault(cell, []).append(value)
    return [
        CellSpread(pid, crit, tuple(sorted(values)), aggregate(values, rule))
        for (pid, crit), values in sorted(by_cell.items())
    ]


@dataclass(frozen=True)
class Contest:
    """How much the group disagrees on one priority: the weighted mean spread (highest minus lowest answer) over
    its scored criteria, weighted by the scenario's criterion weights, and the widest single spread."""

    priority_id: str
    spread: float
    widest: float
    widest_criterion: str


def contested(portfolio: Portfolio, cells: Sequence[CellSpread]) -> list[Contest]:
    """Priorities from the most contested (largest weighted mean spread) to the least; ties by id."""
    weight = {c.name: c.weight for c in portfolio.criteria}
    by_priority: dict[str, list[CellSpread]] = {}
    for cell in cells:
        by_priority.setdefault(cell.priority_id, []).append(cell)
    out = []
    for pid, group in by_priority.items():
        total = sum(weight.get(c.criterion, 0.0) for c in group)
        if total > 0:
            mean = sum(weight.get(c.criterion, 0.0) * c.spread for c in group) / total
        else:
            mean = sum(c.spread for c in group) / len(group)
        widest = max(group, key=lambda c: (c.spread, weight.get(c.criterion, 0.0)))  # ties: the weightier
        out.append(Contest(pid, round(mean, 4), widest.spread, widest.criterion))
    return sorted(out, key=lambda c: (-c.spread, -c.widest, c.priority_id))


@dataclass(frozen=True)
class Selection:
    """A kept set from a solve, checked against every rule. `proven`: the solver proved it optimal."""

    kept: tuple[str, ...]
    status: str  # optimal | feasible | infeasible | no_solution | error
    proven: bool

    @property
    def has_selection(self) -> bool:
        return self.status in ("optimal", "feasible")


def select(
    portfolio: Portfolio, solver: str = "auto", time_limit: float = 10.0, start: tuple[str, ...] = ()
) -> Selection:
    """The best kept set under the portfolio's rules, without the explanations of a full solve; checked rule by
    rule (a set that breaks one raises RuleViolationError, an internal error). `start`: a kept set to start
    HiGHS from (the group's, close to each participant's), which only makes the proof quicker."""
    model = build_model(portfolio)
    if start and choose_solver(solver, model.size) == "highs":
        import highspy  # as in backends: loaded only when HiGHS runs

        began = time.perf_counter()
        h = highs_instance(model, time_limit, DEFAULT_GAP)
        initial = highspy.HighsSolution()
        kept = set(start)
        initial.col_value = [1.0 if pid in kept else 0.0 for pid in model.ids] + [0.0] * (model.num_cols - model.size)
        initial.value_valid = True
        h.setSolution(initial)
        outcome = run_highs(h, time_limit, began, model.is_integer())
    else:
        outcome = run_solver(model, solver=solver, time_limit=time_limit, gap=DEFAULT_GAP)
    if outcome.x is None:
        return Selection((), outcome.status, outcome.status == "infeasible")
    kept_set = {pid for pid, v in zip(model.ids, outcome.x) if v > 0.5}
    violations = check_rules(portfolio, kept_set)
    if violations:
        raise RuleViolationError(f"the selection from {outcome.solver}", violations)
    kept = tuple(p.id for p in portfolio.priorities if p.id in kept_set)
    return Selection(kept, outcome.status, outcome.status == "optimal")


CLOSE_CALL_POINTS = 2.0


def close_calls(
    portfolio: Portfolio,
    criteria: Sequence[str],
    points: float = CLOSE_CALL_POINTS,
    solver: str = "auto",
    time_limit: float = 10.0,
) -> tuple[str, ...] | None:
    """The priorities whose decision flips when their own scores on `criteria` move by `points` (up for a dropped
    priority, down for a kept one, within 0-10): the contested ones to score in a workshop. Must-dos and locked
    priorities never flip. None when today's scenario has no proven selection to start from."""
    today = select(portfolio, solver, time_limit)
    if not today.proven or not today.has_selection:
        return None
    kept = set(today.kept)
    fixed = set(portfolio.rules.locked_in) | set(portfolio.rules.locked_out)
    out = []
    for p in portfolio.priorities:
        if p.must_do or p.id in fixed:
            continue
        step = -points if p.id in kept else points
        moved = {(p.id, c): min(SCORE_MAX, max(SCORE_MIN, p.score(c) + step)) for c in criteria}
        if all(moved[(p.id, c)] == p.score(c) for c in criteria):
            continue  # already at the end of the scale
        changed = select(with_answers(portfolio, moved), solver, time_limit, today.kept)
        if changed.has_selection and (p.id in changed.kept) != (p.id in kept):
            out.append(p.id)
    return tuple(out)


@dataclass(frozen=True)
class PersonView:
    """The set one participant's own scores and weights would keep (cells they left blank take the group's)."""

    participant_id: str
    name: str
    answered: int
    selection: Selection


@dataclass(frozen=True)
class KeepCount:
    """How many participants' views keep a priority, and whether the group's scores keep it."""

    priority_id: str
    kept_by: int
    views: int
    group_kept: bool

    @property
    def flips(self) -> bool:
        """Kept under some views and dropped under others."""
        return 0 < self.kept_by < self.views


@dataclass(frozen=True)
class WorkshopOutcome:
    """Everything the live facilitator view shows, from the answers so far."""

    rule: str
    participants: int  # who answered at least one score
    group_scores: tuple[tuple[Cell, float], ...]
    group_weights: tuple[tuple[str, float], ...]
    group_portfolio: Portfolio
    group_result: Result
    cells: tuple[CellSpread, ...]
    contests: tuple[Contest, ...]
    views: tuple[PersonView, ...]
    keep_counts: tuple[KeepCount, ...]

    @property
    def flipping(self) -> tuple[KeepCount, ...]:
        """Decisions that differ between participants, the most evenly split first."""
        flips = [k for k in self.keep_counts if k.flips]
        return tuple(sorted(flips, key=lambda k: (abs(2 * k.kept_by - k.views), k.priority_id)))


def outcome(
    portfolio: Portfolio,
    answers: Sequence[ParticipantAnswers],
    *,
    weighed: Sequence[str] = (),
    rule: str = "median",
    solver: str = "auto",
    time_limit: float = 10.0,
    selector: Callable[..., Selection] = select,
) -> WorkshopOutcome:
    """The group's scores and weights, the result they give, the spread of every answered cell, the most
    contested priorities, and each participant's own kept set with the keep counts.

    `weighed`: the criteria participants gave swing weights for (empty: weights stay the scenario's).
    `selector`: how a participant's kept set is found (`select`, or a cached wrapper of it in the app, so that a
    refresh re-solves only the views whose answers changed)."""
    if rule not in AGGREGATIONS:
        raise WorkshopInputError(f"Unknown aggregation rule '{rule}': use median or mean.")
    answered = [a for a in answers if a.scores]
    scores = group_scores(answered, rule)
    weights = group_weights(portfolio, answered, weighed, rule) if weighed else {}
    group_portfolio = with_answers(portfolio, scores, weights)
    group_result = solve(group_portfolio, solver=solver, time_limit=time_limit)
    if group_result.has_selection:
        violations = check_rules(group_portfolio, group_result.kept)
        if violations:
            raise RuleViolationError("the group's selection", violations)
    cells = spreads(answered, rule)
    total = sum(c.weight for c in portfolio.criteria if c.name in weighed)
    views = []
    for person in answered:
        own = scores | person.score_of
        own_weights = weights
        if weighed and person.swings:
            own_weights = swing_weights(person.swing_of, weighed, total)
        selection = selector(with_answers(portfolio, own, own_weights), solver, time_limit, group_result.kept)
        views.append(PersonView(person.participant_id, person.name, len(person.scores), selection))
    counted = [v for v in views if v.selection.has_selection]
    group_kept = set(group_result.kept)
    keep_counts = tuple(
        KeepCount(p.id, sum(p.id in v.selection.kept for v in counted), len(counted), p.id in group_kept)
        for p in portfolio.priorities
    )
    return WorkshopOutcome(
        rule=rule,
        participants=len(answered),
        group_scores=tuple(scores.items()),
        group_weights=tuple(weights.items()),
        group_portfolio=group_portfolio,
        group_result=group_result,
        cells=tuple(cells),
        contests=tuple(contested(portfolio, cells)),
        views=tuple(views),
        keep_counts=keep_counts,
    )


@dataclass(frozen=True)
class WorkshopRecord:
    """What the board pack says about the workshop a scenario version was adopted from (no names)."""

    title: str
    day: str  # YYYY-MM-DD
    joined: int
    rounds: int
    before: Portfolio  # the scenario as the workshop started from it
    outcome: WorkshopOutcome
    scenario_kept: tuple[str, ...]  # what the scenario's own scores keep
