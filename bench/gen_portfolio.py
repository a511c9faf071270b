"""Reference instances from `../shared/bench/gen.py` as portfolios of this tool (for benchmarks and checks).

The generator lives beside the project (`shared/bench/gen.py`); its long-term *value* share rule is left out,
because this tool measures the horizon balance as a share of one capacity (see the README)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

from optimiser.domain import HORIZONS, CapacityDimension, Criterion, Portfolio, Priority, Rules

ROOT = Path(__file__).resolve().parent.parent
CANDIDATES = (ROOT.parent / "shared" / "bench" / "gen.py", ROOT / ".." / ".." / "shared" / "bench" / "gen.py")


def gen_module():
    """The shared generator module, loaded from its file."""
    for path in CANDIDATES:
        if path.exists():
            spec = importlib.util.spec_from_file_location("shared_gen", path)
            module = importlib.util.module_from_spec(spec)
            sys.modules["shared_gen"] = module
            spec.loader.exec_module(module)
            return module
    raise FileNotFoundError("shared/bench/gen.py was not found beside the project")


def gen_portfolio(n: int, k: int, seed: int) -> Portfolio:
    """One gen.py instance: its costs, capacities, weighted scores (one criterion), prerequisites,
    exclusions, must-dos and count cap; no balance rule and no sensitivity penalty."""
    inst = gen_module().generate(N=n, K=k, seed=seed)
    ids = [f"G{i:05d}" for i in range(n)]
    requires: list[list[str]] = [[] for _ in range(n)]
    for i, j in inst.prereqs:
        requires[i].append(ids[j])
    excludes: list[list[str]] = [[] for _ in range(n)]
    for i, j in inst.exclusions:
        excludes[i].append(ids[j])
    mandatory = set(int(m) for m in inst.mandatory)
    dims = [f"d{k_}" for k_ in range(k)]
    priorities = tuple(
        Priority(
            id=ids[i],
            name=f"Generated priority {i}",
            source="national" if i in mandatory else "local",
            owner="",
            theme=f"theme {int(inst.theme[i])}",
            horizon=HORIZONS[int(inst.horizon[i])],
            costs=tuple((dims[c], float(inst.cost[i, c])) for c in range(k)),
            scores=(("score", float(inst.score[i])),),
            must_do=i in mandatory,
            requires=tuple(requires[i]),
            excludes=tuple(excludes[i]),
        )
        for i in range(n)
    )
    return Portfolio(
        name=f"gen.py N={n} K={k} seed={seed}",
        dimensions=tuple(CapacityDimension(dims[c], "units", float(inst.cap[c])) for c in range(k)),
        criteria=(Criterion("score", 1.0),),
        priorities=priorities,
        rules=Rules(max_priorities=inst.max_selected, sensitivity_penalty=0.0),
    )
