"""`python -m optimiser solve` prints the result and exits non-zero with a clear message on bad input."""

import json
import subprocess
import sys
from pathlib import Path

from tests.builders import priority, raw_portfolio

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "optimiser", *args], cwd=ROOT, capture_output=True, text=True)


def test_solve_prints_kept_set_value_capacity_and_balance():
    out = run("solve", "sample_data/icb_portfolio.json")
    assert out.returncode == 0, out.stderr
    assert "Status: optimal" in out.stdout
    assert "Kept 17 of 48 priorities; weighted value 1,105.5" in out.stdout
    assert "operational" in out.stdout and "of      591.3 WTE-months" in out.stdout
    assert "Long (3+ years)" in out.stdout


def test_solve_accepts_a_csv_table_with_settings(tmp_path):
    from optimiser.formats import load_portfolio, priorities_to_csv

    table = tmp_path / "priorities.csv"
    table.write_text(priorities_to_csv(load_portfolio(ROOT / "sample_data" / "icb_portfolio.json")))
    out = run("solve", str(table), "--settings", "sample_data/icb_portfolio.json")
    assert out.returncode == 0, out.stderr
    assert "Kept 17 of 48" in out.stdout


def test_bad_input_exits_2_naming_the_problem(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(raw_portfolio([priority("A", scores={"benefit": 42})])))
    out = run("solve", str(path))
    assert out.returncode == 2
    assert "Row 1, priority A, field 'score:benefit': 42 is out of range" in out.stderr


def test_missing_file_exits_2():
    out = run("solve", "no/such/file.json")
    assert out.returncode == 2 and "File not found" in out.stderr


def test_infeasible_portfolio_exits_1_and_names_the_conflict(tmp_path):
    path = tmp_path / "tight.json"
    path.write_text(json.dumps(raw_portfolio([priority("M", cost=20, must_do=True)], capacity=10)))
    out = run("solve", str(path))
    assert out.returncode == 1
    assert "over by 10" in out.stdout


def test_explain_prints_a_block_per_priority_and_the_trade_offs():
    out = run("explain", "sample_data/icb_portfolio.json")
    assert out.returncode == 0, out.stderr
    assert "The national must-dos cost the local agenda 83.5 of net value" in out.stdout
    assert "A simple ranking would reach a net value of 955.5 against 965.5 optimised" in out.stdout
    assert out.stdout.count(": KEPT (weighted value") == 17 and out.stdout.count(": DROPPED (weighted value") == 31
    assert (
        "Bringing Extend same-day emergency care hours (LOC-UEC03) in would lose 20 of net value and displace"
        in out.stdout
    )


def test_explain_prints_the_diagnosis_when_rules_conflict(tmp_path):
    path = tmp_path / "tight.json"
    path.write_text(json.dumps(raw_portfolio([priority("M", cost=20, must_do=True)], capacity=10)))
    out = run("explain", str(path))
    assert out.returncode == 1
    assert "Raise ops capacity from 10 to 20 days." in out.stdout


def test_frontier_prints_capacity_value_and_entries():
    out = run("frontier", "sample_data/icb_portfolio.json", "--dimension", "operational", "--points", "6")
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0] == "Frontier for operational capacity (usable after headroom; today 591.3 WTE-months)"
    assert "312  no selection" in out.stdout
    assert "LOC-UEC02, LOC-PRV03, LOC-DIG02 (out: LOC-NH03, LOC-PRV02)" in out.stdout


def test_frontier_names_an_unknown_dimension():
    out = run("frontier", "sample_data/icb_portfolio.json", "--dimension", "money")
    assert out.returncode == 2 and "no capacity dimension 'money'" in out.stderr


def test_report_writes_a_pdf_and_an_html_board_pack(tmp_path):
    pdf = tmp_path / "pack.pdf"
    out = run("report", "sample_data/icb_portfolio.json", "--out", str(pdf), "--name", "December board")
    assert out.returncode == 0, out.stderr
    assert pdf.read_bytes().startswith(b"%PDF")
    html = tmp_path / "pack.html"
    assert run("report", "sample_data/icb_portfolio.json", "--out", str(html)).returncode == 0
    assert "Kept priorities (17)" in html.read_text()


def test_solve_and_report_accept_the_excel_workbook(tmp_path):
    from optimiser.excel import template_workbook
    from optimiser.formats import load_portfolio

    book = tmp_path / "plan.xlsx"
    book.write_bytes(template_workbook(load_portfolio(ROOT / "sample_data" / "icb_portfolio.json")))
    out = run("solve", str(book))
    assert out.returncode == 0 and "Kept 17 of 48" in out.stdout
    assert run("report", str(book), "--out", str(tmp_path / "p.pdf")).returncode == 0


def test_report_refuses_an_unknown_output_type(tmp_path):
    out = run("report", "sample_data/icb_portfolio.json", "--out", str(tmp_path / "pack.docx"))
    assert out.returncode == 2 and "--out must end in .pdf or .html" in out.stderr


def test_report_writes_an_owner_brief_with_what_would_bring_each_dropped_priority_back(tmp_path):
    from pypdf import PdfReader

    brief = tmp_path / "brief.pdf"
    out = run("report", "sample_data/icb_portfolio.json", "--out", str(brief), "--owner", "Acute trusts")
    assert out.returncode == 0, out.stderr
    text = " ".join(page.extract_text() for page in PdfReader(str(brief)).pages).replace("\n", " ")
    assert "Brief for Acute trusts" in text and "keeps 5 and drops 9" in text
    for pid in ("NAT-ELE02", "LOC-UEC03", "LOC-ELE01"):
        assert f"({pid})" in text
    assert text.count("What would bring it back:") == 9
    assert "It would be kept if its costs fell to 57% of today's" in text
    bad = run("report", "sample_data/icb_portfolio.json", "--out", str(brief), "--owner", "Nobody")
    assert bad.returncode == 2 and "Owners: Acute trusts" in bad.stderr
