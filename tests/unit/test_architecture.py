"""The engine never imports Streamlit, and pages build no models and parse no files themselves."""

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_no_streamlit_import_anywhere_in_the_engine():
    offenders = [p.name for p in (ROOT / "optimiser").rglob("*.py") if "streamlit" in imported_modules(p)]
    assert offenders == []


def test_importing_and_solving_with_the_engine_loads_no_streamlit():
    code = (
        "import sys; from optimiser.formats import load_portfolio; from optimiser.solve import solve; "
        "solve(load_portfolio('sample_data/icb_portfolio.json')); print('streamlit' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_chart_builders_and_reports_do_not_import_streamlit():
    assert "streamlit" not in imported_modules(ROOT / "ui" / "charts.py")
    for path in (ROOT / "reports").glob("*.py"):
        assert "streamlit" not in imported_modules(path), path.name


def test_pages_do_not_import_pulp_or_highspy():
    for page in (ROOT / "pages").glob("*.py"):
        assert not {"pulp", "highspy"} & imported_modules(page), page.name


def test_server_settings_match_the_loader_and_protect_users():
    import tomllib

    from optimiser.formats import MAX_FILE_BYTES

    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["maxUploadSize"] * 2**20 == MAX_FILE_BYTES
    assert config["server"]["enableXsrfProtection"] is True
    assert config["client"]["showErrorDetails"] == "none"
