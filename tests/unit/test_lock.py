"""What runs is pinned: requirements.lock (pip-compile's output) pins every package, direct or not, and agrees
with the direct pins in requirements.txt and requirements-dev.txt; the installed environment is exactly it."""

from __future__ import annotations

import re
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PIN = re.compile(r"^([A-Za-z0-9_.\-]+)(?:\[[^\]]*\])?==([^\s;#]+)")


def _key(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pins(path: Path) -> dict[str, str]:
    found = {}
    for line in path.read_text().splitlines():
        match = PIN.match(line.strip())
        if match:
            found[_key(match.group(1))] = match.group(2)
    return found


def test_every_direct_pin_is_in_the_lock_at_the_same_version():
    lock = pins(ROOT / "requirements.lock")
    for name in ("requirements.txt", "requirements-dev.txt"):
        for package, version in pins(ROOT / name).items():
            assert lock.get(package) == version, f"{name} pins {package}=={version}; the lock has {lock.get(package)}"


def test_the_installed_packages_are_exactly_the_lock():
    lock = pins(ROOT / "requirements.lock")
    installed = {_key(d.metadata["Name"]): d.version for d in metadata.distributions()}
    for tool in ("pip", "setuptools", "wheel"):  # the installer's own, not the project's
        installed.pop(tool, None)
    assert installed == lock
