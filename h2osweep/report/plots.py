"""The plotnine drawings of an analysis: each function takes computed tables and returns a ggplot.

Nothing is fitted here except what plotnine draws directly; smoothers and GAM effects come
precomputed from `h2osweep.analysis`, so the numbers are tested without images.
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
    points = shown.melt(id_vars=[target], var_name="variable")
    alpha = float(np.clip(60 / max(len(shown), 1), 0.08, 0.8))
    plot = (
        ggplot(points, aes("value", target))
        + geom_point(alpha=alpha, size=1.2, color=INK, stroke=0)
        + facet_wrap("~variable", scales="free_x", ncol=2)
        + scale_x_continuous(labels=short_numbers)
        + labs(x="", y=target, title=f"{target} against each hyperparameter")
        + theme()
    )
    if not smooths.empty:
        band = smooths.rename(columns={"x": "value"})
        plot += geom_ribbon(
            aes("value", ymin="lower", ymax="upper"),
            data=band,
            inherit_aes=False,
            fill=BAND,
            alpha=0.4,
        )
        plot += geom_line(aes("value", "fit"), data=band, inherit_aes=False, color=ACCENT, size=1)
    return plot


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
    dots = observed[[x_name, y_name]].drop_duplicates().rename(columns={x_name: "x", y_name: "y"})
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


def parallel_plot(table: pd.DataFrame, target: str, variables: list[str], goal: str):
    """Parallel coordinates of the hyperparameters (each scaled to 0–1), coloured by the target.

    Drawn as segments between neighbouring axes (one collection, fast), best runs on top.
    """
    from plotnine import aes, geom_segment, ggplot, labs, scale_color_cmap, scale_x_continuous

    data = table[variables + [target]]
    if len(data) > PARALLEL_RUNS:
        data = data.sample(PARALLEL_RUNS, random_state=0)
    data = data.sort_values(target, ascending=goal == "max")
    low, high = data[variables].min(), data[variables].max()
    scaled = (data[variables] - low) / (high - low).replace(0, 1)
    segments = pd.concat(
        [
            pd.DataFrame(
                {
                    "x": float(i),
                    "xend": float(i + 1),
                    "y": scaled[a].to_numpy(),
                    "yend": scaled[b].to_numpy(),
                    target: data[target].to_numpy(),
                    "order": np.arange(len(data)),
                }
            )
            for i, (a, b) in enumerate(zip(variables, variables[1:], strict=False))
        ]
    ).sort_values("order", kind="stable")
    shown = f" ({PARALLEL_RUNS} of {len(table)} runs)" if len(table) > PARALLEL_RUNS else ""
    return (
        ggplot(segments, aes(x="x", xend="xend", y="y", yend="yend", color=target))
        + geom_segment(alpha=0.5, size=0.4)
        + scale_x_continuous(breaks=list(range(len(variables))), labels=list(variables))
        + scale_color_cmap(colormap(goal))
        + labs(x="", y="scaled value (min–max)", title=f"Parallel coordinates{shown}")
        + theme()
        + theme_axis_text()
    )


def short_numbers(breaks) -> list[str]:
    """Short axis labels: 0.0025 and 1500 as written, tiny or huge numbers as 2.5e-05."""
    return [f"{b:.4g}" if b == 0 or 1e-3 <= abs(b) < 1e5 else f"{b:.2g}" for b in breaks]


def colormap(goal: str) -> str:
    """Viridis oriented so that the better target value is always the bright end."""
    return "viridis_r" if goal == "min" else "viridis"


def parallel_table(prepared) -> tuple[pd.DataFrame, list[str]]:
    """Numeric hyperparameters plus one axis per categorical (its level's position)."""
    table = prepared.table[prepared.numeric + [prepared.target]].copy()
    for column, names in prepared.indicators.items():
        table[column] = prepared.table[names].to_numpy().argmax(axis=1).astype(float)
    return table, prepared.numeric + list(prepared.indicators)


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
