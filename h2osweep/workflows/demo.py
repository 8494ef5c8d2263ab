"""The course end to end in one call: the lecture's random search on digits, its analysis and
report, and the optimum retrained next to the best sweep model, on one embedded H2O."""

from __future__ import annotations

import sys
from pathlib import Path

from h2osweep.cluster import ClusterOptions, H2OCluster
from h2osweep.data import load_data
from h2osweep.errors import UserInputError
from h2osweep.record.goal import Objective
from h2osweep.search.fixed import random_plan
from h2osweep.sweep import SweepOptions, run_sweep
from h2osweep.sweep.engine import checked_folder
from h2osweep.training.scheduler import TrainSettings, check_epochs
from h2osweep.validation import check_int
from h2osweep.workflows.retrain import gam_config, retrain

LECTURE_SEEDS = [403, 10]
DEFAULT_RUNS = 40
DEFAULT_EPOCHS = 2.0
OBJECTIVE = Objective("test_mse", "min")  # the lecture chooses on test MSE


def demo_seeds(runs: int) -> list[int]:
    """The lecture's seeds c(403, 10), then 1, 2, ... up to `runs` seeds in all."""
    check_int("runs", runs, low=3, rule="at least 3 for the analysis")
    extra = [seed for seed in range(1, runs + 1) if seed not in LECTURE_SEEDS]
    return (LECTURE_SEEDS + extra)[:runs]


def run_demo(
    out: Path,
    runs: int = DEFAULT_RUNS,
    epochs: float = DEFAULT_EPOCHS,
    cluster: ClusterOptions | None = None,
    quiet: bool = False,
    force_new: bool = False,
) -> Path:
    """Sweep, analyse, retrain and report into `out`; return the path of report.html."""
    from h2osweep.analysis import analyze
    from h2osweep.report.outputs import PAGE, REPORT_FILES, write_report

    check_epochs(epochs)
    plan = random_plan(demo_seeds(runs))
    data, training = load_data("digits"), TrainSettings(epochs=epochs)
    options = SweepOptions(
        out, objective=OBJECTIVE, quiet=quiet, force_new=force_new, outputs=REPORT_FILES
    )
    checked_folder(plan, data, training, options)  # before H2O starts or a line is printed
    say = (lambda text: None) if quiet else (lambda text: print(text, file=sys.stderr, flush=True))
    with H2OCluster(cluster) as h2o_cluster:
        reach = ClusterOptions(url=h2o_cluster.url) if h2o_cluster.embedded else cluster
        say(f"[1/3] random search: {runs} R-exact draws of the lecture's space, {epochs:g} epochs")
        run_sweep(plan, data, training, options, reach)
        say("[2/3] analysis: correlations, OLS, ExtraTrees, GAM")
        analysis = analyze(out, target=OBJECTIVE.metric, goal=OBJECTIVE.goal)
        say("[3/3] retraining the best observed and the GAM-suggested configurations")
        retrained = []
        for choice in ("best", "gam"):
            try:
                config = gam_config(analysis, out) if choice == "gam" else None
                retrained.append(
                    retrain(out, choice, objective=OBJECTIVE, cluster=reach, config=config)
                )
            except UserInputError as error:
                say(f"      {choice}: not retrained: {error}")
    write_report(analysis, out, retrained=retrained)
    return out / PAGE
