"""How `archbench diff` shows a `RunDiff`: rich tables for the terminal, and one
self-contained HTML page in the report's style.

The terminal's table of differences is `compare`'s own (`harness.cli.tables.render_paired`),
retitled, so a difference reads the same in both commands. Every name, task id and answer
comes from a run directory someone may have handed over: on the terminal it goes through
`shown` (no markup, control characters visible); in HTML through Jinja2's autoescaping,
and the page extends the report's base template, so it has the report's inline styles and
needs no network.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import jinja2
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from harness.bootstrap import Estimate
from harness.cli.tables import render_paired
from harness.cli.text import shown, visible
from harness.diff import ArchDiff, Flip, RunDiff
from harness.stats import PAIRED_METRICS

TITLE = "run B minus run A, episode by episode (same world, task and seed; 95% clustered bootstrap)"

_UNITS = {  # as compare's table writes each metric
    "accuracy": ("pts", 100.0, "{:+.1f}"),
    "cost": ("$", 1.0, "{:+.4f}"),
    "tokens": ("tok", 1.0, "{:+,.0f}"),
    "latency": ("s", 1.0, "{:+.1f}"),
}
_ANSWER_CHARS = 60


def _answer(text: str | None) -> str:
    if text is None:
        return "(none)"
    text = visible(text)
    return text if len(text) <= _ANSWER_CHARS else text[: _ANSWER_CHARS - 3] + "..."


def _flips(d: ArchDiff, show: int) -> list[tuple[str, Flip]]:
    """Up to `show` flips of each direction: the losses first."""
    return [("right -> wrong", f) for f in d.lost[:show]] + [
        ("wrong -> right", f) for f in d.gained[:show]
    ]


def _headline(d: ArchDiff) -> str:
    return (
        f"{d.label}: accuracy {d.accuracy_a:.1%} in A, {d.accuracy_b:.1%} in B on {d.pairs} "
        f"paired episodes; {len(d.lost)} right in A only, {len(d.gained)} right in B only"
    )


def render_terminal(diff: RunDiff, show: int) -> RenderableType:
    """The differences (compare's table), a line per architecture, and its flips."""
    pairs = [dataclasses.replace(d.paired, a=d.label) for d in diff.architectures]
    table = render_paired(pairs, "run A")
    table.title = shown(TITLE)
    parts: list[RenderableType] = [
        shown(f"archbench diff: A = {diff.run_a}, B = {diff.run_b}"),
        table,
    ]
    parts += [shown(_headline(d)) for d in diff.architectures]
    flips = [(d, change, f) for d in diff.architectures for change, f in _flips(d, show)]
    if flips and show > 0:
        worlds = any(f.world for _, _, f in flips)
        t = Table(title=f"episodes that flipped (up to {show} each way per architecture)")
        t.add_column("architecture", no_wrap=True)
        t.add_column("change", no_wrap=True)
        if worlds:
            t.add_column("world", justify="right")
        for col in ("task", "seed", "family", "answer in A", "answer in B"):
            t.add_column(col, justify="right" if col == "seed" else "left")
        for d, change, f in flips:
            style = "red" if f.correct_a else "green"
            cells: list[str | Text] = [shown(d.label), Text(change, style=style)]
            cells += [str(f.world)] if worlds else []
            cells += [shown(f.task_id), str(f.seed), shown(f.family)]
            cells += [shown(_answer(f.answer_a)), shown(_answer(f.answer_b))]
            t.add_row(*cells)
        parts.append(t)
    if diff.not_compared_a or diff.not_compared_b:
        parts.append(shown(_not_compared(diff)))
    return Group(*parts)


def _not_compared(diff: RunDiff) -> str:
    a = ", ".join(diff.not_compared_a) or "none"
    b = ", ".join(diff.not_compared_b) or "none"
    return f"not compared: run A's {a}; run B's {b}"


def _cell(est: Estimate | None, metric: str) -> dict[str, str]:
    if est is None:
        return {"difference": "unknown", "ci": "", "verdict": "unknown"}
    unit, scale, fmt = _UNITS[metric]
    from harness.diff import verdict

    return {
        "difference": f"{fmt.format(est.mean * scale)} {unit}",
        "ci": f"{fmt.format(est.lo * scale)} to {fmt.format(est.hi * scale)}",
        "verdict": verdict(est),
    }


_TEMPLATE = """{% extends "base.html.j2" %}
{% block body %}
<header class="top">
<h1>{{ title }}</h1>
<div class="sub">run A <code>{{ run_a }}</code> · run B <code>{{ run_b }}</code></div>
</header>
<main>
{% if notes %}
<div class="notes" id="found"><strong>Read this first.</strong>
<ul>{% for n in notes %}<li class="warn">{{ n }}</li>
{% endfor %}</ul></div>
{% endif %}
<section id="differences">
<h2>Paired differences</h2>
<p class="lead">{{ method }}</p>
<div class="scroll"><table>
<tr><th>architecture</th><th class="n">pairs</th><th>metric</th><th class="n">difference</th>
<th class="n">95% CI</th><th>verdict</th></tr>
{% for r in rows %}
<tr><td class="arch">{{ r.label }}</td><td class="n">{{ r.pairs }}</td><td>{{ r.metric }}</td>
<td class="n">{{ r.difference }}</td><td class="n">{{ r.ci }}</td>
<td><span class="tag{{ ' warn' if r.verdict not in ('within noise', 'unknown') }}">
{{- r.verdict }}</span></td></tr>
{% endfor %}
</table></div>
<ul>{% for line in headlines %}<li>{{ line }}</li>
{% endfor %}</ul>
</section>
<section id="flips">
<h2>Episodes that flipped</h2>
{% if flipped %}
<p class="lead">{{ flipped }} in all; up to {{ show }} each way per architecture shown.</p>
{% if flips %}
<div class="scroll"><table>
<tr><th>architecture</th><th>change</th><th class="n">world</th><th>task</th><th class="n">seed</th>
<th>family</th><th>answer in A</th><th>answer in B</th></tr>
{% for f in flips %}
<tr><td class="arch">{{ f.label }}</td>
<td><span class="tag {{ 'bad' if f.correct_a else 'good' }}">{{ f.change }}</span></td>
<td class="n">{{ f.world }}</td><td>{{ f.task_id }}</td><td class="n">{{ f.seed }}</td>
<td>{{ f.family }}</td><td>{{ f.answer_a }}</td><td>{{ f.answer_b }}</td></tr>
{% endfor %}
</table></div>
{% endif %}
{% else %}
<p>No episode is right in one run and wrong in the other.</p>
{% endif %}
</section>
<section id="unpaired">
<h2>Episodes in one run only</h2>
{% if unpaired %}
<p class="lead">Left out of the pairing: the other run has no episode with the same world, task
and seed.</p>
<div class="scroll"><table>
<tr><th>architecture</th><th>only in</th><th class="n">episodes</th>
<th>first (world, task, seed)</th></tr>
{% for u in unpaired %}
<tr><td class="arch">{{ u.label }}</td><td>run {{ u.side }}</td><td class="n">{{ u.count }}</td>
<td>{{ u.first }}</td></tr>
{% endfor %}
</table></div>
{% else %}
<p>None: every compared episode is in both runs.</p>
{% endif %}
{% if not_compared %}<p>{{ not_compared }}</p>{% endif %}
</section>
</main>
{% endblock %}
"""


def _environment() -> jinja2.Environment:
    """The report's templates (for its base page and styles) and this page's own."""
    return jinja2.Environment(
        loader=jinja2.ChoiceLoader(
            [
                jinja2.DictLoader({"diff.html.j2": _TEMPLATE}),
                jinja2.PackageLoader("harness.report", "templates"),
            ]
        ),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render_html(diff: RunDiff, show: int) -> str:
    """One self-contained page: the differences, the flips and the unpaired episodes."""
    rows: list[dict[str, Any]] = []
    for d in diff.architectures:
        for metric in PAIRED_METRICS:
            cell = _cell(d.metric(metric), metric)
            rows.append({"label": d.label, "pairs": d.pairs, "metric": metric, **cell})
    flips = [
        {
            **f.as_dict(),
            "label": d.label,
            "change": change,
            "answer_a": _answer(f.answer_a),
            "answer_b": _answer(f.answer_b),
        }
        for d in diff.architectures
        for change, f in _flips(d, show)
    ]
    flipped = sum(len(d.lost) + len(d.gained) for d in diff.architectures)
    unpaired = [
        {"label": d.label, "side": side, "count": len(keys), "first": _keys(keys, show)}
        for d in diff.architectures
        for side, keys in (("A", d.only_a), ("B", d.only_b))
        if keys
    ]
    not_compared = _not_compared(diff) if diff.not_compared_a or diff.not_compared_b else ""
    return (
        _environment()
        .get_template("diff.html.j2")
        .render(
            title="archbench diff",
            run_a=str(diff.run_a),
            run_b=str(diff.run_b),
            notes=list(diff.notes),
            method=TITLE[:1].upper() + TITLE[1:] + f"; {diff.reps:,} replicates.",
            rows=rows,
            headlines=[_headline(d) for d in diff.architectures],
            show=show,
            flips=flips,
            flipped=flipped,
            unpaired=unpaired,
            not_compared=not_compared,
        )
    )


def _keys(keys: tuple[tuple[int, str, int], ...], show: int) -> str:
    first = ", ".join(f"({w}, {t}, {s})" for w, t, s in keys[:show])
    return first + (" ..." if len(keys) > show else "")
