"""The tool's solve against plain PuLP on `../shared/bench/gen.py` instances, interleaved.

    .venv/bin/python -m bench.vs_pulp                                  # N 200..20,000, K 3 and 5, 3 seeds
    .venv/bin/python -m bench.vs_pulp --sizes 200,1000 --seeds 1

"Plain PuLP" is what a Python analyst writes by hand: `LpVariable.dicts` binaries, `lpSum` rows for each
capacity, prerequisite, alternative pair and the count cap, must-dos fixed at 1, solved with PuLP's default
CBC (`PULP_CBC_CMD(msg=False)`) and PuLP's HiGHS (`HiGHS(msg=False)`), build included. The tool is timed from
its portfolio to a checked answer: `optimiser.solve.solve` (model build, solve, `check_rules`, figures).
For each instance the three runs are interleaved in a rotating order; the optima must agree (within
PuLP+HiGHS's default relative gap of 1e-4, the loosest of the three), and the tool's answer must be proven.

Prints one row per N and K: median [min-max] seconds of each, the ratio tool / best plain PuLP (per
instance, then the median and worst over seeds), and how many of the tool's answers were proven optimal.
"""

from __future__ import annotations

import argparse
import statistics
import time

import pulp

from bench.gen_portfolio import gen_module, gen_portfolio
from optimiser.solve import solve


def plain_pulp(inst, solver: str, time_limit: float) -> tuple[float, float]:
    """Build and solve one gen.py instance with plain PuLP; (seconds, objective)."""
    started = time.perf_counter()
    n, k = inst.N, inst.K
    prob = pulp.LpProblem("plain", pulp.LpMaximize)
    x = pulp.LpVariable.dicts("x", range(n), cat="Binary")
    prob += pulp.lpSum(float(inst.score[i]) * x[i] for i in range(n))
    for c in range(k):
        prob += pulp.lpSum(float(inst.cost[i, c]) * x[i] for i in range(n) if inst.cost[i, c]) <= float(inst.cap[c])
    for i, j in inst.prereqs:
        prob += x[i] <= x[j]
    for i, j in inst.exclusions:
        prob += x[i] + x[j] <= 1
    for m in inst.mandatory:
        prob += x[m] == 1
    if inst.max_selected is not None:
        prob += pulp.lpSum(x.values()) <= inst.max_selected
    if solver == "cbc":
        engine = pulp.PULP_CBC_CMD(msg=False, timeLimit=time_limit)
    else:
        engine = pulp.HiGHS(msg=False, timeLimit=time_limit)
    prob.solve(engine)
    seconds = time.perf_counter() - started
    if prob.sol_status not in (pulp.LpSolutionOptimal, pulp.LpSolutionIntegerFeasible):
        return seconds, float("nan")
    return seconds, float(pulp.value(prob.objective))


def tool(portfolio, time_limit: float) -> tuple[float, float, bool]:
    started = time.perf_counter()
    result = solve(portfolio, time_limit=time_limit)
    return time.perf_counter() - started, float(result.objective or float("nan")), result.status == "optimal"


def summary(values: list[float]) -> str:
    return f"{statistics.median(values):.3f} [{min(values):.3f}-{max(values):.3f}]"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="200,1000,5000,20000")
    parser.add_argument("--dims", default="3,5")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--time-limit", type=float, default=300.0)
    args = parser.parse_args()
    gen = gen_module()
    # One untimed round first, so that no timed run pays for loading a solver library (highspy, CBC's binary).
    warm = gen.generate(N=60, K=3, seed=99)
    tool(gen_portfolio(60, 3, 99), args.time_limit)
    plain_pulp(warm, "cbc", args.time_limit)
    plain_pulp(warm, "highs", args.time_limit)
    print("| N | K | tool s | plain CBC s | plain HiGHS s | ratio median [worst] | tool proven | optima agree |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |", flush=True)
    for n in (int(v) for v in args.sizes.split(",")):
        for k in (int(v) for v in args.dims.split(",")):
            times: dict[str, list[float]] = {"tool": [], "cbc": [], "highs": []}
            ratios: list[float] = []
            proven = 0
            agree = 0
            for seed in range(args.seeds):
                inst = gen.generate(N=n, K=k, seed=seed)
                portfolio = gen_portfolio(n, k, seed)
                got: dict[str, tuple[float, float]] = {}
                order = ["tool", "cbc", "highs"]
                order = order[seed % 3 :] + order[: seed % 3]  # interleave: each goes first once in 3 seeds
                for who in order:
                    if who == "tool":
                        seconds, objective, ok = tool(portfolio, args.time_limit)
                        proven += ok
                        got[who] = (seconds, objective)
                    else:
                        got[who] = plain_pulp(inst, who, args.time_limit)
                    times[who].append(got[who][0])
                best = min(got["cbc"][0], got["highs"][0])
                ratios.append(got["tool"][0] / best)
                objectives = [v[1] for v in got.values()]
                top = max(objectives)
                agree += all(abs(top - v) <= 1e-4 * max(abs(top), 1.0) for v in objectives)
            print(
                f"| {n:,} | {k} | {summary(times['tool'])} | {summary(times['cbc'])} | {summary(times['highs'])} | "
                f"{statistics.median(ratios):.2f} [{max(ratios):.2f}] | {proven}/{args.seeds} | "
                f"{agree}/{args.seeds} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
