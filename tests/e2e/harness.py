"""Helpers for the real-browser tests: start and stop `streamlit run app.py` on a free 127.0.0.1 port, find
Debian's Chromium, read the app's page."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
START_SECONDS = 120  # a cold start (imports, first compile) on a busy 2-core machine


@dataclass
class Server:
    url: str
    process: subprocess.Popen
    log: Path

    def log_tail(self, chars: int = 3000) -> str:
        return self.log.read_text(errors="replace")[-chars:] if self.log.exists() else "(no log)"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def launch_server(env: Mapping[str, str], log: Path) -> Server:
    """Start `streamlit run app.py` on 127.0.0.1 and a free port, with `env` added to this process's
    environment; its output goes to `log`. Does not wait: see wait_until_healthy."""
    port = free_port()
    with log.open("wb") as out:  # the child keeps its own copy of the file descriptor
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                "app.py",
                "--server.headless=true",
                "--server.address=127.0.0.1",
                f"--server.port={port}",
                "--browser.gatherUsageStats=false",
                # Serve the code as it was at start: with the watcher on, a source file saved during a run makes
                # the server drop that module from sys.modules while sessions are importing it.
                "--server.fileWatcherType=none",
            ],
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, **env},
        )
    return Server(f"http://127.0.0.1:{port}", process, log)


def wait_until_healthy(server: Server, seconds: float = START_SECONDS) -> None:
    """Poll /_stcore/health every quarter second until it answers 200, the process exits or `seconds` pass.
    (A poll with a deadline: a server has no way to tell us it is up.)"""
    deadline = time.monotonic() + seconds
    while True:
        code = server.process.poll()
        if code is not None:
            raise RuntimeError(f"streamlit at {server.url} exited with code {code}:\n{server.log_tail()}")
        try:
            with urllib.request.urlopen(f"{server.url}/_stcore/health", timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            pass  # not listening yet: refused, reset, timed out or not ready (URLError and HTTPError are OSErrors)
        if time.monotonic() > deadline:
            stop_server(server)
            raise RuntimeError(f"streamlit at {server.url} was not healthy within {seconds} s:\n{server.log_tail()}")
        time.sleep(0.25)


def stop_server(server: Server) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait(timeout=15)


@contextmanager
def streamlit_servers(envs: list[Mapping[str, str]], log_dir: Path) -> Iterator[list[Server]]:
    """Start one server per environment (all at once, so their start-ups overlap), wait until each is
    healthy, and stop them all at the end."""
    with ExitStack() as stack:
        servers = []
        for i, env in enumerate(envs):
            server = launch_server(env, log_dir / f"streamlit-{i}.log")
            stack.callback(stop_server, server)
            servers.append(server)
        for server in servers:
            wait_until_healthy(server)
        yield servers


def chromium_or_skip() -> str:
    """Chromium's path; skips when it is missing, or fails under CI (where `make test` installs it)."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"Chromium not found at {CHROMIUM}; `make test` installs it (Debian package chromium).")
        pytest.skip("Chromium is not installed; run `make test`, which installs it.")
    return CHROMIUM


def metric_value(page, label: str) -> str:
    metric = page.locator('[data-testid="stMetric"]').filter(has_text=label).first
    return metric.locator('[data-testid="stMetricValue"]').inner_text()


# Streamlit marks the app's root with the state of the script run; this matches once the run has finished.
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'


def wait_until_idle(page) -> None:
    """Wait until the app's script run has finished. Call it once something from the awaited run is on the
    page: before that, the state may still be the previous run's."""
    page.locator(IDLE).wait_for(state="attached")
