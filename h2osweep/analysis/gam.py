"""The lecture's GAM with pygam: per-term edof and p-values, partial dependence, predictions.

The smoothing strength is chosen by pygam's grid search over lambda (GCV), as mgcv chooses its
smoothing parameters; a fit that fails numerically is noted and leaves the GAM tables empty.
The family is the lecture's Gaussian (R parity), or for a positive target a Gamma GAM with a
log link, or a Gaussian GAM of log(target): both keep every prediction above zero.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from h2osweep.analysis.gam_formula import (
    GamTerm,
    default_terms,
    parse_formula,
    plan_terms,
    quoted,
)
from h2osweep.analysis.preprocess import Prepared
from h2osweep.errors import UserInputError
from h2osweep.validation import check_choice

LAMBDAS = np.logspace(-3, 3, 11)
LARGE = 5000  # above this many runs, every other lambda (6 fits instead of 11)
GRID_POINTS = 100
SURFACE_POINTS = 40
TOO_FAR = 0.1  # mgcv plot.gam's default for te terms, on the unit square
FAMILIES = ("gaussian", "gamma", "log")
LOG_SCALE = {"gaussian": False, "gamma": True, "log": True}  # effects on the log scale


@dataclass
class GamFit:
    """A fitted pygam model with the terms it was built from and the columns of its matrix."""

    model: object | None
    terms: list[GamTerm]
    columns: list[str]
    formula: str
    notes: list[str] = field(default_factory=list)
    family: str = "gaussian"
    left_out: list[str] = field(default_factory=list)  # usable variables too few runs cost

    def matrix(self, frame: pd.DataFrame) -> np.ndarray:
        """The model matrix (its columns in order) for rows of a feature table."""
        return frame[self.columns].to_numpy(dtype=float)

    def predict(self, frame: pd.DataFrame) -> np.ndarray:
        """Predicted target for rows of a feature table (on the target's own scale)."""
        predicted = self.model.predict(self.matrix(frame))
        return np.exp(predicted) if self.family == "log" else predicted


def check_family(family: str) -> str:
    """One of the GAM families."""
    return check_choice("gam_family", family, FAMILIES)


def fitted_target(prepared: Prepared, family: str) -> np.ndarray:
    """The values the GAM is fitted to: the target, or its log; a gamma or log GAM needs every
    value above zero."""
    y = prepared.y
    if family != "gaussian" and (y <= 0).any():
        raise UserInputError(
            f"{{gam_family}} {family} needs a target above zero, but {prepared.target} is "
            f"{y.min():.4g} in some run: use the gaussian family",
            "gam_family",
        )
    return np.log(y) if family == "log" else y


def fit_gam(prepared: Prepared, formula: str | None = None, family: str = "gaussian") -> GamFit:
    """Fit a GAM for the target: the given mgcv-style formula or the default one."""
    check_family(family)
    y = fitted_target(prepared, family)
    notes: list[str] = []
    if formula:
        terms, source = parse_formula(formula), "the given formula"
    else:
        terms, source = default_terms(prepared)
    asked = [v for t in terms for v in t.variables if v in prepared.features]
    terms = plan_terms(terms, prepared, notes)
    columns = list(dict.fromkeys(v for t in terms for v in t.variables))
    text = " + ".join(t.label if t.kind == "l" else f"{t.label[:-1]}, k={t.k})" for t in terms)
    target = quoted(prepared.target)
    left = f"log({target})" if family == "log" else target
    link = ", gamma family with a log link" if family == "gamma" else ""
    notes.append(f"GAM ({source}{link}): {left} ~ {text or '1'}.")  # after what shaped it
    left_out = [v for v in dict.fromkeys(asked) if v not in columns]
    fit = GamFit(None, terms, columns, text, notes, family, left_out)
    if not terms:
        notes.append("GAM skipped: no term can be fitted with these runs.")
        return fit
    try:
        lambdas = LAMBDAS if len(prepared.y) <= LARGE else LAMBDAS[::2]
        fit.model = build(terms, columns, family).gridsearch(
            fit.matrix(prepared.table), y, lam=lambdas, progress=False
        )
    except (ValueError, np.linalg.LinAlgError, ZeroDivisionError) as error:
        notes.append(f"GAM could not be fitted: {error}.")
    return fit


def build(terms: list[GamTerm], columns: list[str], family: str = "gaussian"):
    """The pygam model for the planned terms (a GammaGAM for the gamma family)."""
    from pygam import GammaGAM, LinearGAM, l, s, te

    made = []
    for term in terms:
        index = [columns.index(v) for v in term.variables]
        if term.kind == "l":
            made.append(l(index[0]))
        elif term.kind == "s":
            made.append(s(index[0], n_splines=term.k))
        else:
            made.append(te(*index, n_splines=[term.k] * len(index)))
    total = made[0]
    for extra in made[1:]:
        total = total + extra
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return GammaGAM(total) if family == "gamma" else LinearGAM(total)


def gam_table(fit: GamFit) -> pd.DataFrame:
    """`term`, `edof` and `p_value` per term (the intercept left out), as mgcv's summary."""
    if fit.model is None:
        return pd.DataFrame(columns=["term", "edof", "p_value"])
    stats = fit.model.statistics_
    rows = []
    for i, term in enumerate(fit.terms):
        coefs = fit.model.terms.get_coef_indices(i)
        rows.append(
            (term.label, float(np.sum(stats["edof_per_coef"][coefs])), float(stats["p_values"][i]))
        )
    return pd.DataFrame(rows, columns=["term", "edof", "p_value"])


def centre(fit: GamFit, i: int, observed: np.ndarray) -> float:
    """Mean of term `i` over the runs, subtracted so effects are centred as mgcv plots them."""
    return float(np.mean(fit.model.partial_dependence(term=i, X=observed)))


def partial_dependence(fit: GamFit, table: pd.DataFrame | None = None) -> pd.DataFrame:
    """Each one-variable term's effect on a grid, with a 95 % band: term, x, fit, lower, upper.

    With the runs' `table`, effects are centred on their mean over the runs.
    """
    if fit.model is None:
        return pd.DataFrame(columns=["term", "variable", "x", "fit", "lower", "upper"])
    parts = []
    for i, term in enumerate(fit.terms):
        if len(term.variables) != 1:
            continue
        grid = fit.model.generate_X_grid(term=i, n=GRID_POINTS)
        effect, band = fit.model.partial_dependence(term=i, X=grid, width=0.95)
        shift = centre(fit, i, fit.matrix(table)) if table is not None else 0.0
        column = fit.columns.index(term.variables[0])
        parts.append(
            pd.DataFrame(
                {
                    "term": term.label,
                    "variable": term.variables[0],
                    "x": grid[:, column],
                    "fit": effect - shift,
                    "lower": band[:, 0] - shift,
                    "upper": band[:, 1] - shift,
                }
            )
        )
    return (
        pd.concat(parts, ignore_index=True)
        if parts
        else partial_dependence(GamFit(None, [], [], ""))
    )


def near_data(x: np.ndarray, y: np.ndarray, table: pd.DataFrame, a: str, b: str) -> np.ndarray:
    """Grid points within `TOO_FAR` of a run on the unit square, as mgcv's `plot.gam` shows them."""
    from scipy.spatial import cKDTree

    low = table[[a, b]].min().to_numpy()
    span = (table[[a, b]].max().to_numpy() - low).clip(min=1e-300)
    tree = cKDTree((table[[a, b]].to_numpy() - low) / span)
    distance, _ = tree.query((np.column_stack([x, y]) - low) / span)
    return distance <= TOO_FAR


def surfaces(fit: GamFit, table: pd.DataFrame | None = None) -> pd.DataFrame:
    """Each two-variable (`te`) term's effect on a grid: term, x_name, y_name, x, y, fit.

    With the runs' `table`, grid points far from every run are left out (mgcv's `too.far`).
    """
    columns = ["term", "x_name", "y_name", "x", "y", "fit"]
    if fit.model is None:
        return pd.DataFrame(columns=columns)
    parts = []
    for i, term in enumerate(fit.terms):
        if len(term.variables) != 2:
            continue
        grid = fit.model.generate_X_grid(term=i, n=SURFACE_POINTS, meshgrid=True)
        effect = fit.model.partial_dependence(term=i, X=grid, meshgrid=True)
        shift = centre(fit, i, fit.matrix(table)) if table is not None else 0.0
        a, b = term.variables
        x, y = grid[0].ravel(), grid[1].ravel()
        keep = near_data(x, y, table, a, b) if table is not None else np.ones(x.size, dtype=bool)
        parts.append(
            pd.DataFrame(
                {
                    "term": term.label,
                    "x_name": a,
                    "y_name": b,
                    "x": x,
                    "y": y,
                    "fit": np.asarray(effect).ravel() - shift,
                }
            )[keep]
        )
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=columns)
