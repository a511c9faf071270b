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
from optimiser.domain import HORIZON_LABELS, HORIZONS, Portfolio
from optimiser.plan import solve_plan
from optimiser.result import PlanResult, Result
from optimiser.words import fmt as _fmt
from optimiser.workshop import WorkshopRecord
from ui.charts import (
    bands_frame,
    capacity_chart,
    capacity_frame,
    horizon_chart,
    horizon_frame,
    source_chart,
    source_frame,
    spread_chart,
    spread_frame,
    value_cost_chart,
    value_cost_frame,
)
from ui.plan_charts import deferred_frame, gantt_chart, gantt_frame, not_started_frame, plan_summary, stop_frame

CSS = """
@page { size: a4 portrait; margin: 1.6cm 1.5cm 1.6cm 1.5cm; }
body { font-family: Helvetica, Arial, sans-serif; font-size: 10pt; color: #231f20; }
h1 { font-size: 18pt; color: #005EB8; margin: 0 0 4pt 0; }
h2 { font-size: 13pt; color: #003087; margin: 14pt 0 4pt 0; border-bottom: 1px solid #768692;
     -pdf-keep-with-next: true; }
p.meta { color: #425563; margin: 0 0 8pt 0; }
h3 { font-size: 11pt; color: #005EB8; margin: 10pt 0 2pt 0; -pdf-keep-with-next: true; }
p.summary { font-size: 11pt; line-height: 1.4; }
table { width: 100%; margin: 4pt 0 8pt 0; }
th { background-color: #005EB8; color: #ffffff; text-align: left; padding: 3pt; font-size: 9pt; }
td { border-bottom: 0.5pt solid #AEB7BD; padding: 3pt; font-size: 9pt; vertical-align: top; }
img.chart { width: 13cm; }
img.roadmap { width: 17cm; }
table.compact td { font-size: 7.5pt; padding: 1.5pt 3pt; }
.figure { font-size: 14pt; font-weight: bold; color: #003087; }
.pagebreak { page-break-before: always; }
"""


CHART_WIDTH = 560  # pixels: charts that fill their container in the app get this width on an A4 page
ROADMAP_FONT = 14  # the Gantt in the board pack: one row per priority, in a smaller font than the app's
ROADMAP_WIDTH = 900  # pixels of the Gantt's image, shown 17 cm wide
ROADMAP_ROWS = 28  # priorities per Gantt image (one A4 page at most)


def _without_label_limits(spec):
    """The spec with every label drawn whole (each `labelLimit` set to 0: no limit)."""
    if isinstance(spec, dict):
        return {k: (0 if k == "labelLimit" else _without_label_limits(v)) for k, v in spec.items()}
    if isinstance(spec, list):
        return [_without_label_limits(v) for v in spec]
    return spec


def _png(chart, width: int = CHART_WIDTH) -> str:
    spec = chart.to_dict()
    if spec.get("width") == "container":
        spec["width"] = width
    try:
        png = vlc.vegalite_to_png(spec, scale=1.5)
    except ValueError:
        # vl-convert fails to measure a label that its limit cuts inside a character of two UTF-16 units (an
        # emoji, say): draw the labels whole instead.
        png = vlc.vegalite_to_png(_without_label_limits(spec), scale=1.5)
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def _table(header: list[str], rows: list[list[object]], widths: list[int] | None = None, css_class: str = "") -> str:
    widths = widths or [round(100 / len(header))] * len(header)
    head = "".join(f'<th width="{w}%">{html.escape(str(h))}</th>' for h, w in zip(header, widths))
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in row) + "</tr>" for row in rows)
    return f'<table class="{css_class}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


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


def _theme_limit(t) -> str:
    if t.min_count is not None and t.max_count is not None:
        return f"{t.min_count} to {t.max_count} kept"
    return f"at least {t.min_count} kept" if t.min_count is not None else f"at most {t.max_count} kept"


def _names_by_horizon(portfolio: Portfolio, ids) -> str:
    names = {p.id: p for p in portfolio.priorities}
    rows = []
    for h in HORIZONS:
        in_h = [pid for pid in ids if names[pid].horizon == h]
        if in_h:
            rows.append(
                [f"{HORIZON_LABELS[h]} ({len(in_h)})", " · ".join(words.name_of(portfolio, pid) for pid in in_h)]
            )
    return _table(["horizon", "priorities"], rows, [22, 78])


def _low_readiness(portfolio: Portfolio, pid: str, short: bool = False) -> str:
    """' Low readiness (confidence 40%): ...' after a reason (short: ' (low readiness: ...)' after a name), or ''."""
    from optimiser.readiness import readiness_of

    clause = words.low_readiness_clause(portfolio, readiness_of(portfolio, pid))
    if not clause:
        return ""
    return f" ({clause})" if short else f" {clause[:1].upper()}{clause[1:]}."


def readiness_robustness_html(portfolio: Portfolio, result: Result, robust=None) -> str:
    """The appendix section on readiness (value at risk, kept priorities with low readiness) and robustness
    (bands, contested priorities, the judgements to narrow first), or '' when there is neither."""
    from optimiser.readiness import readiness_of, value_at_risk

    risk = value_at_risk(portfolio, result.kept)
    parts: list[str] = []
    if risk.assessed:
        parts.append(f"<p>{html.escape(words.value_at_risk_text(portfolio, risk))}</p>")
        low = [
            [words.name_of(portfolio, pid), words.low_readiness_clause(portfolio, readiness_of(portfolio, pid))]
            for pid in risk.low_readiness
        ]
        if low:
            parts.append(_table(["kept with low readiness", "delivery confidence and weakest factors"], low, [40, 60]))
    if robust is not None:
        parts.append(f"<p>{html.escape(words.robustness_summary(portfolio, robust))}</p>")
        contested = sorted((f for f in robust.priorities if f.band == "contested"), key=lambda f: -f.frequency)
        if contested:
            rows = [
                [
                    words.name_of(portfolio, f.priority_id),
                    f"{100 * f.frequency:.0f}% (± {100 * f.standard_error:.0f}%)",
                    "kept" if f.priority_id in result.kept else "dropped",
                ]
                for f in contested
            ]
            parts.append(_table(["contested priority", "kept in samples", "today"], rows, [60, 25, 15]))
        if robust.influential:
            items = "".join(f"<li>{html.escape(words.influence_text(portfolio, i))}</li>" for i in robust.influential)
            parts.append(
                f"<p>Judgements whose ranges most change what is kept (narrow these first):</p><ol>{items}</ol>"
            )
    if not parts:
        return ""
    return "<h2>Readiness and robustness</h2>" + "".join(parts)


def workshop_section(record: WorkshopRecord) -> str:
    """The workshop the scenario's scores came from: participation, where the board disagreed (the spread of the
    most contested priorities), what the group's scores changed, and which decisions flip between people."""
    before, result = record.before, record.outcome
    order = [c.priority_id for c in result.contests]
    chart = _png(spread_chart(spread_frame(before, result.cells, order=order, limit=4), result.rule))
    contest_rows = []
    for contest in result.contests[:8]:
        cell = next(
            c for c in result.cells if c.priority_id == contest.priority_id and c.criterion == contest.widest_criterion
        )
        contest_rows.append(
            [
                words.name_of(before, contest.priority_id),
                words.criterion_label(before, cell.criterion),
                _fmt(cell.low),
                _fmt(cell.high),
                _fmt(cell.group),
            ]
        )
    flip_rows = [
        [words.name_of(before, k.priority_id), f"{k.kept_by} of {k.views}", "kept" if k.group_kept else "dropped"]
        for k in result.flipping
    ]
    group = result.group_result
    changed = words.group_result_text(before, record.scenario_kept, group.kept) if group.has_selection else ""
    flips = (
        _table(["priority", "kept under participants' views", "group's scores"], flip_rows, [60, 22, 18])
        if flip_rows
        else "<p>Every participant's own scores keep the same priorities.</p>"
    )
    return f"""<h1 class="pagebreak">Workshop: {html.escape(record.title)}</h1>
<p class="summary">{
        html.escape(
            words.workshop_participation(record.day, record.joined, result.participants, record.rounds, result.rule)
        )
    }</p>
<p class="summary">{html.escape(changed)}</p>
<h2>Where the board disagreed</h2>
<p><img class="chart" src="{chart}" alt="Spread of scores"/></p>
{
        _table(
            ["priority", "widest spread on", "lowest", "highest", f"group ({result.rule})"],
            contest_rows,
            [46, 24, 10, 10, 10],
        )
    }
<h2>Decisions that differ between participants' own scores</h2>
{flips}
"""


def roadmap_section(portfolio: Portfolio, plan: PlanResult | None) -> str:
    """The roadmap of a multi-year plan (a Gantt by year drawn offline like the other charts, the stop list and
    what is deferred), or '' for a one-year plan. `plan` None: solved here."""
    if not portfolio.is_multi_year:
        return ""
    if plan is None:
        plan = solve_plan(portfolio)
    head = '<h1 class="pagebreak">Roadmap</h1>'
    if not plan.has_selection:
        conflicts = "".join(f"<li>{html.escape(c.text)}</li>" for c in plan.conflicts)
        return f'{head}<p class="summary">{html.escape(plan.message)}</p>' + (
            f"<ul>{conflicts}</ul>" if conflicts else ""
        )
    frame = gantt_frame(portfolio, plan, "theme", name_width=64)
    groups = sorted(frame["group"].unique())
    # One image per part of at most ROADMAP_ROWS rows: xhtml2pdf does not split an image across pages.
    images = "".join(
        f'<p><img class="roadmap" src="{_png(gantt_chart(part, plan.years, "theme", font_size=ROADMAP_FONT, row_step=24, groups=groups), ROADMAP_WIDTH)}" alt="Roadmap"/></p>'
        for part in (frame.iloc[i : i + ROADMAP_ROWS] for i in range(0, max(len(frame), 1), ROADMAP_ROWS))
    )
    stops, deferred, waiting = (
        stop_frame(portfolio, plan),
        deferred_frame(portfolio, plan),
        not_started_frame(portfolio, plan),
    )
    parts = [
        head,
        f'<p class="meta">Status: {html.escape(plan.message)}</p>',
        f'<p class="summary">{html.escape(plan_summary(portfolio, plan))}</p>',
        images,
        "<h2>What we stop, and what that frees</h2>",
        _table(
            list(stops.columns),
            stops.values.tolist(),
            [30, 12, 10] + [round(36 / max(len(stops.columns) - 4, 1))] * (len(stops.columns) - 4) + [12],
        )
        if not stops.empty
        else "<p>The plan continues every existing activity.</p>",
        "<h2>Deferred: delivered, but not started in the first year</h2>",
        _table(list(deferred.columns), deferred.values.tolist(), [40, 12, 12, 10, 12, 14])
        if not deferred.empty
        else f"<p>Everything the plan delivers starts in {html.escape(plan.years[0])}.</p>",
    ]
    if not waiting.empty:
        parts += [
            f"<h2>Not started in the plan ({len(waiting)})</h2>",
            f"<p>{html.escape(' · '.join(waiting['priority']))}</p>",
        ]
    return "".join(parts)


def board_pack_html(
    portfolio: Portfolio,
    result: Result,
    scenario_name: str | None = None,
    on: date | None = None,
    robust=None,
    workshop: WorkshopRecord | None = None,
    plan: PlanResult | None = None,
) -> str:
    """A two-page summary (page 1: the result, the balance and capacity charts, what is kept; page 2: what is
    dropped, with a one-line reason each), then the workshop the scores came from (if any), then an appendix
    (capacity table, the other charts, the kept priorities with reasons, the assumptions). Charts share one
    size. A multi-year plan adds its roadmap (Gantt, stop list, deferred) after the summary (`plan` None: the
    plan is solved here)."""
    if not result.has_selection:
        raise ValueError("There is no selection to report: the rules conflict. Fix them first.")
    on = on or date.today()
    title = scenario_name or portfolio.name
    names = {p.id: p for p in portfolio.priorities}
    reasons = {d.priority_id: d.reason for d in result.decisions}
    national_kept, national_wish = national_local_share(portfolio, result)
    balance_label = f"{portfolio.balance_capacity.display.lower()} capacity"
    balance_png = _png(horizon_chart(horizon_frame(result), balance_label, bands_frame(portfolio)))
    capacity_png = _png(capacity_chart(capacity_frame(result)))
    appendix_charts = [
        ("National versus local", _png(source_chart(source_frame(portfolio, result), balance_label))),
        ("Value against cost", _png(value_cost_chart(value_cost_frame(portfolio, result), balance_label))),
    ]
    kept_rows = [
        [
            words.name_of(portfolio, pid),
            names[pid].source,
            HORIZON_LABELS[names[pid].horizon].split(" (")[0],
            reasons[pid].removeprefix("Kept: ") + _low_readiness(portfolio, pid),
        ]
        for pid in result.kept
    ]
    by_id = {d.priority_id: d for d in result.decisions}
    grouped: dict[str, list[str]] = {}
    for pid in result.dropped:
        grouped.setdefault(words.short_reason(portfolio, by_id[pid]), []).append(pid)
    dropped_rows = [
        [
            reason[:1].upper() + reason[1:],
            " · ".join(
                f"{words.name_of(portfolio, pid)}, {names[pid].owner}{_low_readiness(portfolio, pid, short=True)}"
                for pid in ids
            ),
        ]
        for reason, ids in sorted(grouped.items(), key=lambda item: -len(item[1]))
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
    if rules.expected_value or any(p.readiness for p in portfolio.priorities):
        ready = rules.readiness
        assumptions.append(
            [
                "Readiness",
                f"expected value (value x delivery confidence) {'on' if rules.expected_value else 'off'}; confidence "
                f"{ready.floor_pct:g}% + the rest in proportion to the mean rating, at most {ready.cap_weakest_1_pct:g}% "
                f"when a factor is rated 1 and {ready.cap_weakest_2_pct:g}% when the weakest is 2; low below "
                f"{ready.low_pct:g}%",
            ]
        )
    assumptions += [
        [
            f"Horizon band: {HORIZON_LABELS[b.horizon]}",
            f"{b.min_pct:g}% to {b.max_pct:g}% of {portfolio.balance_capacity.display.lower()} capacity used",
        ]
        for b in rules.horizon_bands
    ]
    assumptions += [[f"Theme limit: {t.theme}", _theme_limit(t)] for t in rules.theme_limits]
    if rules.locked_in:
        assumptions.append(["Locked in", words.names(portfolio, rules.locked_in, limit=50)])
    if rules.locked_out:
        assumptions.append(["Locked out", words.names(portfolio, rules.locked_out, limit=50)])
    appendix_html = "".join(
        f'<h2>{html.escape(t)}</h2><img class="chart" src="{src}" alt="{html.escape(t)}"/>'
        for t, src in appendix_charts
    )
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"/><title>{html.escape(title)}: board pack</title>
<style>{CSS}</style></head>
<body>
<h1>Improvement priorities: recommended set</h1>
<p class="meta">Scenario: {html.escape(title)} · {on:%d %B %Y} · Status: {html.escape(result.message)}</p>
<p class="summary">{html.escape(words.result_summary(portfolio, result))}</p>
<p><span class="figure">{len(result.kept)} of {len(portfolio.priorities)}</span> priorities kept ·
<span class="figure">{(result.objective or 0.0):,.1f}</span> net value ·
<span class="figure">{national_kept:.0f}%</span> of kept capacity national (whole wish-list {national_wish:.0f}%)</p>
<p><img class="chart" src="{balance_png}" alt="Horizon balance"/></p>
<p><img class="chart" src="{capacity_png}" alt="Capacity used"/></p>
<h2>Kept priorities ({len(result.kept)})</h2>
{_names_by_horizon(portfolio, result.kept)}
<h2 class="pagebreak">Dropped priorities ({len(result.dropped)})</h2>
{_table(["why", "dropped priorities (name (id), owner): the owner briefs say what would bring each back"], dropped_rows, [28, 72])}
{roadmap_section(portfolio, plan)}
{workshop_section(workshop) if workshop is not None else ""}
<h1 class="pagebreak">Appendix</h1>
<h2>Summary in words</h2>
<p class="summary">{html.escape(summary_paragraph(portfolio, result))}</p>
<h2>Capacity</h2>
{_table(["capacity", "unit", "available", "headroom", "usable", "used"], capacity_rows)}
{appendix_html}
<h2>Kept priorities with reasons</h2>
{_table(["priority", "source", "horizon", "why"], kept_rows, [36, 10, 10, 44])}
{readiness_robustness_html(portfolio, result, robust)}
<h2>Assumptions</h2>
{_table(["assumption", "value"], assumptions, [35, 65])}
</body></html>
"""


def owner_brief_html(
    portfolio: Portfolio,
    result: Result,
    owner: str,
    explanations,
    scenario_name: str | None = None,
    on: date | None = None,
) -> str:
    """The "difficult conversation" brief for one owner: their priorities kept and dropped, why each dropped
    one is out, and what would bring it back (from the re-solved explanations, worded by `words`)."""
    if not result.has_selection:
        raise ValueError("There is no selection to report: the rules conflict. Fix them first.")
    on = on or date.today()
    title = scenario_name or portfolio.name
    theirs = [p for p in portfolio.priorities if p.owner == owner]
    kept = [p.id for p in theirs if p.id in result.kept]
    dropped = [p.id for p in theirs if p.id not in result.kept]
    reasons = {d.priority_id: d.reason for d in result.decisions}
    blocks = "".join(
        f"<h3>{html.escape(words.name_of(portfolio, pid))}</h3>"
        f"<p><b>Why it is out:</b> {html.escape(reasons[pid].removeprefix('Dropped: '))}</p>"
        f"<p><b>What would bring it back:</b> {html.escape(words.explanation_text(portfolio, explanations[pid]))}</p>"
        for pid in dropped
    )
    kept_text = words.names(portfolio, kept, limit=50) if kept else "none"
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"/><title>{html.escape(owner)}: brief</title>
<style>{CSS}</style></head>
<body>
<h1>Brief for {html.escape(owner)}</h1>
<p class="meta">Scenario: {html.escape(title)} · {on:%d %B %Y} · Status: {html.escape(result.message)}</p>
<p class="summary">Of the {len(theirs)} priorities {html.escape(owner)} leads, the recommended set keeps
{len(kept)} and drops {len(dropped)}. For each dropped priority: why it is out, and what would bring it back,
each figure from a re-solve of the whole portfolio.</p>
<h2>Kept ({len(kept)})</h2>
<p>{html.escape(kept_text)}</p>
<h2>Dropped ({len(dropped)})</h2>
{blocks or "<p>None.</p>"}
<h2>How to read the figures</h2>
<p>{html.escape(words.balance_unit(portfolio).capitalize())} measures the balance. Net value =
weighted value ({html.escape(words.VALUE_TERMS["weighted value"])}) minus drop penalty.</p>
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


def owner_explanations(portfolio: Portfolio, result: Result, owner: str) -> dict:
    """The re-solved explanation of each of one owner's dropped priorities (one shared model)."""
    from optimiser.explanations import explain_priority
    from optimiser.whatif import Resolver

    resolver = Resolver(portfolio)
    return {
        p.id: explain_priority(portfolio, result, p.id, resolver)
        for p in portfolio.priorities
        if p.owner == owner and p.id not in result.kept
    }


def owners(portfolio: Portfolio) -> list[str]:
    return sorted({p.owner for p in portfolio.priorities if p.owner})
