from pathlib import Path

import pytest

from optimiser.formats import load_portfolio

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_data" / "icb_portfolio.json"


@pytest.fixture(autouse=True)
def private_store(tmp_path, monkeypatch):
    """Every test gets its own empty SQLite scenario store (unless it sets PRIORITY_STORE_URL itself)."""
    monkeypatch.setenv("PRIORITY_STORE_URL", f"sqlite:///{tmp_path / 'scenarios.db'}")
    return f"sqlite:///{tmp_path / 'scenarios.db'}"


@pytest.fixture(scope="session")
def sample():
    return load_portfolio(SAMPLE)
