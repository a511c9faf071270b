"""Write the share-link corpus: links.json, each link (the query string a user pastes, as typed) with the
outcome it must have against a store holding one scenario (id SCENARIO, versions 1 and 2). Run:
`.venv/bin/python -m tests.data.links.make_links`."""

from __future__ import annotations

import json
from pathlib import Path

HERE = Path(__file__).parent
SCENARIO = "0123456789ab"


def links() -> list[dict]:
    opens = [
        (f"scenario={SCENARIO}&version=1", 1),
        (f"scenario={SCENARIO}&version=2", 2),
        (f"scenario={SCENARIO}", 2),
        (f"scenario={SCENARIO}&version=", 2),
        (f"scenario={SCENARIO}&version=%201%20", 1),
        (f"scenario={SCENARIO}&version=+1", 1),  # '+' is a space in a query string
        (f"scenario={SCENARIO}&version=0001", 1),
        (f"scenario={SCENARIO}&version=2&extra=x", 2),
        (f"version=1&scenario={SCENARIO}", 1),
    ]
    not_version = [
        "1.5",
        "-1",
        "%2B1",
        "1e3",
        "0x1",
        "one",
        "١",
        "²",
        "1_000",
        "1,0",
        "%00",
        "1%00",
        "9" * 31,
        "v1",
        "<script>",
        "1;DROP TABLE scenario_versions",
        "NaN",
        "inf",
        "true",
        "[1]",
    ]
    no_version = ["0", "3", str(2**31), str(2**63), str(2**64), "9" * 30, "00000"]
    no_scenario = [
        "nosuchid",
        "0123456789AB",
        "0123456789a",
        "0123456789abc",
        "0123456789ag",
        "",
        "%00" * 4,
        "x" * 5000,
        "'; DROP TABLE scenarios;--",
        "../../etc/passwd",
        "0123456789ab%00",
        "<img src=x>",
        "0123456789ab ",
        "\u0660" * 12,
        "https://evil.example/",
    ]
    out = [{"query": q, "opens": v} for q, v in opens]
    out += [{"query": f"scenario={SCENARIO}&version={v}", "error": "is not a version number"} for v in not_version]
    out += [{"query": f"scenario={SCENARIO}&version={v}", "error": "There is no version"} for v in no_version]
    out += [{"query": f"scenario={s}&version=1", "error": "There is no scenario"} for s in no_scenario if s != ""]
    out += [{"query": "scenario=&version=1", "opens": None}, {"query": "version=1", "opens": None}]
    return out


if __name__ == "__main__":
    (HERE / "links.json").write_text(json.dumps(links(), indent=1, ensure_ascii=False) + "\n")
    print(f"{len(links())} links")
