"""Robustness: ranges in the files, seeded sampling, selection frequencies and the most influential judgements."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pytest

from optimiser import robustness as robust_module
from optimiser.__main__ import main
from optimiser.errors import PortfolioError
from optimiser.excel import read_workbook, template_workbook
from optimiser.formats import portfolio_from_json, portfolio_to_json, priorities_from_csv, priorities_to_csv
from optimiser.robustness import judgements, robustness, triangular
from optimiser.rules import check_rules
from optimiser.solve import solve
from tests.builders import portfolio, priority


def two_priorities(b_low: float = 3.0, b_high: float = 7.0):
    """Room for one of two: A is worth 5 for sure; B is worth 5 most likely, 3 to 7."""
    return portfolio(
        [
            priority("A", cost=1, value=5),
            priority("B", cost=1, value=5, ranges={"score:benefit": {"low": b_low, "high": b_high}}),
        ],
        capacity=1,
    )


# ------------------------------------------------------------------ ranges in the files


def test_ranges_load_from_json_and_from_table_text():
    p = portfolio([priority("A", cost=3, value=6, ranges={"score:benefit": {"low": 4, "high": 9}})])
    assert p.priority("A").ranges == (("score:benefit", 4.0, 9.0),)
    text = "id,name,source,horizon,cost:ops,score:benefit,ranges\nA,A,local,short,3,6,score:benefit=4..9; cost:ops=2.5..4\n"
    loaded = priorities_from_csv(text, p)
    assert loaded.priority("A").ranges == (("score:benefit", 4.0, 9.0), ("cost:ops", 2.5, 4.0))


def test_ranges_survive_json_csv_and_excel_round_trips():
    p = portfolio(
        [
            priority(
                "A", cost=3, value=6, ranges={"score:benefit": {"low": 4, "high": 9}, "cost:ops": {"low": 2, "high": 5}}
            )
        ]
    )
    p = replace(p, criteria=(replace(p.criteria[0], spread_pct=20),))
    assert portfolio_from_json(portfolio_to_json(p)) == p
    assert priorities_from_csv(priorities_to_csv(p), p) == p
    assert read_workbook(template_workbook(p)) == replace(p, name=read_workbook(template_workbook(p)).name)


@pytest.mark.parametrize(
    "ranges, words",
    [
        ({"score:benefit": {"low": 7, "high": 9}}, "the likely figure (the score itself) is 6"),
        ({"score:benefit": {"low": 4, "high": 11}}, "out of range"),
        ({"score:benfit": {"low": 4, "high": 9}}, "Did you mean 'score:benefit'?"),
        ({"score:benefit": [4, 9]}, "must be an object {low, high}"),
        ({"score:benefit": {"low": 4, "hi": 9}}, "unknown field 'hi'"),
        ("score:benefit=4-9", "is not a range"),
        ("score:benefit=4..\u000b9", "control character"),
    ],
)
def test_a_bad_range_is_refused_naming_the_priority_and_saying_how_to_fix_it(ranges, words):
    with pytest.raises(PortfolioError) as caught:
        portfolio([priority("A", cost=3, value=6, ranges=ranges)])
    problem = caught.value.problems[0]
    assert problem.priority_id == "A" and problem.row == 1 and problem.field.startswith("ranges")
    assert words in problem.message


def test_a_global_spread_gives_a_range_to_every_score_of_its_criterion_kept_within_0_to_10():
    p = portfolio([priority("A", value=8), priority("B", value=0)])
    p = replace(p, criteria=(replace(p.criteria[0], spread_pct=50),))
    found = judgements(p)
    assert [(j.priority_id, j.column, j.low, j.likely, j.high) for j in found] == [("A", "score:benefit", 4, 8, 10)]


def test_a_bad_spread_is_refused_with_its_field():
    from optimiser.parsing import parse_portfolio
    from tests.builders import raw_portfolio

    raw = raw_portfolio([priority("A")])
    raw["criteria"][0]["spread_pct"] = 150
    with pytest.raises(PortfolioError) as caught:
        parse_portfolio(raw)
    assert caught.value.problems[0].field == "criterion 'benefit' spread_pct"


# ------------------------------------------------------------------ sampling and frequencies


def test_triangular_draws_follow_the_inverse_distribution_function():
    u = np.array([0.0, 0.5, 1.0 - 1e-12, 0.25])
    draws = triangular(u, np.full(4, 3.0), np.full(4, 5.0), np.full(4, 7.0))
    assert draws == pytest.approx([3.0, 5.0, 7.0, 3 + np.sqrt(0.25 * 4 * 2)])
    assert triangular(np.array([0.3]), np.array([2.0]), np.array([2.0]), np.array([2.0])) == pytest.approx([2.0])


def test_the_two_priority_case_has_exactly_the_frequency_of_its_draws():
    # B is kept exactly when its drawn score is above 5, i.e. when its uniform number is 0.5 or more (the range
    # is symmetric about 5), so the frequency is the share of the seed's uniform numbers at or above 0.5.
    samples, seed = 200, 7
    found = robustness(two_priorities(), samples, seed, workers=1)
    u = np.random.default_rng(seed).random((samples, 1))[:, 0]
    assert found.frequency("B").frequency == pytest.approx(float((u >= 0.5).mean()))
    assert found.frequency("A").frequency == pytest.approx(float((u < 0.5).mean()))
    assert abs(found.frequency("B").frequency - 0.5) < 3 * found.frequency("B").standard_error
    se = found.frequency("B").standard_error
    f = found.frequency("B").frequency
    assert se == pytest.approx(np.sqrt(f * (1 - f) / samples))


def test_the_most_influential_judgement_is_the_one_that_decides_and_its_halves_are_exact():
    found = robustness(two_priorities(), 100, 3, workers=1)
    top = found.influential[0]
    assert (top.judgement.priority_id, top.judgement.column) == ("B", "score:benefit")
    assert {top.when_low, top.when_high} == {0.0, 1.0}
    # A and B each move from 0 to 1 or back; each shift counts beyond three times its standard error
    u = np.random.default_rng(3).random((100, 1))[:, 0]
    upper, f = int((u >= 0.5).sum()), found.frequency("B").frequency
    noise = 3 * np.sqrt(f * (1 - f) * (1 / upper + 1 / (100 - upper)))
    assert top.influence == pytest.approx(2 * (1 - noise))
    assert len(found.influential) == 1  # no other judgement: A's score and both costs are certain


def test_forced_locked_and_never_fitting_priorities_have_frequency_100_or_0():
    p = portfolio(
        [
            priority("M", cost=1, value=1, must_do=True),
            priority("L", cost=1, value=1),
            priority("O", cost=1, value=9),
            priority("BIG", cost=30, value=9, ranges={"cost:ops": {"low": 20, "high": 40}}),
            priority("X", cost=3, value=5),
            priority("Y", cost=3, value=5),
        ],
        capacity=6,
        rules={"locked_in": ["L"], "locked_out": ["O"]},
    )
    p = replace(
        p, criteria=(replace(p.criteria[0], spread_pct=40),), dimensions=(replace(p.dimensions[0], spread_pct=30),)
    )
    found = robustness(p, 60, 1)
    assert found.solved + found.infeasible == 60 and found.solved > 0
    freq = {f.priority_id: f.frequency for f in found.priorities}
    assert freq["M"] == freq["L"] == 1.0
    assert freq["O"] == freq["BIG"] == 0.0
    assert found.frequency("M").band == "kept" and found.frequency("BIG").band == "dropped"


def test_zero_width_ranges_give_every_frequency_0_or_100_equal_to_the_base_solve(sample):
    sample = replace(
        sample,
        criteria=tuple(replace(c, spread_pct=0.0) for c in sample.criteria),
        dimensions=tuple(replace(d, spread_pct=0.0) for d in sample.dimensions),
        priorities=tuple(replace(p, ranges=()) for p in sample.priorities),
    )
    first = sample.priorities[0]
    zero = tuple((column, value, value) for column, value in [("score:" + n, v) for n, v in first.scores[:2]])
    p = replace(sample, priorities=(replace(first, ranges=zero), *sample.priorities[1:]))
    found = robustness(p, 4, 1)
    base = solve(p)
    assert found.judgements == 0 and found.solved == 4
    assert {f.priority_id: f.frequency for f in found.priorities} == {
        q.id: (1.0 if q.id in base.kept else 0.0) for q in p.priorities
    }


def test_check_rules_passes_on_every_sampled_solve(monkeypatch):
    calls = []
    real = robust_module.assert_rules

    def checking(portfolio, kept, what="a selection"):
        assert check_rules(portfolio, kept) == ()
        calls.append(frozenset(kept))
        return real(portfolio, kept, what)

    monkeypatch.setattr(robust_module, "assert_rules", checking)
    p = two_priorities()
    p = replace(p, dimensions=(replace(p.dimensions[0], spread_pct=50),))
    found = robustness(p, 30, 2, workers=1)
    assert len(calls) == found.solved == 30


def test_the_same_seed_gives_the_same_answer_and_progress_is_reported():
    seen = []
    a = robustness(two_priorities(), 25, 11, progress=lambda done, total: seen.append((done, total)))
    b = robustness(two_priorities(), 25, 11)
    assert a.priorities == b.priorities and a.influential == b.influential
    assert seen[-1] == (25, 25) and [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_the_number_of_samples_is_checked():
    with pytest.raises(ValueError, match="from 1 to 10,000"):
        robustness(two_priorities(), 0)


# ------------------------------------------------------------------ command line


def test_the_robust_command_prints_bands_and_a_json_document(tmp_path, capsys):
    path = tmp_path / "p.json"
    path.write_text(portfolio_to_json(two_priorities()), encoding="utf-8")
    assert main(["robust", str(path), "--samples", "40", "--seed", "3"]) == 0
    text = capsys.readouterr().out
    assert "40 samples (seed 3)" in text and "Contested" in text and "Priority B (B)" in text
    assert main(["robust", str(path), "--samples", "40", "--seed", "3", "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["samples"] == 40 and document["solved_samples"] == 40
    assert {p["id"]: p["band"] for p in document["priorities"]} == {"A": "contested", "B": "contested"}
    assert document["influential"][0]["column"] == "score:benefit"
    assert main(["robust", str(path), "--samples", "0"]) == 2


def test_the_board_pack_has_a_readiness_and_robustness_section():
    from reports.board_pack import board_pack_html

    p = two_priorities()
    p = replace(p, priorities=(replace(p.priorities[0], readiness=(("data", 1),)), p.priorities[1]))
    result = solve(p)
    found = robustness(p, 40, 3)
    document = board_pack_html(p, result, robust=found)
    assert "<h2>Readiness and robustness</h2>" in document
    assert "40 samples (seed 3)" in document and "contested priority" in document
    assert "narrow these first" in document
    assert "Value at risk from low readiness" in document
    assert "<h2>Readiness and robustness</h2>" not in board_pack_html(
        portfolio([priority("A")]), solve(portfolio([priority("A")]))
    )


@pytest.mark.parametrize("name", ["a;b", '"quoted"', "x=y", "a..b", "&amp; ; = ..", 'say "hi"; bye', "ends="])
def test_ranges_of_any_criterion_name_survive_the_table_text(name):
    from optimiser.parsing import parse_portfolio
    from tests.builders import raw_portfolio

    raw = raw_portfolio([priority("A", value=6, ranges={f"score:{name}": {"low": 4, "high": 9.123456789}})])
    raw["criteria"][0]["name"] = name
    raw["priorities"][0]["scores"] = {name: 6}
    p = parse_portfolio(raw)
    assert p.priority("A").ranges == ((f"score:{name}", 4.0, 9.123456789),)
    assert priorities_from_csv(priorities_to_csv(p), p) == p


def test_an_unclosed_quote_in_the_ranges_text_is_refused():
    p = portfolio([priority("A", value=6)])
    text = 'id,name,source,horizon,cost:ops,score:benefit,ranges\nA,A,local,short,1,6,"""score:benefit=4..9"\n'
    with pytest.raises(PortfolioError, match="opens a quote that is not closed"):
        priorities_from_csv(text, p)


def test_no_judgement_is_named_when_no_shift_stands_clear_of_the_noise():
    # C's score range never changes anything: A is kept for sure (it alone fits), C never fits.
    p = portfolio(
        [
            priority("A", cost=1, value=5),
            priority("C", cost=5, value=5, ranges={"score:benefit": {"low": 1, "high": 9}}),
        ],
        capacity=1,
    )
    found = robustness(p, 50, 1, workers=1)
    assert found.judgements == 1 and found.influential == ()


def test_renaming_a_criterion_in_the_settings_drops_its_ranges_and_keeps_the_others():
    from optimiser.parsing import replace_settings

    p = portfolio(
        [
            priority(
                "A", cost=3, value=6, ranges={"score:benefit": {"low": 4, "high": 9}, "cost:ops": {"low": 2, "high": 5}}
            )
        ]
    )
    changed = replace_settings(p, criteria=[{"name": "gain", "weight": 1}])
    assert changed.priority("A").ranges == (("cost:ops", 2.0, 5.0),)
