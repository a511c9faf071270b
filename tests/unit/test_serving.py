"""`make run` serves on this machine only: the app has no login, so anyone who could reach it could open,
overwrite or delete every saved scenario. Exposing it is a deployment choice (README, "Deployment")."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import tomllib
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_config_serves_on_127_0_0_1_and_make_run_does_not_override_it():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["address"] == "127.0.0.1"
    run = re.search(r"^run:.*\n((?:\t.*\n)+)", (ROOT / "Makefile").read_text(), re.M)
    assert run and "streamlit run app.py" in run.group(1) and "address" not in run.group(1)


def _listening_addresses(port: int) -> set[str]:
    """Local addresses of the sockets listening on `port`, from /proc/net/tcp and tcp6 (hex, as the kernel
    writes them: 0100007F is 127.0.0.1, 00000000 every IPv4 interface)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        path = Path(table)
        if not path.exists():
            continue
        for line in path.read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, hex_port = local.split(":")
            if state == "0A" and int(hex_port, 16) == port:  # 0A: LISTEN
                found.add(address)
    return found


def test_the_app_started_as_make_run_starts_it_listens_on_loopback_only():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "PRIORITY_STORE_URL": "sqlite:///:memory:"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", f"--server.port={port}"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    try:
        deadline = time.monotonic() + 90
        while True:  # poll the health endpoint until the server answers or the deadline passes
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                assert time.monotonic() < deadline, "streamlit did not start within 90 s"
                assert proc.poll() is None, "streamlit stopped while starting"
                time.sleep(0.2)
        assert _listening_addresses(port) == {"0100007F"}
    finally:
        proc.terminate()
        output, _ = proc.communicate(timeout=20)
    assert "Network URL" not in output
