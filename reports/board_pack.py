"""The board pack: one self-contained HTML report (charts embedded as images) and a PDF of it (A4).

All user text is HTML-escaped; the report contains no script. Charts come from the same pure
builders as the app and are rendered offline with vl-convert.
"""

from __future__ import annotations

import base64
import html
import io
from datetime import date

import vl_convert as vlc

from optimiser import words
from optimiser.domain import HORIZON_LABELS, Portfolio
from optimiser.result import Result
from optimiser.words import fmt as _fmt
from ui.charts import (
    bands_frame,
    capacity_chart,
    capacity_frame,
    horizon_chart,
    horizon_frame,
    source_chart,
    source_frame,
    value_cost_chart,
    value_cost_frame,
)

CSS = """
@page { size: a4 portrait; margin: 1.6cm 1.5cm 1.6cm 1.5cm; }
body { font-family: Helvetica, Arial, sans-serif; font-size: 10pt; color: #231f20; }
h1 { font-size: 18pt; color: #005EB8; margin: 0 0 4pt 0; }
h2 { font-size: 13pt; color: #003087; margin: 14pt 0 4pt 0; border-bottom: 1px solid #768692;
     -pdf-keep-with-next: true; }
p.meta { color: #425563; margin: 0 0 8pt 0; }
p.summary { font-size: 11pt; line-height: 1.4; }
table { width: 100%; margin: 4pt 0 8pt 0; }
th { background-color: #005EB8; color: #ffffff; text-align: left; padding: 3pt; font-size: 9pt; }
td { border-bottom: 0.5pt solid #AEB7BD; padding: 3pt; font-size: 9pt; vertical-align: top; }
img.chart { width: 15cm; }
.figure { font-size: 14pt; font-weight: bold; color: #003087; }
.pagebreak { page-break-before: always; }
"""


CHART_WIDTH = 560  # pixels: charts that fill their container in the app get this width on an A4 page


def _png(chart) -> str:
    spec = chart.to_dict()
    if spec.get("width") == "container":
        spec["width"] = CHART_WIDTH
    png = vlc.vegalite_to_png(spec, scale=1.5)
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def _table(header: list[str], rows: list[list[object]], widths: list[int] | None = None) -> str:
    widths = widths or [round(100 / len(header))] * len(header)
    head = "".join(f'<th width="{w}%">{html.escape(str(h))}</th>' for h, w in zip(header, widths))
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def national_local_share(portfolio: Portfolio, result: Result) -> tuple[float, float]:
    """(national share of kept capacity %, national share of the wish-list's capacity %)."""
    frame = source_frame(portfolio, result)
    kept = frame[(frame["set"] == "Kept") & (frame["source"] == "national")]["share_pct"].sum()
    wish = frame[(frame["set"] == "Whole wish-list") & (frame["source"] == "national")]["share_pct"].sum()
    return float(kept), float(wish)


def summary_paragraph(portfolio: Portfolio, result: Result) -> str:
    total = len(portfolio.priorities)
    must = sum(p.must_do for p in portfolio.priorities)
    shares = {h.horizon: h.kept_pct for h in result.horizons}
    tight = [(u.label or u.dimension).lower() for u in result.capacity if u.free <= 0.05 * max(u.usable, 1e-9)]
    national, _ = national_local_share(portfolio, result)
    text = (
        f"Of {total} candidate priorities, the recommended set keeps {len(result.kept)}, including all {must} national "
        f"must-dos, and drops {len(result.dropped)}. It fits every capacity after keeping headroom free for the "
        f"unexpected"
    )
    text += f" ({', '.join(tight)} {'is' if len(tight) == 1 else 'are'} fully used)" if tight else ""
    text += (
        f". The {portfolio.balance_capacity.display.lower()} capacity it uses is split "
        f"{shares.get('short', 0):.0f}% short-term, {shares.get('medium', 0):.0f}% "
        f"medium-term and {shares.get('long', 0):.0f}% long-term, and {national:.0f}% of it goes to national "
        f"priorities. Each dropped priority is listed below with the reason it was not kept."
    )
    return text


def board_pack_html(
    portfolio: Portfolio, result: Result, scenario_name: str | None = None, on: date | None = None
) -> str:
    if not result.has_selection:
        raise ValueError("There is no selection to report: the rules conflict. Fix them first.")
    on = on or date.today()
    title = scenario_name or portfolio.name
    names = {p.id: p for p in portfolio.priorities}
    reasons = {d.priority_id: d.reason for d in result.decisions}
    national_kept, national_wish = national_local_share(portfolio, result)
    balance_label = f"{portfolio.balance_capacity.display.lower()} capacity"
    charts = [
        ("Horizon balance", _png(horizon_chart(horizon_frame(result), balance_label, bands_frame(portfolio)))),
        ("Capacity used", _png(capacity_chart(capacity_frame(result)))),
        ("National versus local", _png(source_chart(source_frame(portfolio, result), balance_label))),
        ("Value against cost", _png(value_cost_chart(value_cost_frame(portfolio, result), balance_label))),
    ]
    kept_rows = [
        [
            pid,
            names[pid].name,
            names[pid].source,
            HORIZON_LABELS[names[pid].horizon].split(" (")[0],
            reasons[pid].removeprefix("Kept: "),
        ]
        for pid in result.kept
    ]
    dropped_rows = [
        [pid, names[pid].name, names[pid].source, reasons[pid].removeprefix("Dropped: ")] for pid in result.dropped
    ]
    capacity_rows = [
        [u.label or u.dimension, u.unit, _fmt(u.available), f"{u.headroom_pct:g}%", _fmt(u.usable), _fmt(u.used)]
        for u in result.capacity
    ]
    rules = portfolio.rules
    assumptions = [
        ["Criteria weights", ", ".join(f"{c.display} {c.weight:g}" for c in portfolio.criteria)],
        ["Balance measured as", words.balance_unit(portfolio)],
        ["Net value", f"weighted value ({words.VALUE_TERMS['weighted value']}) minus drop penalty"],
        ["Most priorities kept", "no limit" if rules.max_priorities is None else str(rules.max_priorities)],
        ["Value lost per point of sensitivity when dropped", f"{rules.sensitivity_penalty:g}"],
    ]
    assumptions += [
        [
            f"Horizon band: {HORIZON_LABELS[b.horizon]}",
            f"{b.min_pct:g}% to {b.max_pct:g}% of {portfolio.balance_capacity.display.lower()} capacity used",
        ]
        for b in rules.horizon_bands
    ]
    assumptions += [
        [
            f"Theme limit: {t.theme}",
            f"min {t.min_count if t.min_count is not None else '-'}, "
            f"max {t.max_count if t.max_count is not None else '-'}",
        ]
        for t in rules.theme_limits
    ]
    if rules.locked_in:
        assumptions.append(["Locked in", ", ".join(rules.locked_in)])
    if rules.locked_out:
        assumptions.append(["Locked out", ", ".join(rules.locked_out)])
    chart_html = "".join(
        f'<h2>{html.escape(t)}</h2><img class="chart" src="{src}" alt="{html.escape(t)}"/>' for t, src in charts
    )
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"/><title>{html.escape(title)}: board pack</title>
<style>{CSS}</style></head>
<body>
<h1>Improvement priorities: recommended set</h1>
<p class="meta">Scenario: {html.escape(title)} · {on:%d %B %Y} · Status: {html.escape(result.message)}</p>
<h2>Summary</h2>
<p class="summary">{html.escape(summary_paragraph(portfolio, result))}</p>
<p><span class="figure">{len(result.kept)} of {len(portfolio.priorities)}</span> priorities kept ·
<span class="figure">{result.value:,.1f}</span> weighted value ·
<span class="figure">{national_kept:.0f}%</span> of kept capacity national (whole wish-list {national_wish:.0f}%)</p>
<h2>Capacity</h2>
{_table(["dimension", "unit", "available", "headroom", "usable", "used"], capacity_rows)}
{chart_html}
<h2 class="pagebreak">Kept priorities ({len(result.kept)})</h2>
{_table(["id", "priority", "source", "horizon", "why"], kept_rows, [11, 34, 10, 10, 35])}
<h2>Dropped priorities ({len(result.dropped)})</h2>
{_table(["id", "priority", "source", "why it was dropped"], dropped_rows, [11, 29, 10, 50])}
<h2>Assumptions</h2>
{_table(["assumption", "value"], assumptions, [35, 65])}
</body></html>
"""


def html_to_pdf(document: str) -> bytes:
    from xhtml2pdf import pisa

    out = io.BytesIO()
    status = pisa.CreatePDF(document, dest=out, encoding="utf-8")
    if status.err:
        raise RuntimeError(f"The PDF could not be made ({status.err} errors).")
    return out.getvalue()


def board_pack_pdf(portfolio: Portfolio, result: Result, scenario_name: str | None = None) -> bytes:
    return html_to_pdf(board_pack_html(portfolio, result, scenario_name))
