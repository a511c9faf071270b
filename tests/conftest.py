from pathlib import Path

import pytest

from optimiser.formats import load_portfolio

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_data" / "icb_portfolio.json"


@pytest.fixture(scope="session")
def sample():
    return load_portfolio(SAMPLE)
