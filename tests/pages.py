"""The app's entry point and its pages, in the router's order, for the AppTest tests."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")
PAGES = [
    "pages/rationalise.py",
    "pages/roadmap.py",
    "pages/present.py",
    "pages/priorities.py",
    "pages/capacity_and_rules.py",
    "pages/scenarios.py",
    "pages/compare.py",
    "pages/frontier.py",
    "pages/workshop.py",
    "pages/join.py",
]
