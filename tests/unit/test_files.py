"""Real files in and out: the template round trip, a folder of broken files, the results workbook, the board pack."""

from __future__ import annotations

import io
import json
from dataclasses import replace
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from optimiser.errors import PortfolioError
from optimiser.excel import read_workbook, results_workbook, template_workbook
from optimiser.exports import FORMULA_PREFIXES, to_safe_csv
from optimiser.formats import MAX_FILE_BYTES, load_portfolio, load_upload, priorities_from_csv
from optimiser.solve import solve
from reports.board_pack import board_pack_html, html_to_pdf

DATA = Path(__file__).resolve().parents[1] / "data"
BROKEN = DATA / "broken"
EXPECTED = json.loads((BROKEN / "expected.json").read_text())


def test_the_broken_folder_holds_at_least_20_files_each_with_its_error():
    files = sorted(p.name for p in BROKEN.iterdir() if p.name != "expected.json")
    assert len(files) >= 20
    assert files == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_broken_file_gives_its_error_and_nothing_else_loads(name, sample):
    with pytest.raises(PortfolioError) as info:
        load_upload(name, (BROKEN / name).read_bytes(), sample)
    assert EXPECTED[name] in str(info.value)


def test_a_file_over_the_upload_limit_is_refused(sample):
    big = b"id,name\n" + b"x" * (MAX_FILE_BYTES + 10)
    with pytest.raises(PortfolioError, match="the limit is 20 MB"):
        load_upload("huge.csv", big, sample)
    with pytest.raises(PortfolioError, match="the limit is 20 MB"):
        load_upload("huge.xlsx", big, sample)


def test_the_template_filled_with_the_sample_gives_exactly_the_sample(sample):
    assert read_workbook(template_workbook(sample)) == sample


def test_the_template_has_instructions_and_drop_down_lists(sample):
    wb = load_workbook(io.BytesIO(template_workbook(sample)))
    assert wb.sheetnames == ["Instructions", "Priorities", "Capacity", "Criteria", "Rules", "Theme limits"]
    lists = {dv.formula1 for dv in wb["Priorities"].data_validations.dataValidation}
    assert lists == {'"national,local"', '"short,medium,long"', '"yes,no"', '"1,2,3,4"'}
    assert wb["Priorities"].max_row == 49  # header and 48 priorities


def test_real_world_variation_in_a_workbook_is_accepted(sample):
    wb = load_workbook(io.BytesIO(template_workbook(sample)))
    ws = wb["Priorities"]
    ws["A1"] = "  ID "  # case and spacing
    ws["G1"] = "Must Do"
    ws["G2"] = "Y"
    ws["G3"] = "TRUE"
    ws["K2"] = "6"  # number stored as text
    ws["N2"] = " 1180 "  # number stored as text, with spaces (a comma is refused: decimal or thousands?)
    ws["I2"] = "LOC-NH04;"  # trailing separator
    for row in range(50, 55):  # blank trailing rows with stray formatting
        ws.cell(row=row, column=1, value="   ")
    buffer = io.BytesIO()
    wb.save(buffer)
    loaded = read_workbook(buffer.getvalue())
    first = loaded.priority("NAT-UEC01")
    assert (first.must_do, first.cost("strategic"), first.cost("revenue"), first.requires) == (
        True,
        6,
        1180,
        ("LOC-NH04",),
    )
    assert loaded.priority("NAT-UEC02").must_do is True
    assert len(loaded.priorities) == 48


def test_a_windows_1252_csv_loads(sample):
    loaded = priorities_from_csv((DATA / "windows_1252.csv").read_bytes(), sample)
    assert loaded.priority("NAT-UEC01").name.startswith("Réach 78%")


def test_the_results_workbook_has_the_right_sheets_values_and_no_formulas(sample):
    hostile = replace(
        sample,
        priorities=tuple(
            replace(p, name='=HYPERLINK("http://x","click")')
            if p.id == "LOC-FIN01"
            else replace(p, name="+cmd|' /C calc'!A0")
            if p.id == "NAT-UEC01"
            else p
            for p in sample.priorities
        ),
    )
    result = solve(hostile)
    wb = load_workbook(io.BytesIO(results_workbook(hostile, result, {"LOC-FIN01": "@SUM(1)"})))
    assert wb.sheetnames == ["Summary", "Kept", "Dropped", "Capacity", "Horizon balance", "Assumptions"]
    kept = list(wb["Kept"].iter_rows(values_only=True))
    dropped = list(wb["Dropped"].iter_rows(values_only=True))
    assert len(kept) == 1 + 17 and len(dropped) == 1 + 31
    assert dropped[0] == ("id", "name", "source", "theme", "horizon", "weighted value", "why", "explanation")
    fin = next(r for r in dropped if r[0] == "LOC-FIN01")
    assert fin[1] == '\'=HYPERLINK("http://x","click")' and fin[7] == "'@SUM(1)"
    uec = next(r for r in kept if r[0] == "NAT-UEC01")
    assert uec[1].startswith("'+cmd")
    capacity = {r[0]: r for r in wb["Capacity"].iter_rows(min_row=2, values_only=True)}
    assert capacity["operational"][5] == 588
    for sheet in wb.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"formula cell {sheet.title}!{cell.coordinate}"
                if isinstance(cell.value, str):
                    assert not cell.value.startswith(FORMULA_PREFIXES)


def test_every_csv_export_neutralises_formula_text():
    import pandas as pd

    text = to_safe_csv(pd.DataFrame({"name": ["=1+1", "-2", "@x", "\tx", "ok"], "n": [1, -2, 3, 4, 5]}))
    assert text.splitlines() == ["name,n", "'=1+1,1", "'-2,-2", "'@x,3", "'\tx,4", "ok,5"]


def test_the_board_pack_pdf_has_the_expected_pages_and_text(sample, tmp_path):
    result = solve(sample)
    document = board_pack_html(sample, result, "Board session, 1 December")
    reader = PdfReader(io.BytesIO(html_to_pdf(document)))
    assert 3 <= len(reader.pages) <= 10
    pages = [page.extract_text() for page in reader.pages]
    text = " ".join(pages)
    for expected in (
        "Improvement priorities: recommended set",
        "Board session, 1 December",
        "Kept priorities (17)",
        "Dropped priorities (31)",
        "Assumptions",
        "of kept capacity national",
        "Eliminate waits over 52 weeks",
    ):
        assert expected in text
    # A two-page summary: every kept and dropped priority by name on pages 1-2, the appendix from page 3.
    summary = " ".join(pages[:2]).replace("\n", " ")
    assert "Appendix" not in summary and pages[2].lstrip().startswith("Appendix")
    for p in sample.priorities:
        assert f"({p.id})" in summary, p.id
    assert "improvement_support" not in text and "min -" not in text
    assert all(
        abs(float(p.mediabox.width) - 595.3) < 1 and abs(float(p.mediabox.height) - 841.9) < 1 for p in reader.pages
    ), "A4 pages"


def test_the_board_pack_html_embeds_the_charts_and_escapes_user_text(sample):
    hostile = replace(
        sample,
        priorities=tuple(
            replace(p, name="<script>alert(1)</script>") if p.id == "LOC-FIN01" else p for p in sample.priorities
        ),
    )
    document = board_pack_html(hostile, solve(hostile), "<img src=x onerror=alert(2)>")
    assert document.count('src="data:image/png;base64,') == 4
    assert "<script" not in document
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in document
    assert "&lt;img src=x onerror=alert(2)&gt;" in document


def test_solve_accepts_the_excel_workbook(tmp_path, sample):
    path = tmp_path / "plan.xlsx"
    path.write_bytes(template_workbook(sample))
    assert load_portfolio(path) == sample
