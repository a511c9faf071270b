"""A PostgreSQL schema of a test's own, made for it and dropped after it, on the server `make test` starts
(PRIORITY_TEST_PG_URL): tests that use it cannot disturb, or be disturbed by, tests on the default schema."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, make_url, text


@contextmanager
def private_schema(prefix: str) -> Iterator[str]:
    """The server's URL with every connection's search_path set to a new schema named prefix_<random>. Without
    a server the test is skipped, or fails under CI (where `make test` always starts one)."""
    base = os.environ.get("PRIORITY_TEST_PG_URL")
    if not base:
        if os.environ.get("CI"):
            pytest.fail("PRIORITY_TEST_PG_URL is not set: run the tests with `make test`, which starts PostgreSQL.")
        pytest.skip("no PostgreSQL server: PRIORITY_TEST_PG_URL is not set (run `make test` to start one)")
    schema = f"{prefix}_{uuid.uuid4().hex[:12]}"
    engine = create_engine(base)
    with engine.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield (
            make_url(base)
            .update_query_dict({"options": f"-csearch_path={schema}"})
            .render_as_string(hide_password=False)
        )
    finally:
        with engine.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()
