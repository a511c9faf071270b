#!/usr/bin/env bash
# Mutation testing of the model builder and the independent rules checker (optimiser/model.py and
# optimiser/rules.py) with mutmut 3.8.1. Run by hand, not by `make test`; about 20-40 minutes on 2 cores.
#
#   bash scripts/mutation.sh              # a fresh clone of this repository's HEAD
#   bash scripts/mutation.sh --worktree   # the same, with this working tree's optimiser/ and tests/ copied over
#
# It works in a clone under /tmp (never in this checkout), makes its own venv (/tmp/mutation-venv, reused
# while requirements-dev.txt is unchanged), writes mutmut's configuration into the clone's pyproject.toml,
# runs mutmut and prints the counts. MUTATION_WORK=dir keeps the clone in dir; MUTATION_VENV=dir moves the venv.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
MUTMUT_VERSION="3.8.1"
PYTHON="${PYTHON:-$(command -v python3.11 || command -v python3)}"
VENV="${MUTATION_VENV:-/tmp/mutation-venv}"
WORK="${MUTATION_WORK:-$(mktemp -d /tmp/mutation.XXXXXX)}"
WORKTREE=0
[ "${1:-}" = "--worktree" ] && WORKTREE=1

# 1. The venv: the project's pinned test requirements plus the pinned mutation tool.
STAMP="$VENV/.mutation-stamp"
WANT="$(cat "$ROOT/requirements.txt" "$ROOT/requirements-dev.txt" | sha256sum | cut -c1-16)-mutmut-$MUTMUT_VERSION"
if [ ! -f "$STAMP" ] || [ "$(cat "$STAMP")" != "$WANT" ]; then
  echo "Creating $VENV ..."
  rm -rf "$VENV"
  "$PYTHON" -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet --upgrade pip 2>&1 | grep -v '^WARNING: Location' || true
  "$VENV/bin/python" -m pip install --quiet -r "$ROOT/requirements-dev.txt" "mutmut==$MUTMUT_VERSION" 2>&1 |
    grep -v '^WARNING: Location' || true
  "$VENV/bin/python" -c "import mutmut, pytest, hypothesis, highspy, pulp"
  echo "$WANT" >"$STAMP"
fi

# 2. The clone. The reference generator of bench/gen_portfolio.py lives beside the project (shared/bench):
# link it beside the clone, where both the clone and mutmut's copy of it (clone/mutants) look for it.
rm -rf "$WORK/main"
git clone -q "$ROOT" "$WORK/main"
if [ "$WORKTREE" = 1 ]; then
  cp "$ROOT"/optimiser/*.py "$WORK/main/optimiser/"
  rm -rf "$WORK/main/tests" && cp -r "$ROOT/tests" "$WORK/main/tests"
  find "$WORK/main/tests" -name __pycache__ -prune -exec rm -rf {} +
fi
# test_8_a_time_limited_answer_is_labelled_as_such gives CBC 0.5 s on 5,000 priorities: which of its branches
# it takes depends on how busy the machine is, so it says nothing reliable about a mutant and is left out.
DESELECT='"--deselect", "tests/unit/test_trust_findings.py::test_8_a_time_limited_answer_is_labelled_as_such", '
if [ -f "$ROOT/../shared/bench/gen.py" ]; then
  ln -sfn "$(cd "$ROOT/../shared" && pwd)" "$WORK/shared"  # for bench/gen_portfolio.py; no test needs it
fi
cd "$WORK/main"

# 3. The configuration. Only model.py and rules.py are mutated (the rest of the package is copied as is);
# each mutant runs the tests of this fast, relevant subset that reach the mutated function, fastest first.
# A root conftest.py (copied into mutmut's work tree) makes Hypothesis deterministic and database-free, so
# two runs over the same code give the same counts.
SELECTION=""
for test in test_model test_brute_force test_one_model test_trust_findings test_rule_rows; do
  if [ -f "tests/unit/$test.py" ]; then SELECTION="$SELECTION\"tests/unit/$test.py\", "; fi
done
if ! grep -q '^\[tool\.mutmut\]' pyproject.toml; then
  cat >>pyproject.toml <<EOF

[tool.mutmut]
source_paths = ["optimiser"]
only_mutate = ["optimiser/model.py", "optimiser/rules.py"]
also_copy = ["optimiser", "sample_data", "bench", "conftest.py"]
pytest_add_cli_args_test_selection = [${SELECTION}]
pytest_add_cli_args = [${DESELECT}"-p", "no:cacheprovider"]
EOF
fi
cat >conftest.py <<'EOF'
"""Mutation runs only: deterministic Hypothesis examples and no example database."""

from hypothesis import settings

settings.register_profile("mutation", derandomize=True, database=None, print_blob=False)
settings.load_profile("mutation")
EOF

# 4. The run.
echo "Running mutmut $MUTMUT_VERSION in $WORK/main (log: $WORK/mutmut-run.log) ..."
started=$(date +%s)
status=0
"$VENV/bin/mutmut" run >"$WORK/mutmut-run.log" 2>&1 || status=$?
elapsed=$(($(date +%s) - started))
if [ "$status" != 0 ]; then
  tail -n 40 "$WORK/mutmut-run.log"
  echo "mutmut run failed (exit $status)"
  exit "$status"
fi

# 5. The summary: mutmut's own counts, the mutants per file, and every mutant that was not killed.
"$VENV/bin/mutmut" results --all true >"$WORK/mutmut-results.txt"
"$VENV/bin/mutmut" export-cicd-stats >/dev/null
echo
echo "mutmut $MUTMUT_VERSION over optimiser/model.py and optimiser/rules.py: ${elapsed}s"
tr '\r' '\n' <"$WORK/mutmut-run.log" | grep -E '^. [0-9]+/[0-9]+ ' | tail -n 1 || true
cat mutants/mutmut-cicd-stats.json
echo
echo "Mutants per file:"
sed -E 's/^ *optimiser\.(model|rules)\..*/optimiser\/\1.py/' "$WORK/mutmut-results.txt" | sort | uniq -c
echo
echo "Not killed (see one with: cd $WORK/main && $VENV/bin/mutmut show NAME):"
grep -v ': killed$' "$WORK/mutmut-results.txt" || echo "    none"
