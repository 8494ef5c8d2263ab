"""ExtraTrees feature importances (the blog's random-forest view) and their spread across trees."""

from __future__ import annotations

import numpy as np
import pandas as pd

from h2osweep.analysis.preprocess import Prepared

N_TREES = 250
LEAF_RUNS = 2000  # one more run per leaf per 2,000 runs (full-depth trees on 20,000 are slow)


def importances(prepared: Prepared, seed: int = 0, n_jobs: int = 2) -> pd.DataFrame:
    """`term`, `importance` (mean impurity decrease), `std` across the 250 trees; largest first."""
    from sklearn.ensemble import ExtraTreesRegressor

    features = prepared.features
    leaf = max(1, len(prepared.y) // LEAF_RUNS)
    forest = ExtraTreesRegressor(
        n_estimators=N_TREES, random_state=seed, n_jobs=n_jobs, min_samples_leaf=leaf
    )
    forest.fit(prepared.table[features].to_numpy(dtype=float), prepared.y)
    per_tree = np.array([tree.feature_importances_ for tree in forest.estimators_])
    frame = pd.DataFrame(
        {"term": features, "importance": forest.feature_importances_, "std": per_tree.std(axis=0)}
    )
    frame = frame.sort_values("importance", ascending=False, kind="stable").reset_index(drop=True)
    if leaf > 1:
        frame.attrs["notes"] = [
            f"ExtraTrees: min_samples_leaf={leaf} for {len(prepared.y)} runs, to keep the 250 "
            "trees fast (1 below 4,000 runs)."
        ]
    return frame
