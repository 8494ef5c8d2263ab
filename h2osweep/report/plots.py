"""The plotnine drawings of an analysis: each function takes computed tables and returns a ggplot.

Nothing is fitted here except what plotnine draws directly; smoothers and GAM effects come
precomputed from `h2osweep.analysis`, so the numbers are tested without images. A user's column
names are never columns of a frame handed to plotnine (plotnine reads an aesthetic as an
expression): they are values (panel names) and labels, so any name works.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

PARALLEL_RUNS = 1000
DRAWN_POINTS = 5000
INK = "#1f2933"
ACCENT = "#2563eb"
BAND = "#93c5fd"


def theme():
    """A quiet theme (the lecture uses `theme_classic`) with readable facet labels."""
    from plotnine import element_blank, element_rect, element_text, theme, theme_classic

    return theme_classic(base_size=10) + theme(
        strip_background=element_rect(fill="#eef2f7", color="none"),
        strip_text=element_text(weight="bold", color=INK),
        panel_grid_major=element_blank(),
        plot_title=element_text(weight="bold", size=12, color=INK),
    )


def facet_plot(table: pd.DataFrame, target: str, variables: list[str], smooths: pd.DataFrame):
    """The lecture's plot: target against every hyperparameter, points and ggplot's smoother."""
    from plotnine import (
        aes,
        facet_wrap,
        geom_line,
        geom_point,
        geom_ribbon,
        ggplot,
        labs,
        scale_x_continuous,
    )

    shown = table[variables + [target]]
    if len(shown) > DRAWN_POINTS:
        shown = shown.sample(DRAWN_POINTS, random_state=0)
    points = long_points(shown, target, variables)
    alpha = float(np.clip(60 / max(len(shown), 1), 0.08, 0.8))
    plot = (
        ggplot(points, aes("x", "y"))
        + geom_point(alpha=alpha, size=1.2, color=INK, stroke=0)
        + facet_wrap("~panel", scales="free_x", ncol=2)
        + scale_x_continuous(labels=short_numbers)
        + labs(x="", y=target, title=f"{target} against each hyperparameter")
        + theme()
    )
    if not smooths.empty:
        band = smooths.assign(panel=pd.Categorical(smooths["variable"], categories=variables))
        band = band[["panel", "x", "fit", "lower", "upper"]]
        plot += geom_ribbon(
            aes("x", ymin="lower", ymax="upper"),
            data=band,
            inherit_aes=False,
            fill=BAND,
            alpha=0.4,
        )
        plot += geom_line(aes("x", "fit"), data=band, inherit_aes=False, color=ACCENT, size=1)
    return plot


def long_points(table: pd.DataFrame, target: str, variables: list[str]) -> pd.DataFrame:
    """One row per run and variable: `panel` (the variable's name), `x` and `y` (the target)."""
    n = len(table)
    return pd.DataFrame(
        {
            "panel": pd.Categorical(np.repeat(variables, n), categories=variables),
            "x": np.concatenate([table[v].to_numpy(dtype=float) for v in variables]),
            "y": np.tile(table[target].to_numpy(dtype=float), len(variables)),
        }
    )


def gam_terms_plot(partial: pd.DataFrame, target: str):
    """Each smooth's partial effect with its 95 % band: the lecture's `plot(m.gam, select = i)`."""
    from plotnine import (
        aes,
        facet_wrap,
        geom_hline,
        geom_line,
        geom_ribbon,
        ggplot,
        labs,
        scale_x_continuous,
    )

    return (
        ggplot(partial, aes("x", "fit"))
        + geom_hline(yintercept=0, color="#9aa5b1", linetype="dashed")
        + geom_ribbon(aes(ymin="lower", ymax="upper"), fill=BAND, alpha=0.5)
        + geom_line(color=ACCENT, size=1)
        + facet_wrap("~term", scales="free", ncol=3)
        + scale_x_continuous(labels=short_numbers)
        + labs(x="", y=f"effect on {target}", title="GAM: partial effect of each term")
        + theme()
    )


def surface_plot(surface: pd.DataFrame, observed: pd.DataFrame, target: str, goal: str):
    """Heat map of a `te` term's joint effect, with the observed runs as dots."""
    from plotnine import aes, geom_point, geom_tile, ggplot, labs, scale_fill_cmap

    x_name, y_name = surface["x_name"].iloc[0], surface["y_name"].iloc[0]
    dots = pd.DataFrame(
        {"x": observed[x_name].to_numpy(), "y": observed[y_name].to_numpy()}
    ).drop_duplicates()
    if len(dots) > 2000:
        dots = dots.sample(2000, random_state=0)
    return (
        ggplot(surface, aes("x", "y", fill="fit"))
        + geom_tile()
        + geom_point(data=dots, fill="white", color="black", size=1.2, alpha=0.6, stroke=0.3)
        + scale_fill_cmap(colormap(goal), name=f"effect on\n{target}")
        + labs(x=x_name, y=y_name, title=f"GAM: {surface['term'].iloc[0]}")
        + theme()
    )


def bar_plot(frame: pd.DataFrame, value: str, title: str, error: str | None = None):
    """Horizontal bars of one value per term, largest on top, coloured by sign."""
    from plotnine import aes, coord_flip, geom_col, geom_errorbar, ggplot, labs, scale_fill_manual

    data = frame.assign(
        sign=np.where(frame[value] >= 0, "positive", "negative"),
        term=pd.Categorical(frame["term"], categories=list(frame["term"])[::-1]),
    )
    plot = (
        ggplot(data, aes("term", value, fill="sign"))
        + geom_col(width=0.7, show_legend=False)
        + scale_fill_manual(values={"positive": ACCENT, "negative": "#dc2626"})
        + coord_flip()
        + labs(x="", y=value, title=title)
        + theme()
    )
    if error:
        plot += geom_errorbar(
            aes(ymin=f"{value} - {error}", ymax=f"{value} + {error}"), width=0.25, color=INK
        )
    return plot


def parallel_plot(axes: pd.DataFrame, ticks: pd.DataFrame, target: str, goal: str):
    """Parallel coordinates of the hyperparameters, coloured by the target, each axis labelled
    in its own units (`parallel_axes`): segments between neighbouring axes, best runs on top."""
    from plotnine import (
        aes,
        element_blank,
        geom_segment,
        geom_text,
        ggplot,
        labs,
        scale_color_cmap,
        scale_x_continuous,
    )
    from plotnine import theme as settings

    names = list(dict.fromkeys(ticks["axis"]))
    data = axes if len(axes) <= PARALLEL_RUNS else axes.sample(PARALLEL_RUNS, random_state=0)
    data = data.sort_values("colour", ascending=goal == "max", kind="stable")
    segments = parallel_segments(data, len(names))
    shown = f" ({PARALLEL_RUNS} of {len(axes)} runs)" if len(axes) > PARALLEL_RUNS else ""
    rules = pd.DataFrame({"x": np.arange(len(names), dtype=float)})
    return (
        ggplot(segments, aes(x="x", xend="xend", y="y", yend="yend", color="colour"))
        + geom_segment(alpha=0.5, size=0.4)
        + geom_segment(
            aes(x="x", xend="x", y=0, yend=1), data=rules, inherit_aes=False, color="#9aa5b1"
        )
        + geom_text(
            aes(x="position", y="y", label="label"),
            data=ticks,
            inherit_aes=False,
            size=6.5,
            ha="right",
            nudge_x=-0.04,
            color=INK,
        )
        + scale_x_continuous(breaks=list(range(len(names))), labels=names)
        + scale_color_cmap(colormap(goal), name=target)
        + labs(x="", y="", title=f"Parallel coordinates{shown}")
        + theme()
        + theme_axis_text()
        + settings(
            axis_text_y=element_blank(),
            axis_ticks_major_y=element_blank(),
            axis_line_y=element_blank(),
        )  # fmt: skip
    )


def parallel_segments(data: pd.DataFrame, count: int) -> pd.DataFrame:
    """One segment per run between each pair of neighbouring axes, in the runs' order."""
    return pd.concat(
        [
            pd.DataFrame(
                {
                    "x": float(i),
                    "xend": float(i + 1),
                    "y": data[f"axis{i}"].to_numpy(),
                    "yend": data[f"axis{i + 1}"].to_numpy(),
                    "colour": data["colour"].to_numpy(),
                    "order": np.arange(len(data)),
                }
            )
            for i in range(count - 1)
        ]
    ).sort_values("order", kind="stable")


def short_numbers(breaks) -> list[str]:
    """Short axis labels: 0.0025 and 1500 as written, tiny or huge numbers as 2.5e-05."""
    return [f"{b:.4g}" if b == 0 or 1e-3 <= abs(b) < 1e5 else f"{b:.2g}" for b in breaks]


def colormap(goal: str) -> str:
    """Viridis oriented so that the better target value is always the bright end."""
    return "viridis_r" if goal == "min" else "viridis"


def theme_axis_text():
    """Rotate crowded x labels."""
    from plotnine import element_text, theme

    return theme(axis_text_x=element_text(rotation=30, ha="right"))


def best_so_far_plot(curves: pd.DataFrame, target: str):
    """The best target after each run, one line per strategy (the lecture's strategies compared)."""
    from plotnine import aes, geom_step, ggplot, labs

    return (
        ggplot(curves.dropna(subset=["best"]), aes("run", "best", color="strategy"))
        + geom_step(size=1)
        + labs(
            x="runs trained",
            y=f"best {target} so far",
            color="strategy",
            title=f"Best {target} so far",
        )
        + theme()
    )


def slice_plot(points: pd.DataFrame, target: str):
    """Optuna's slice plot: the target against each hyperparameter, one panel each, points
    coloured by run order (`slice_points` gives the panels, log10 where log-scaled)."""
    from plotnine import aes, facet_wrap, geom_point, ggplot, labs, scale_color_cmap

    alpha = float(np.clip(80 / max(len(points) / max(points["panel"].nunique(), 1), 1), 0.1, 0.9))
    return (
        ggplot(points, aes("x", "y", color="run"))
        + geom_point(alpha=alpha, size=1.2, stroke=0)
        + facet_wrap("~panel", scales="free_x", ncol=3)
        + scale_color_cmap("viridis", name="run")
        + labs(x="", y=target, title=f"Slice plot: {target} against each hyperparameter")
        + theme()
    )


def methods_plot(methods: pd.DataFrame, columns: list[str], labels: list[str]):
    """Grouped horizontal bars: each hyperparameter's share of the importance per method."""
    from plotnine import aes, coord_flip, geom_col, ggplot, labs, position_dodge, scale_fill_brewer

    order = list(methods["parameter"])[::-1]
    bars = pd.DataFrame(
        {
            "parameter": pd.Categorical(np.tile(methods["parameter"], len(columns)), order),
            "method": pd.Categorical(np.repeat(labels, len(methods)), labels),
            "share": np.concatenate([methods[c].to_numpy(dtype=float) for c in columns]),
        }
    )
    return (
        ggplot(bars, aes("parameter", "share", fill="method"))
        + geom_col(position=position_dodge(width=0.8), width=0.75)
        + scale_fill_brewer(type="qual", palette="Set2")
        + coord_flip()
        + labs(x="", y="share of importance", fill="", title="Importance by method")
        + theme()
    )


def pareto_plot(values: pd.DataFrame, rows, knee_row, first: str, second: str):
    """Every run on two objectives (grey), the Pareto front (`rows`) joined in blue, its knee
    ringed."""
    from plotnine import aes, geom_point, geom_step, ggplot, labs

    both = pd.DataFrame({"x": values[first].to_numpy(), "y": values[second].to_numpy()})
    runs = both.dropna()
    if len(runs) > DRAWN_POINTS:
        runs = runs.sample(DRAWN_POINTS, random_state=0)
    line = both.iloc[list(rows)].sort_values("x", kind="stable")
    knee = both.iloc[[] if knee_row is None else [knee_row]]
    return (
        ggplot(runs, aes("x", "y"))
        + geom_point(color="#9aa5b1", alpha=0.6, size=1.2, stroke=0)
        + geom_step(data=line, color=ACCENT, size=0.8, direction="hv")
        + geom_point(data=line, color=ACCENT, size=2)
        + geom_point(data=knee, color="#dc2626", fill="none", size=5, stroke=1.2)
        + labs(x=first, y=second, title="Pareto front")
        + theme()
    )


def rung_plot(rungs: pd.DataFrame, target: str, budget_name: str):
    """Each configuration's target at every rung it reached (columns budget, value, config,
    top), joined by a line; configurations that reached the top rung highlighted."""
    from plotnine import (
        aes,
        geom_line,
        geom_point,
        ggplot,
        labs,
        scale_color_manual,
        scale_x_log10,
    )

    colors = {"reached the top rung": ACCENT, "stopped early": BAND}
    return (
        ggplot(rungs, aes("budget", "value", group="config", color="top"))
        + geom_line(alpha=0.8)
        + geom_point(size=1.2)
        + scale_x_log10()
        + scale_color_manual(values=colors)
        + labs(
            x=f"{budget_name} (log scale)",
            y=target,
            color="",
            title=f"{target} at each rung",
        )
        + theme()
    )
