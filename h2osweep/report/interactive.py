"""The interactive parallel coordinates of `report.html`: plotly's parcoords (drag along an axis
to brush it) linked to a scatter of the target per run (hover a run for its configuration), with
plotly's JavaScript inlined once so the report works offline."""

from __future__ import annotations

import html
import json

import numpy as np

from h2osweep.analysis.axes import axes_of

INTERACTIVE_RUNS = 5000
PARALLEL_ID = "parallel-interactive"
RUNS_ID = "parallel-runs"
CONFIG = {"displaylogo": False, "responsive": True}

# Brushing the axes keeps the runs inside every brushed range; the scatter shows those runs.
LINK = """
window.addEventListener("load", function () {
  var axes = document.getElementById(%(parallel)s), runs = document.getElementById(%(runs)s);
  function inside(value, range) {
    if (!range) { return true; }
    var ranges = Array.isArray(range[0]) ? range : [range];
    return ranges.some(function (r) { return value >= r[0] && value <= r[1]; });
  }
  axes.on("plotly_restyle", function () {
    var dims = axes.data[0].dimensions, kept = [];
    for (var i = 0; i < dims[0].values.length; i++) {
      if (dims.every(function (d) { return inside(d.values[i], d.constraintrange); })) {
        kept.push(i);
      }
    }
    Plotly.restyle(runs, {selectedpoints: [kept]});
    document.getElementById(%(count)s).textContent = kept.length;
  });
});
"""


def label(text: object) -> str:
    """A user's name or value as plotly text (plotly reads a subset of HTML in its labels)."""
    return html.escape(str(text), quote=True)


def dimensions(prepared, rows: np.ndarray) -> list[dict]:
    """One parcoords axis per hyperparameter, in its own units (ticks as in the PNG), then the
    target."""
    dims = []
    for axis in axes_of(prepared):
        dims.append(
            {
                "label": label(axis.name + (" (log)" if axis.kind == "log" else "")),
                "values": axis.coded[rows].tolist(),
                "range": [axis.low, axis.high],
                "tickvals": axis.ticks.tolist(),
                "ticktext": [label(t) for t in axis.labels],
            }
        )
    dims.append({"label": label(prepared.target), "values": prepared.y[rows].tolist()})
    return dims


def hover_texts(prepared, rows: np.ndarray) -> list[str]:
    """Each run's label, target and hyperparameters, for the scatter's hover box."""
    axes = axes_of(prepared)
    texts = []
    for i in rows:
        parts = [f"<b>{label(prepared.labels.iloc[i])}</b>"]
        parts.append(f"{label(prepared.target)}: {prepared.y[i]:.4g}")
        parts += [f"{label(axis.name)}: {label(own_units(axis, axis.coded[i]))}" for axis in axes]
        texts.append("<br>".join(parts))
    return texts


def own_units(axis, coded: float) -> str:
    """A value in axis units shown in the parameter's own units."""
    if axis.kind == "category":
        return axis.labels[int(coded)]
    return f"{10**coded if axis.kind == 'log' else coded:.4g}"


def chosen_rows(n: int) -> np.ndarray:
    """The runs drawn: all, or an even sample of `INTERACTIVE_RUNS` (seeded) beyond that."""
    if n <= INTERACTIVE_RUNS:
        return np.arange(n)
    return np.sort(np.random.default_rng(0).permutation(n)[:INTERACTIVE_RUNS])


def figures(prepared):
    """The parcoords figure and the linked per-run scatter."""
    import plotly.graph_objects as go

    rows = chosen_rows(len(prepared.y))
    scale = "Viridis_r" if prepared.goal == "min" else "Viridis"
    colour = {"color": prepared.y[rows].tolist(), "colorscale": scale, "showscale": True}
    parallel = go.Figure(go.Parcoords(line=colour, dimensions=dimensions(prepared, rows)))
    parallel.update_layout(margin={"l": 60, "r": 60, "t": 60, "b": 30}, height=460)
    runs = go.Figure(
        go.Scatter(
            x=(rows + 1).tolist(),
            y=prepared.y[rows].tolist(),
            mode="markers",
            marker={"color": colour["color"], "colorscale": scale, "size": 7},
            hovertext=hover_texts(prepared, rows),
            hoverinfo="text",
            selected={"marker": {"opacity": 1.0}},
            unselected={"marker": {"opacity": 0.12}},
        )
    )
    runs.update_layout(
        xaxis_title="run (position in the table)", yaxis_title=label(prepared.target),
        margin={"l": 60, "r": 30, "t": 20, "b": 50}, height=320,
    )  # fmt: skip
    return parallel, runs, len(rows)


def parallel_view(analysis) -> str:
    """The interactive view as an HTML fragment (plotly.js inlined), or "" with fewer than
    two hyperparameters."""
    import plotly.io as pio

    prepared = analysis.prepared
    if len(axes_of(prepared)) < 2:
        return ""
    parallel, runs, shown = figures(prepared)
    first = pio.to_html(parallel, include_plotlyjs=True, full_html=False, div_id=PARALLEL_ID,
                        config=CONFIG)  # fmt: skip
    second = pio.to_html(runs, include_plotlyjs=False, full_html=False, div_id=RUNS_ID,
                         config=CONFIG)  # fmt: skip
    ids = {"parallel": PARALLEL_ID, "runs": RUNS_ID, "count": "parallel-count"}
    link = LINK % {key: json.dumps(value) for key, value in ids.items()}
    sample = f" (a sample of {shown} of {len(prepared.y)})" if shown < len(prepared.y) else ""
    counter = (
        f'<p class="lead">Drag along an axis to brush it (click it to clear); '
        f'<span id="parallel-count">{shown}</span> run(s) kept{sample}. Hover a run below.</p>'
    )
    return f'<div class="interactive">{counter}{first}{second}<script>{link}</script></div>'
