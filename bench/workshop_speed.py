"""Workshop speed on the sample portfolio with 20 participants.

    .venv/bin/python -m bench.workshop_speed [--url sqlite:///... | postgresql+psycopg://...] [--people 20]

1. The facilitator view's refresh: read who has answered and every answer from the store, then the group's
   scores, the group solve and one solve per participant (20), uncached: every participant has scored all 48
   priorities on all 6 criteria. Target under 2 s.
2. A participant's answer stored (one score, as a click on the participant page stores it) while all 20 write at
   once, each from a process of its own, every participant giving all their scores: the 50th and 95th percentile
   and the worst. Target under 100 ms at the 95th percentile.

Without --url it uses a new SQLite file in a temporary directory. Every measured run counts (none are dropped).
"""

from __future__ import annotations

import argparse
import multiprocessing
import random
import statistics
import tempfile
import time
from pathlib import Path

from optimiser.formats import load_portfolio
from optimiser.workshop import outcome, select
from optimiser.workshop_store import WorkshopStore

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_data" / "icb_portfolio.json"
REFRESHES = 5


def _writer(url: str, token: str, cells: list, seed: int, barrier, latencies) -> None:
    store = WorkshopStore(url)
    store.me(token)  # warm: the workshop's portfolio parsed once per process, as in a running server
    rng = random.Random(seed)
    mine = []
    barrier.wait(timeout=300)
    for cell in cells:
        started = time.perf_counter()
        store.save_scores(token, {tuple(cell): float(rng.randint(0, 10))})
        mine.append(time.perf_counter() - started)
    latencies.extend(mine)
    store.engine.dispose()


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(pct / 100 * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", default=None)
    parser.add_argument("--people", type=int, default=20)
    parser.add_argument("--cells", type=int, default=48, help="answers each participant writes in part 2")
    args = parser.parse_args()
    tmp = tempfile.TemporaryDirectory()
    url = args.url or f"sqlite:///{Path(tmp.name) / 'scenarios.db'}"
    sample = load_portfolio(SAMPLE)
    store = WorkshopStore(url)
    keys = store.create(
        sample,
        title="Speed",
        criteria=[c.name for c in sample.criteria],
        priorities=[p.id for p in sample.priorities],
    )
    workshop = store.facilitated(keys.facilitator_token)
    tokens = [store.join(keys.join_token, f"Person {i + 1}")[0] for i in range(args.people)]
    print(f"store: {url.split('@')[-1]}; {args.people} participants; sample: {len(sample.priorities)} priorities")

    # 2. Concurrent answer writes (first, on an empty answers table as at the start of a workshop).
    cells = [list(c) for c in workshop.cells[: args.cells]]
    context = multiprocessing.get_context("spawn")
    with context.Manager() as manager:
        barrier = manager.Barrier(args.people)
        latencies = manager.list()
        processes = [
            context.Process(target=_writer, args=(url, token, cells, i, barrier, latencies))
            for i, token in enumerate(tokens)
        ]
        started = time.perf_counter()
        for p in processes:
            p.start()
        for p in processes:
            p.join(timeout=600)
        wall = time.perf_counter() - started
        values = list(latencies)
    failed = [p.exitcode for p in processes if p.exitcode != 0]
    print(
        f"answer stored while {args.people} write at once ({len(values)} writes of one score, {len(cells)} each): "
        f"p50 {1000 * percentile(values, 50):.1f} ms, p95 {1000 * percentile(values, 95):.1f} ms, "
        f"worst {1000 * max(values):.1f} ms (target p95 < 100 ms); wall {wall:.1f} s incl. process start"
        + (f"; FAILED processes: {failed}" if failed else "")
    )

    # Every participant scores every cell (one batch each) for the facilitator view.
    for i, token in enumerate(tokens):
        rng = random.Random(1000 + i)
        store.save_scores(
            token,
            {
                (pid, c): float(max(0, min(10, sample.priority(pid).score(c) + rng.randint(-3, 3))))
                for pid, c in workshop.cells
            },
        )

    # 1. The facilitator view's refresh, uncached.
    times = []
    for _ in range(REFRESHES):
        started = time.perf_counter()
        store.progress(keys.facilitator_token)
        answers = store.all_answers(keys.facilitator_token)
        result = outcome(sample, answers)
        times.append(time.perf_counter() - started)
    proven = sum(v.selection.proven for v in result.views)

    # 1b. As the app refreshes: participants' kept sets cached by their answers (as `cached_select` does), after
    # one participant changed one score.
    cache: dict = {}

    def cached(portfolio, solver, time_limit, start):
        key = (portfolio, solver, time_limit, start)
        if key not in cache:
            cache[key] = select(portfolio, solver, time_limit, start)
        return cache[key]

    outcome(sample, store.all_answers(keys.facilitator_token), selector=cached)
    pid, criterion = workshop.cells[0]
    store.save_scores(tokens[0], {(pid, criterion): 10.0 if sample.priority(pid).score(criterion) < 5 else 0.0})
    started = time.perf_counter()
    store.progress(keys.facilitator_token)
    outcome(sample, store.all_answers(keys.facilitator_token), selector=cached)
    incremental = time.perf_counter() - started
    print(
        f"facilitator view refresh ({args.people} participants x {len(workshop.cells)} scores: read, aggregate, "
        f"group solve, {len(result.views)} per-participant solves): median {statistics.median(times):.2f} s, "
        f"worst {max(times):.2f} s over {REFRESHES} refreshes (target < 2 s); group {result.group_result.status}, "
        f"{proven} of {len(result.views)} views proven optimal, {len(result.flipping)} decisions flip"
    )
    print(f"facilitator view refresh as the app does it, after one participant changed one score: {incremental:.2f} s")
    store.engine.dispose()
    tmp.cleanup()


if __name__ == "__main__":
    main()
