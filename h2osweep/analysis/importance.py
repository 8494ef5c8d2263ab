"""Which hyperparameters matter: the blog's ExtraTrees importances and their spread across trees,
and beside them permutation importance and Optuna's fANOVA and PED-ANOVA (which see
interactions), all on the same table, with where they agree."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from h2osweep.analysis.preprocess import Prepared

N_TREES = 250
LEAF_RUNS = 2000  # one more run per leaf per 2,000 runs (full-depth trees on 20,000 are slow)
PERMUTATION_RUNS = 1000  # runs each permutation is scored on
PERMUTATION_REPEATS = 3
OPTUNA_RUNS = 2000  # runs fANOVA and PED-ANOVA see
FANOVA_DEPTH = 6  # Optuna's default (64) takes minutes on a few hundred noisy runs
METHODS = {
    "extratrees": "ExtraTrees (impurity)",
    "permutation": "permutation",
    "fanova": "fANOVA",
    "ped_anova": "PED-ANOVA",
}


def fit_forest(prepared: Prepared, seed: int = 0, n_jobs: int = 2):
    """The blog's ExtraTreesRegressor (250 trees) on every feature column."""
    from sklearn.ensemble import ExtraTreesRegressor

    leaf = max(1, len(prepared.y) // LEAF_RUNS)
    forest = ExtraTreesRegressor(
        n_estimators=N_TREES, random_state=seed, n_jobs=n_jobs, min_samples_leaf=leaf
    )
    return forest.fit(prepared.table[prepared.features].to_numpy(dtype=float), prepared.y)


def importances(prepared: Prepared, seed: int = 0, n_jobs: int = 2, forest=None) -> pd.DataFrame:
    """`term`, `importance` (mean impurity decrease), `std` across the 250 trees; largest first."""
    forest = forest if forest is not None else fit_forest(prepared, seed, n_jobs)
    per_tree = np.array([tree.feature_importances_ for tree in forest.estimators_])
    frame = pd.DataFrame(
        {
            "term": prepared.features,
            "importance": forest.feature_importances_,
            "std": per_tree.std(axis=0),
        }
    )
    frame = frame.sort_values("importance", ascending=False, kind="stable").reset_index(drop=True)
    leaf = forest.min_samples_leaf
    if leaf > 1:
        frame.attrs["notes"] = [
            f"ExtraTrees: min_samples_leaf={leaf} for {len(prepared.y)} runs, to keep the 250 "
            "trees fast (1 below 4,000 runs)."
        ]
    return frame


def parameter_groups(prepared: Prepared) -> dict[str, list[str]]:
    """Each hyperparameter's feature columns: itself, or a categorical's indicators."""
    return {**{c: [c] for c in prepared.numeric}, **prepared.indicators}


def permutation_importance(prepared: Prepared, forest, seed: int = 0) -> dict[str, float]:
    """Mean rise of the forest's squared error when one hyperparameter's columns are shuffled
    together (a categorical's indicators as one), on at most `PERMUTATION_RUNS` runs. All the
    shuffled copies are scored in one `predict` (a call per copy costs a thread pool's start)."""
    rng = np.random.default_rng(seed)
    table = prepared.table[prepared.features]
    rows = rng.permutation(len(table))[:PERMUTATION_RUNS]
    x, y = table.to_numpy(dtype=float)[rows], prepared.y[rows]
    groups = parameter_groups(prepared)
    copies = [x]
    for columns in groups.values():
        where = [prepared.features.index(c) for c in columns]
        for _ in range(PERMUTATION_REPEATS):
            shuffled = x.copy()
            shuffled[:, where] = x[rng.permutation(len(x))][:, where]
            copies.append(shuffled)
    errors = ((forest.predict(np.vstack(copies)).reshape(len(copies), len(x)) - y) ** 2).mean(1)
    rises = (errors[1:] - errors[0]).reshape(len(groups), PERMUTATION_REPEATS)
    return {name: float(rise.mean()) for name, rise in zip(groups, rises, strict=True)}


def optuna_importances(prepared: Prepared, seed: int = 0) -> tuple[dict, list[str]]:
    """fANOVA's (64 trees of depth `FANOVA_DEPTH`) and PED-ANOVA's (Optuna's defaults)
    importances from `optuna.importance` over the table's runs as Optuna trials (at most
    `OPTUNA_RUNS`, drawn with the seed), and notes."""
    from optuna.importance import (
        FanovaImportanceEvaluator,
        PedAnovaImportanceEvaluator,
        get_param_importances,
    )

    from h2osweep.analysis.trials import study_of

    notes, n = [], len(prepared.y)
    rows = None
    if n > OPTUNA_RUNS:
        rows = np.sort(np.random.default_rng(seed).permutation(n)[:OPTUNA_RUNS])
        notes.append(f"fANOVA and PED-ANOVA: {OPTUNA_RUNS} of {n} runs, drawn with the seed.")
    study = study_of(prepared, rows)
    evaluators = {
        "fanova": FanovaImportanceEvaluator(max_depth=FANOVA_DEPTH, seed=seed),
        "ped_anova": PedAnovaImportanceEvaluator(),
    }
    found = {}
    for method, evaluator in evaluators.items():
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                found[method] = get_param_importances(study, evaluator=evaluator)
        except (ValueError, RuntimeError, ZeroDivisionError) as error:
            notes.append(f"{METHODS[method]} could not be computed: {error}.")
    return found, notes


def importance_methods(
    prepared: Prepared, importance: pd.DataFrame, forest, seed: int = 0
) -> pd.DataFrame:
    """One row per hyperparameter: its share of the importance under each method (each column
    sums to 1), its rank under each, and whether all methods put it in their top three."""
    groups = parameter_groups(prepared)
    by_term = dict(zip(importance["term"], importance["importance"], strict=True))
    found, notes = optuna_importances(prepared, seed)
    raw = {
        "extratrees": {name: sum(by_term[c] for c in cols) for name, cols in groups.items()},
        "permutation": permutation_importance(prepared, forest, seed),
        **found,
    }
    frame = pd.DataFrame({"parameter": list(groups)})
    for method, scores in raw.items():
        shares = np.array([max(float(scores.get(name, 0.0)), 0.0) for name in groups])
        frame[method] = shares / shares.sum() if shares.sum() > 0 else shares
    methods = list(raw)
    ranks = frame[methods].rank(ascending=False, method="min")
    frame["mean_rank"] = ranks.mean(axis=1)
    frame["top3_in_all"] = (ranks <= 3).all(axis=1)
    frame = frame.sort_values("mean_rank", kind="stable").reset_index(drop=True)
    frame.attrs["notes"] = notes + [agreement_note(frame, methods)]
    return frame


def agreement_note(frame: pd.DataFrame, methods: list[str]) -> str:
    """A sentence saying where the importance methods agree (and how well their ranks match)."""
    from scipy.stats import kendalltau

    top = {method: frame.loc[frame[method].idxmax(), "parameter"] for method in methods}
    leaders = sorted(set(top.values()), key=list(top.values()).index)
    names = ", ".join(METHODS[m] for m in methods)
    if len(leaders) == 1:
        verdict = f"all of {names} rank {leaders[0]} first"
    else:
        verdict = "; ".join(f"{METHODS[m]} ranks {p} first" for m, p in top.items())
    pairs = [(a, b) for i, a in enumerate(methods) for b in methods[i + 1 :]]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # constant shares or a single parameter: tau is NaN
        taus = [kendalltau(frame[a], frame[b]).statistic for a, b in pairs if len(frame) > 1]
    taus = [t for t in taus if np.isfinite(t)]
    mean = f" (mean Kendall tau between methods {np.mean(taus):.2f})" if taus else ""
    return f"Importance: {verdict}{mean}."
