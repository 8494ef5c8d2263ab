"""Time every analysis and plot of `h2osweep analyze` on synthetic sweeps of 200 to 20,000 runs.

Prints seconds per step and for the whole analyze (analysis + report), and the ratio of our
facet plot (precomputed smoother) to plotnine's own `stat_smooth(method="loess")` where that
baseline is affordable. Target: the whole analyze at 20,000 runs in at most 30 s on 2 cores.

    python benchmarks/bench_analysis.py                 # 200, 2000, 20000 runs
    python benchmarks/bench_analysis.py --sizes 200 2000 --baseline-max 2000
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
import warnings
from contextlib import contextmanager
from pathlib import Path

from h2osweep.analysis import (
    analyze,
    correlations,
    facet_smooths,
    fit_gam,
    gam_suggestion,
    gam_table,
    importances,
    ols,
    partial_dependence,
    prepare,
    surfaces,
)
from h2osweep.analysis.importance import fit_forest, importance_methods
from h2osweep.analysis.tables import load_results
from h2osweep.report import write_report
from h2osweep.report.outputs import png_bytes
from h2osweep.report.plots import facet_plot
from tests.synthetic import lecture_table

TARGET_SECONDS = 30.0


@contextmanager
def timed(times: dict, name: str):
    """Record the wall time of a block under `name`."""
    start = time.perf_counter()
    yield
    times[name] = time.perf_counter() - start


def steps(folder: Path) -> dict:
    """Seconds for each analysis step, computed one by one."""
    times: dict[str, float] = {}
    with timed(times, "load + prepare"):
        raw = load_results(folder)
        params = [p for p in raw.params if p in raw.frame.columns]
        p = prepare(raw.frame, "test_mse", params)
    with timed(times, "correlations"):
        correlations(p)
    with timed(times, "ols"):
        ols(p)
    with timed(times, "extratrees (250 trees, 2 jobs)"):
        forest = fit_forest(p)
        importance = importances(p, forest=forest)
    with timed(times, "permutation + fANOVA + PED-ANOVA"):
        importance_methods(p, importance, forest)
    with timed(times, "gam fit (lecture formula, lambda grid)"):
        fit = fit_gam(p)
    with timed(times, "gam table + partial effects + te surface"):
        gam_table(fit), partial_dependence(fit, p.table), surfaces(fit, p.table)
    with timed(times, "gam suggestion"):
        gam_suggestion(fit, p)
    with timed(times, "facet smoothers"):
        facet_smooths(p.table, p.target, p.numeric)
    return times


def whole(folder: Path, out: Path) -> dict:
    """Seconds for `analyze` and for writing the report (tables, PNGs, HTML)."""
    times: dict[str, float] = {}
    with timed(times, "analyze()"):
        analysis = analyze(folder)
    with timed(times, "write_report() (csv + png + html)"):
        write_report(analysis, out)
    times["WHOLE analyze"] = times["analyze()"] + times["write_report() (csv + png + html)"]
    return times, analysis


def baseline(analysis, out: Path) -> dict:
    """Our facet plot against plotnine drawing its own loess smoother, both saved as PNG."""
    from plotnine import stat_smooth

    p = analysis.prepared
    times: dict[str, float] = {}
    with timed(times, "facet plot, our smoother"):
        smooths = facet_smooths(p.table, p.target, p.numeric)
        png_bytes(facet_plot(p.table, p.target, p.numeric, smooths), 9, 10)
    with timed(times, "facet plot, plotnine stat_smooth(loess)"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        plot = facet_plot(p.table, p.target, p.numeric, smooths.iloc[0:0])
        png_bytes(plot + stat_smooth(method="loess", color="black"), 9, 10)
    return times


def show(title: str, times: dict) -> None:
    """Print one block of timings."""
    print(f"  {title}")
    for name, seconds in times.items():
        print(f"    {name:<44} {seconds:8.2f} s")


def main() -> None:
    """Run the benchmark for each size and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[200, 2000, 20000])
    parser.add_argument(
        "--baseline-max", type=int, default=2000, help="largest n for plotnine loess"
    )
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    for n in args.sizes:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp) / "sweep"
            folder.mkdir()
            lecture_table(n, seed=1).to_csv(folder / "results.csv", index=False)
            print(f"{n} runs")
            show("steps", steps(folder))
            times, analysis = whole(folder, Path(tmp) / "out")
            show("whole", times)
            verdict = "ok" if times["WHOLE analyze"] <= TARGET_SECONDS else "OVER"
            print(f"    target <= {TARGET_SECONDS:.0f} s: {verdict}")
            if n <= args.baseline_max:
                base = baseline(analysis, Path(tmp) / "base")
                show("baseline", base)
                ours, theirs = base.values()
                print(f"    plotnine loess / ours = {theirs / ours:.2f}x")
        print(f"  load average now: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
