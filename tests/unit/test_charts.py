"""Chart builders are pure: tidy frames in, Vega-Lite out, checked through `to_dict()`."""

from __future__ import annotations

from optimiser.solve import solve
from ui.charts import bands_frame, capacity_chart, capacity_frame, horizon_chart, horizon_frame


def layers(spec: dict) -> list[dict]:
    return spec.get("layer", [spec])


def test_the_balance_chart_spans_0_to_100_percent_fills_its_container_and_draws_the_bands(sample):
    result = solve(sample)
    spec = horizon_chart(horizon_frame(result), "operational capacity", bands_frame(sample)).to_dict()
    assert spec["width"] == "container"
    marks = [layer["mark"]["type"] if isinstance(layer["mark"], dict) else layer["mark"] for layer in layers(spec)]
    assert marks[0] == "rect", "the bands are drawn behind the bars"
    domains = [layer["encoding"]["x"]["scale"]["domain"] for layer in layers(spec) if "scale" in layer["encoding"]["x"]]
    assert domains and all(domain == [0, 100] for domain in domains)
    shares = [h.kept_pct for h in result.horizons] + [h.wishlist_pct for h in result.horizons]
    assert max(shares) <= 100
    bands = bands_frame(sample)
    assert list(bands["horizon"]) == ["Short (within 12 months)", "Medium (1-3 years)", "Long (3+ years)"]
    assert list(bands["min_pct"]) == [20, 20, 10] and list(bands["max_pct"]) == [60, 60, 100]
    assert "operational capacity" in spec["title"]["text"]


def test_the_capacity_chart_uses_display_labels_and_fills_its_container(sample):
    result = solve(sample)
    frame = capacity_frame(result)
    assert list(frame["dimension"]) == ["Strategic", "Operational", "Improvement support", "Revenue"]
    spec = capacity_chart(frame).to_dict()
    assert spec["width"] == "container"
    assert spec["layer"][0]["encoding"]["x"]["scale"]["domain"] == [0, 100]
