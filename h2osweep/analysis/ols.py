"""Ordinary least squares of the target on the hyperparameters (statsmodels), as R's `lm(y ~ .)`."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from h2osweep.analysis.preprocess import Prepared

INTERCEPT = "(Intercept)"
COLUMNS = ["term", "coef", "std_err", "t", "p_value"]


def ols(prepared: Prepared, intercept: bool = True) -> pd.DataFrame:
    """Coefficients, standard errors, t and p-values.

    With `intercept` (default), categoricals use treatment coding with their first level as the
    reference, so the table equals R's `lm(target ~ ., data)`. Without it, the blog's variant:
    no intercept and one indicator per level. A rank-deficient design is noted in `attrs`.
    """
    import statsmodels.api as sm

    columns = prepared.treatment if intercept else prepared.features
    design = prepared.table[columns].astype(float)
    if intercept:
        design.insert(0, INTERCEPT, 1.0, allow_duplicates=True)  # a column may be so named
    notes = design_notes(design, len(prepared.y), intercept)
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = sm.OLS(prepared.y, design.to_numpy(), hasconst=intercept).fit()
        frame = pd.DataFrame(
            {
                "term": list(design.columns),
                "coef": fit.params,
                "std_err": fit.bse,
                "t": fit.tvalues,
                "p_value": fit.pvalues,
            }
        )
    if fit.df_resid <= 0:  # a saturated fit: R's lm gives NA, not an infinite error and t = 0
        frame[["std_err", "t", "p_value"]] = np.nan
    frame.attrs["notes"] = notes
    return frame


def design_notes(design: pd.DataFrame, n: int, intercept: bool) -> list[str]:
    """Say how the model was specified and whether its design matrix is rank-deficient."""
    kind = "with intercept, treatment coding" if intercept else "no intercept, all indicators"
    notes = [f"OLS {kind}: {design.shape[1]} columns, {n} runs."]
    rank = int(np.linalg.matrix_rank(design.to_numpy()))
    if rank < design.shape[1]:
        notes.append(
            f"OLS design is rank-deficient (rank {rank} < {design.shape[1]} columns): "
            "coefficients are a minimum-norm solution and not individually identifiable."
        )
    if n <= design.shape[1]:
        notes.append(
            f"OLS has no residual degrees of freedom ({n} runs, {design.shape[1]} columns)."
        )
    return notes
