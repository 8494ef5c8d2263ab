"""One self-contained `report.html`: embedded PNGs, tables, notes and the chosen optimum.

Every string that comes from the data goes through `html.escape`, so a parameter value such as
`<script>` is shown as text.
"""

from __future__ import annotations

import base64
import html
import math

import pandas as pd

from h2osweep.report.interactive import parallel_view

STYLE = """
* { box-sizing: border-box; }
body { margin: 0; background: #fff; color: #1f2933;
  font: 16px/1.55 -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 1080px; margin: 0 auto; padding: 2.5rem 1.5rem 4rem; }
h1 { font-size: 1.9rem; margin: 0 0 .3rem; letter-spacing: -.01em; }
h2 { font-size: 1.3rem; margin: 2.6rem 0 .8rem; padding-bottom: .3rem;
  border-bottom: 2px solid #e4e7eb; }
h3 { font-size: 1.05rem; margin: 1.6rem 0 .5rem; }
p.lead { color: #52606d; margin: 0 0 1.2rem; }
.meta { display: flex; flex-wrap: wrap; gap: .6rem 2rem; padding: .9rem 1.1rem;
  background: #f5f7fa; border-radius: 8px; font-size: .92rem; }
.meta b { display: block; font-size: .75rem; text-transform: uppercase; color: #52606d;
  letter-spacing: .04em; }
table { border-collapse: collapse; font-size: .9rem; margin: .4rem 0 1rem; min-width: 50%; }
th, td { padding: .38rem .8rem; border-bottom: 1px solid #e4e7eb; text-align: left;
  vertical-align: top; }
th { background: #f5f7fa; font-weight: 600; }
td.num { text-align: right; font-variant-numeric: tabular-nums;
  font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: .85rem; }
tbody tr:hover { background: #fafbfc; }
tr.strong td { font-weight: 600; }
figure { margin: 1rem 0 1.6rem; }
figure img { max-width: 100%; height: auto; border: 1px solid #e4e7eb; border-radius: 6px; }
figcaption { color: #52606d; font-size: .88rem; margin-top: .35rem; }
ul.notes { padding-left: 1.2rem; } ul.notes li { margin: .2rem 0; }
.scroll { overflow-x: auto; }
.pair { display: grid; grid-template-columns: minmax(0, 1.15fr) minmax(0, 1fr); gap: 1.5rem;
  align-items: start; }
.pair table { min-width: 100%; }
.pair td, .pair th { padding: .34rem .55rem; overflow-wrap: anywhere; }
@media (max-width: 900px) { .pair { grid-template-columns: 1fr; } }
code { background: #f5f7fa; padding: .05rem .3rem; border-radius: 4px; font-size: .88em; }
"""


def esc(value: object) -> str:
    """Escape any value for HTML text and attributes."""
    return html.escape(str(value), quote=True)


def number(value: object) -> str:
    """A compact number: 4 significant digits, or the value itself when it is not a number."""
    if isinstance(value, bool) or value is None:
        return esc(value)
    if isinstance(value, int):
        return esc(value)
    if isinstance(value, float):
        return "NA" if math.isnan(value) else esc(f"{value:.4g}")
    return esc(value)


def cell(value: object) -> str:
    """A table cell, right-aligned when numeric."""
    numeric = isinstance(value, int | float) and not isinstance(value, bool)
    return f'<td class="num">{number(value)}</td>' if numeric else f"<td>{esc(value)}</td>"


def table(frame: pd.DataFrame, strong: set[int] | None = None) -> str:
    """An HTML table of a DataFrame."""
    head = "".join(f"<th>{esc(c)}</th>" for c in frame.columns)
    rows = []
    for i, row in enumerate(frame.itertuples(index=False)):
        cls = ' class="strong"' if strong and i in strong else ""
        rows.append(f"<tr{cls}>" + "".join(cell(plain(v)) for v in row) + "</tr>")
    body = "".join(rows)
    inner = f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody>"
    return f'<div class="scroll"><table>{inner}</table></div>'


def plain(value: object) -> object:
    """Unwrap numpy scalars so numbers format as numbers."""
    return value.item() if hasattr(value, "item") and not isinstance(value, str) else value


def image(saved) -> str:
    """A saved figure with its PNG embedded as base64."""
    data = base64.b64encode(saved.png).decode("ascii")
    figure = saved.figure
    return (
        f'<figure><img alt="{esc(figure.title)}" src="data:image/png;base64,{data}">'
        f"<figcaption>{esc(figure.caption)}</figcaption></figure>"
    )


def optimum_table(analysis) -> str:
    """Best observed run next to the GAM's suggestion, one row per hyperparameter."""
    best, suggested = analysis.best, analysis.suggested
    keys = list(dict.fromkeys(list(best.config) + list(suggested.config if suggested else [])))
    target = analysis.prepared.target
    rows = [(f"{target} (observed / predicted)", best.value, predicted_cell(suggested))]
    rows.append(("run", best.run, "predicted by the GAM" if suggested else "—"))
    for key in keys:
        gam = suggested.config.get(key, "—") if suggested else "—"
        rows.append((key, shown(best.config.get(key)), shown(gam)))
    frame = pd.DataFrame(rows, columns=["", "best observed run", "GAM-suggested"])
    note = f'<p class="lead">{esc(suggested.note)}</p>' if suggested else ""
    return table(frame, strong={0}) + note


def leaderboard(analysis) -> str:
    """The runs nearest the winner, so a reader sees how close the choice was (and, beside
    the figure that chose, the held-out one)."""
    from h2osweep.analysis.selection import top_runs

    runs = top_runs(analysis.prepared)
    if len(runs) < 2:
        return ""
    among = analysis.prepared.contending
    said = f"The {len(runs)} best of {among} runs" if among > len(runs) else "Every run"
    return f'<p class="lead">{said}, best first:</p>' + table(runs, strong={0})


def predicted_cell(suggested) -> object:
    """The GAM's predicted value; where it left the possible range, the prediction itself said
    to be an extrapolation (the clipped value would read as a tie with the best run)."""
    if suggested is None:
        return "—"
    if suggested.extrapolated is None:
        return suggested.value
    return f"{suggested.extrapolated:.3g} (an extrapolation: see below)"


def shown(value: object) -> object:
    """Lists shown compactly, with rounded floats."""
    if isinstance(value, list):
        return "[" + ", ".join(f"{v:.4g}" if isinstance(v, float) else str(v) for v in value) + "]"
    return value


def section(title: str, *parts: str, level: str = "h2") -> str:
    """A titled section."""
    return f"<section><{level}>{esc(title)}</{level}>{''.join(parts)}</section>"


def pair(left: str, right: str) -> str:
    """Two blocks side by side (a plot and its table), stacked on narrow screens."""
    return f'<div class="pair"><div>{left}</div><div>{right}</div></div>'


def figures_for(saved, *keys: str, objective: int = 0) -> str:
    """The embedded figures of the registry entries `keys` (of one objective's analysis)."""
    return "".join(
        image(item)
        for item in saved
        if item.figure.key in keys and item.figure.objective == objective
    )


def retrained_section(retrained) -> str:
    """Retrained configurations (the lecture's step 8): the config and metrics beside the best run.

    Each item needs `choice`, `config` (dict), `comparison` (one row per model, a `model`
    column and metric columns) and `note`, as `h2osweep.workflows.retrain.Retrained` provides.
    """
    parts = []
    for item in retrained:
        config = pd.DataFrame(
            [(k, shown(v)) for k, v in item.config.items()], columns=["hyperparameter", "value"]
        )
        comparison = item.comparison.set_index("model").T.reset_index(names="metric")
        note = f'<p class="lead">{esc(item.note)}</p>' if item.note else ""
        parts.append(
            f"<h3>{esc(item.choice)} configuration</h3>"
            + note
            + pair(table(comparison), table(config))
        )
    return section("Retrained configurations", *parts)


def selection_block(analysis, retrained=None) -> str:
    """What chose the winner, its held-out test figure and the optimism of the choosing one."""
    from h2osweep.analysis.selection import selection_sentences

    chosen = analysis.selection
    if chosen is None:
        return ""
    again = retrained_value(retrained, chosen.test_metric)
    text = " ".join(selection_sentences(chosen, again))
    return f'<p class="lead">{esc(text)}</p>'


def retrained_value(retrained, metric: str) -> float | None:
    """The retrained best configuration's value of `metric`, when it was retrained."""
    for item in retrained or []:
        row = item.comparison.iloc[-1]
        if item.choice == "best" and metric in row.index:
            return float(row[metric])
    return None


def meta_block(analysis) -> str:
    """The facts strip under the title: source, format, target, runs, hyperparameters."""
    p = analysis.prepared
    facts = [
        ("source", analysis.source),
        ("format", analysis.kind),
        ("target" if not analysis.others else "objectives", objectives_text(analysis)),
        ("runs analysed", len(p.y)),
        ("hyperparameters", ", ".join(map(str, p.numeric + list(p.categorical))) or "none"),
    ]
    inner = "".join(f"<div><b>{esc(k)}</b>{esc(v)}</div>" for k, v in facts)
    return f'<div class="meta">{inner}</div>'


def objectives_text(analysis) -> str:
    """Each target with the direction that is better."""
    return "; ".join(f"{a.prepared.target} ({a.prepared.goal.wording})" for a in analysis.analyses)


GAM_TABLE_NOTE = (
    "pygam's summary, not mgcv's: one smoothing parameter for every term, an edof that counts "
    "the term's constant direction (a straight line shows about 2 where mgcv's edf shows 1) and "
    "approximate p-values; with few runs they can differ a lot from mgcv's on the same runs."
)


def statistics_sections(analysis, saved, objective: int = 0, level: str = "h2") -> list[str]:
    """Correlations, OLS, the importances and the GAM, each beside its figure."""
    target = analysis.prepared.target
    gam = table(analysis.gam) if not analysis.gam.empty else "<p>No GAM could be fitted.</p>"
    left = f"log({target})" if analysis.gam_fit.family == "log" else target
    formula = f"<p><code>{esc(left)} ~ {esc(analysis.gam_fit.formula or '1')}</code></p>"
    if not analysis.gam.empty:
        formula += f'<p class="lead">{esc(GAM_TABLE_NOTE)}</p>'

    def figs(*keys):
        return figures_for(saved, *keys, objective=objective)

    def part(title, *parts):
        return section(title, *parts, level=level)

    return [
        part("Correlations", pair(figs("correlations"), table(analysis.correlations))),
        part("Linear regression (OLS)", table(analysis.ols)),
        part("ExtraTrees importance", pair(figs("importance"), table(analysis.importance))),
        part("Importance by method", methods_block(analysis), figs("importance_methods")),
        part("Generalised additive model", formula, gam, figs("gam_terms", "gam_surfaces")),
    ]


def methods_block(analysis) -> str:
    """The importance shares of every method, and the sentence saying where they agree."""
    if analysis.methods.empty:
        return "<p>No importance by method.</p>"
    agreement = analysis.methods.attrs.get("notes", [""])[-1]
    return f'<p class="lead">{esc(agreement)}</p>' + table(analysis.methods)


def objectives_sections(analysis, saved) -> list[str]:
    """For several objectives: the Pareto front and its knee, then each further objective's
    optimum and statistics."""
    if not analysis.others:
        return []
    knee = analysis.knee
    note = f'<p class="lead">{esc(knee.note)}</p>' if knee else ""
    parts = [
        section(
            "Pareto front",
            note,
            pair(figures_for(saved, "pareto"), table(analysis.pareto)),
        )
    ]
    for number, other in enumerate(analysis.others, start=1):
        target = other.prepared.target
        title = f"Objective {number + 1}: {target}"
        parts.append(
            section(
                title,
                optimum_table(other),
                figures_for(saved, "facets", objective=number),
                *statistics_sections(other, saved, objective=number, level="h3"),
            )
        )
    return parts


def render(analysis, saved, retrained=None) -> str:
    """The whole report as one HTML string; `retrained` adds the lecture's step 8."""
    p = analysis.prepared
    notes = "".join(f"<li>{esc(n)}</li>" for n in analysis.notes)
    curves = section("Best so far", figures_for(saved, "best_so_far"))
    body = [
        f"<h1>Sweep analysis: {esc(p.target)}</h1>",
        f'<p class="lead">What drives {esc(p.target)} across {len(p.y)} runs, '
        "and what to train next.</p>",
        meta_block(analysis),
        section(
            "Optimum",
            selection_block(analysis, retrained),
            optimum_table(analysis),
            leaderboard(analysis),
        ),
        retrained_section(retrained) if retrained else "",
        section("How the table was prepared", f'<ul class="notes">{notes}</ul>'),
        section("Target against each hyperparameter", figures_for(saved, "facets")),
        *statistics_sections(analysis, saved),
        section("Parallel coordinates", figures_for(saved, "parallel"), parallel_view(analysis)),
        section("Slice plot", figures_for(saved, "slices")),
        curves if not analysis.curves.empty else "",
        section("Rungs", figures_for(saved, "rungs")) if not analysis.rungs.empty else "",
        *objectives_sections(analysis, saved),
    ]
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>Sweep analysis: {esc(p.target)}</title><style>{STYLE}</style></head>"
        f"<body><main>{''.join(body)}</main></body></html>"
    )
