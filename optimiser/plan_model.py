"""The multi-year plan as a variant of the one model (`optimiser.model`): the same `SelectionModel`, whose
columns 0..n-1 are still x_i (priority i is delivered in the plan), with time-indexed columns after them.

- s_i_t = 1 when new priority i starts in plan year t (one column per year it may start in: from its
  earliest start, finishing within the plan and by its deadline, not a forbidden year);
- r_i_t = 1 when existing activity i still runs in year t (once stopped it stays stopped).

Rows, each named from its rule (`capacity_<k>_<dim>_y<t>`, `starts_after_<i>_<j>_<A>_<B>_y<t>`, ...):

- `link`: x_i = sum_t s_i_t (new), x_i = r_i_1 (existing); `continues`: r_i_t <= r_i_(t-1);
- `capacity` per dimension and year: what is under way in year t (a priority started in year u costs its
  (t-u+1)-th delivery year's cost while t < u + duration; an existing activity its cost while it runs) fits
  (available_t + gained_t) x (1 - headroom_t), with gained_t the gains of priorities finished before year t;
- `starts_after` (finish-to-start, the strong time-indexed form): for every year t, "A has started by t"
  <= "B has finished by t - 1 - lag", i.e. S_A(t) <= S_B(t - duration_B - lag) with S the cumulative starts;
  `alongside`: S_A(t) <= S_B(t); a prerequisite that is an existing activity: S_A(t) <= r_B_t;
- `excludes`, `max_priorities`, `theme_min/max` on x as in the one-year model; `horizon_min/max` on the
  balance capacity used over the whole plan;
- must-dos, locks and year locks through column bounds; deadlines and earliest starts through which start
  columns exist.

The weak formulation (`formulation="weak"`) replaces each strong precedence family by x_A <= x_B and one
big-M row on the start years; it is kept only to measure the strong one against (bench/plan_speed.py).

With one year and no multi-year figures the model keeps exactly what `build_model` keeps (a test checks it).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .domain import HORIZONS, Portfolio, Priority
from .model import INF, Row, SelectionModel, _readable, pair_and_count_rows, pair_row, priority_weights, safe_name
from .result import Schedule

FORMULATIONS = ("strong", "weak")
# Below this many priorities HiGHS solves plans faster with the one-year model's small-model settings (the
# five-year sample: 0.5-0.8 s against 3.4-3.8 s); from it, with its default search (gen.py N=200, T=5:
# 5-15 s against 40-60+ s). Measured with bench/plan_speed.py.
PLAN_SMALL_BELOW = 100


@dataclass(frozen=True)
class PlanMap:
    """Which columns of the plan model are which start or run decisions."""

    years: int
    starts: dict[str, tuple[tuple[int, int], ...]]  # new priority -> ((column, start year), ...)
    runs: dict[str, tuple[tuple[int, int], ...]]  # existing activity -> ((column, year), ...)


def start_window(portfolio: Portfolio, p: Priority) -> list[int]:
    """The years a new priority may start in: from its earliest start, finishing within the plan and by its
    deadline, without forbidden years; a year lock leaves only its year (if it is in the window)."""
    years = portfolio.plan.years
    last_finish = min(years, p.deadline) if p.deadline is not None else years
    window = list(range(max(p.earliest_start, 1), last_finish - p.duration + 2))
    forbidden = {t for pid, t in portfolio.rules.forbidden_starts if pid == p.id}
    window = [t for t in window if t not in forbidden]
    locked = [t for pid, t in portfolio.rules.year_locks if pid == p.id]
    if locked:
        window = [t for t in window if t in locked]
    return window


def delivery_cost(p: Priority, dimension: str, start: int, year: int) -> float:
    """What priority p started in `start` costs of `dimension` in plan year `year` (0 outside its delivery)."""
    if year < start or year >= start + p.duration:
        return 0.0
    return p.cost_in(dimension, year - start + 1)


def plan_value_share(portfolio: Portfolio, p: Priority, start: int) -> float:
    """The share of its value a new priority started in `start` earns: 1 when finished within the plan,
    or in the per-year mode (years from its finishing year to the end of the plan) / plan years."""
    years = portfolio.plan.years
    if portfolio.plan.value_mode == "per_year":
        finish = start + p.duration - 1
        return max(years - finish + 1, 0) / years
    return 1.0


def build_plan_model(portfolio: Portfolio, formulation: str = "strong") -> tuple[SelectionModel, PlanMap]:
    """The plan of `portfolio.plan.years` years as one named mixed-integer model (see the module's notes)."""
    if formulation not in FORMULATIONS:
        raise ValueError(f"unknown formulation {formulation!r}")
    priorities = portfolio.priorities
    rules = portfolio.rules
    years = portfolio.plan.years
    ids = [p.id for p in priorities]
    index = {pid: i for i, pid in enumerate(ids)}
    n = len(ids)
    value, penalty = priority_weights(portfolio)

    objective: list[float] = [0.0] * n
    col_lower = [0.0] * n
    col_upper = [1.0] * n
    names: list[str] = []
    constant = -float(penalty.sum())
    rows: list[Row] = []
    starts: dict[str, tuple[tuple[int, int], ...]] = {}
    runs: dict[str, tuple[tuple[int, int], ...]] = {}

    def new_col(name: str, obj: float, lower: float = 0.0, upper: float = 1.0) -> int:
        objective.append(obj)
        col_lower.append(lower)
        col_upper.append(upper)
        names.append(name)
        return len(objective) - 1

    # Decisions in time, with their value: a new priority's value when started (by its start year in the
    # per-year mode); an existing activity earns value / years for each year it runs, and its drop penalty
    # is lost year by year too.
    locks = dict(rules.year_locks)
    for i, p in enumerate(priorities):
        tag = safe_name(p.id)
        if p.existing:
            cols = []
            stop = locks.get(p.id)
            for t in range(1, years + 1):
                low, high = 0.0, 1.0
                if stop is not None:
                    low = high = 1.0 if t < stop else 0.0
                cols.append((new_col(f"r_{tag}_{t}", (value[i] + penalty[i]) / years, low, high), t))
            runs[p.id] = tuple(cols)
            # x_i = r_i_1; r_i_t <= r_i_(t-1): once stopped it stays stopped.
            rows.append(
                Row(
                    f"link_{i}_{_readable(p.id)}",
                    "link",
                    p.id,
                    np.array([i, cols[0][0]]),
                    np.array([1.0, -1.0]),
                    0.0,
                    0.0,
                )
            )
            for (prev, _), (col, t) in zip(cols, cols[1:]):
                rows.append(
                    Row(
                        f"continues_{i}_{_readable(p.id)}_y{t}",
                        "continues",
                        p.id,
                        np.array([col, prev]),
                        np.array([1.0, -1.0]),
                        -INF,
                        0.0,
                    )
                )
            if p.must_do or p.id in rules.locked_in:  # a must-do (or locked-in) activity runs to the end
                for col, _ in cols:
                    col_lower[col] = 1.0
        else:
            objective[i] = float(penalty[i])
            cols = [
                (new_col(f"s_{tag}_{t}", float(value[i]) * plan_value_share(portfolio, p, t)), t)
                for t in start_window(portfolio, p)
            ]
            starts[p.id] = tuple(cols)
            link_cols = np.array([i] + [c for c, _ in cols])
            link_coefs = np.array([1.0] + [-1.0] * len(cols))
            rows.append(Row(f"link_{i}_{_readable(p.id)}", "link", p.id, link_cols, link_coefs, 0.0, 0.0))
            if p.id in locks:  # a year lock keeps it in (its window is that year)
                col_lower[i] = 1.0
        if p.must_do or p.id in rules.locked_in:
            col_lower[i] = 1.0
        if p.id in rules.locked_out:
            col_upper[i] = 0.0

    def started_by(pid: str, year: int) -> list[int]:
        """Columns whose sum is 1 when new priority pid has started by `year`."""
        return [c for c, t in starts[pid] if t <= year]

    # Capacity per dimension and year.
    for k, dim in enumerate(portfolio.dimensions):
        for t in range(1, years + 1):
            keep_free = 1.0 - dim.headroom_in(t) / 100.0
            cols: list[int] = []
            coefs: list[float] = []
            for p in priorities:
                if p.existing:
                    cost = p.cost(dim.name)
                    if cost:
                        cols.append(runs[p.id][t - 1][0])
                        coefs.append(cost)
                    continue
                gain = p.gain(dim.name)
                for c, u in starts[p.id]:
                    coef = delivery_cost(p, dim.name, u, t)
                    if gain and u + p.duration - 1 <= t - 1:  # finished before year t: its gain is there
                        coef -= gain * keep_free
                    if coef:
                        cols.append(c)
                        coefs.append(coef)
            rows.append(
                Row(
                    f"capacity_{k}_{_readable(dim.name)}_y{t}",
                    "capacity",
                    f"{dim.name}|{t}",
                    np.array(cols, dtype=np.int64),
                    np.array(coefs, dtype=float),
                    -INF,
                    dim.available_in(t) * keep_free,
                )
            )

    # The capacity over the whole plan per dimension: the sum of its yearly rows. Implied by them, it is
    # added as a cut (a knapsack row over the plan that the solver's cover cuts work on; bench/plan_speed.py).
    by_dimension: dict[str, list[Row]] = {}
    for row in rows:
        if row.kind == "capacity":
            by_dimension.setdefault(row.subject.split("|")[0], []).append(row)
    for k, dim in enumerate(portfolio.dimensions):
        yearly = by_dimension.get(dim.name, [])
        if len(yearly) < 2:
            continue
        total: dict[int, float] = {}
        for row in yearly:
            for c, v in zip(row.cols.tolist(), row.coefs.tolist()):
                total[c] = total.get(c, 0.0) + v
        cols_total = np.array(sorted(c for c in total if total[c]), dtype=np.int64)
        rows.append(
            Row(
                f"capacity_total_{k}_{_readable(dim.name)}",
                "capacity_total",
                dim.name,
                cols_total,
                np.array([total[c] for c in cols_total.tolist()]),
                -INF,
                float(sum(r.upper for r in yearly)),
            )
        )

    # Prerequisites in time.
    for i, p in enumerate(priorities):
        for other in p.requires:
            j = index[other]
            q = portfolio.priority(other)
            base_name = pair_row("starts_after", i, j, p.id, other)
            subject = f"{p.id}|{other}"
            # "A has started (or, existing, runs) in year t" as columns per year.
            if p.existing:
                a_by = {t: [runs[p.id][t - 1][0]] for t in range(1, years + 1)}
                a_years = list(range(1, years + 1))
            else:
                window = [t for _, t in starts[p.id]]
                # S_A is constant after its last possible start year: rows up to it suffice.
                a_years = list(range(min(window), max(window) + 1)) if window else []
                a_by = {t: started_by(p.id, t) for t in a_years}
            if q.existing:
                b_by = {t: [runs[other][t - 1][0]] for t in range(1, years + 1)}
            elif p.runs_alongside(other, years):
                b_by = {t: started_by(other, t) for t in range(1, years + 1)}
            else:
                shift = q.duration + p.lag(other)
                b_by = {t: started_by(other, t - shift) for t in range(1, years + 1)}
            if formulation == "weak" and not p.existing and not q.existing:
                rows.extend(weak_precedence(portfolio, p, q, i, j, starts, base_name, subject))
                continue
            for t in a_years:
                cols = a_by[t] + b_by[t]
                coefs = [1.0] * len(a_by[t]) + [-1.0] * len(b_by[t])
                rows.append(
                    Row(
                        f"{base_name}_y{t}",
                        "starts_after",
                        subject,
                        np.array(cols, dtype=np.int64),
                        np.array(coefs),
                        -INF,
                        0.0,
                    )
                )

    # Alternatives (at most one ever delivered), the count limit and theme limits over what is delivered.
    rows.extend(pair_and_count_rows(portfolio, index))

    # Horizon balance over the plan: each horizon's share of the balance capacity used over all years.
    if rules.horizon_bands:
        balance = portfolio.balance_capacity.name
        load_cols: list[int] = []
        load: list[float] = []
        horizon: list[int] = []
        for p in priorities:
            h = HORIZONS.index(p.horizon)
            if p.existing:
                cost = p.cost(balance)
                for c, _ in runs[p.id] if cost else ():
                    load_cols.append(c)
                    load.append(cost)
                    horizon.append(h)
                continue
            total = sum(p.cost_in(balance, y) for y in range(1, p.duration + 1))
            if total:
                for c, _ in starts[p.id]:
                    load_cols.append(c)
                    load.append(total)
                    horizon.append(h)
        cols_b = np.array(load_cols, dtype=np.int64)
        load_b = np.array(load, dtype=float)
        horizon_b = np.array(horizon)
        for band in rules.horizon_bands:
            in_h = (horizon_b == HORIZONS.index(band.horizon)).astype(float)
            if band.min_pct > 0:
                coefs_b = (in_h - band.min_pct / 100.0) * load_b
                rows.append(Row(f"horizon_min_{band.horizon}", "horizon_min", band.horizon, cols_b, coefs_b, 0.0, INF))
            if band.max_pct < 100:
                coefs_b = (in_h - band.max_pct / 100.0) * load_b
                rows.append(Row(f"horizon_max_{band.horizon}", "horizon_max", band.horizon, cols_b, coefs_b, -INF, 0.0))

    if len({r.name for r in rows}) != len(rows):
        raise AssertionError("two rules of the plan model share one name")
    model = SelectionModel(
        ids=ids,
        objective=np.array(objective, dtype=float),
        constant=constant,
        col_lower=np.array(col_lower, dtype=float),
        col_upper=np.array(col_upper, dtype=float),
        rows=rows,
        aux_names=tuple(names),
        tuning="plan-small" if n < PLAN_SMALL_BELOW else "plan",
    )
    return model, PlanMap(years, starts, runs)


def weak_precedence(
    portfolio: Portfolio,
    p: Priority,
    q: Priority,
    i: int,
    j: int,
    starts: dict[str, tuple[tuple[int, int], ...]],
    base_name: str,
    subject: str,
) -> list[Row]:
    """The weak form of "A starts after B": x_A <= x_B and one big-M row on the start years,
    sum t s_A_t - sum (t + shift) s_B_t >= 0 - M (1 - x_A), shift = duration_B + lag (0 alongside)."""
    shift = 0 if p.runs_alongside(q.id, portfolio.plan.years) else q.duration + p.lag(q.id)
    big_m = portfolio.plan.years + shift
    cols = [c for c, _ in starts[p.id]] + [c for c, _ in starts[q.id]] + [i]
    coefs = [float(t) for _, t in starts[p.id]] + [-float(t + shift) for _, t in starts[q.id]] + [-float(big_m)]
    return [
        Row(f"{base_name}_kept", "starts_after", subject, np.array([i, j]), np.array([1.0, -1.0]), -INF, 0.0),
        Row(
            f"{base_name}_years",
            "starts_after",
            subject,
            np.array(cols, dtype=np.int64),
            np.array(coefs),
            -float(big_m),
            INF,
        ),
    ]


def read_schedule(portfolio: Portfolio, plan_map: PlanMap, x: np.ndarray):
    """The plan's decisions from a solution vector: start years of new priorities, stop years of existing ones."""
    started = []
    stopped = []
    for p in portfolio.priorities:
        if p.existing:
            running = [t for c, t in plan_map.runs[p.id] if x[c] > 0.5]
            last = max(running, default=0)
            if last < plan_map.years:
                stopped.append((p.id, last + 1))
        else:
            chosen = [t for c, t in plan_map.starts[p.id] if x[c] > 0.5]
            if chosen:
                started.append((p.id, chosen[0]))
    return Schedule(tuple(started), tuple(stopped))


def schedule_vector(portfolio: Portfolio, plan_map: PlanMap, schedule: Schedule, num_cols: int) -> np.ndarray:
    """A schedule as the plan model's column values (x, start and run columns; other columns 0)."""
    x = np.zeros(num_cols)
    start_of, stop_of = schedule.start_of, schedule.stop_of
    for i, p in enumerate(portfolio.priorities):
        if p.existing:
            last = stop_of.get(p.id, plan_map.years + 1) - 1
            for col, t in plan_map.runs[p.id]:
                x[col] = 1.0 if t <= last else 0.0
            x[i] = 1.0 if last >= 1 else 0.0
        elif p.id in start_of:
            x[i] = 1.0
            for col, t in plan_map.starts[p.id]:
                x[col] = 1.0 if t == start_of[p.id] else 0.0
    return x
