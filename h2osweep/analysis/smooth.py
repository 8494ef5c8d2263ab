"""The smoother ggplot's `stat_smooth()` draws: loess below 1,000 points, a penalised spline above.

Computed here (not by plotnine) so it is testable against R and cheap on large tables; when
loess cannot be fitted (a facet with 2–3 distinct x values) a straight line is used instead.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

LOESS_LIMIT = 1000
CURVE_POINTS = 80  # ggplot's default `n`
SPAN = 0.75
SPLINE_BASIS = 10
LAMBDAS = np.logspace(-4, 6, 41)


def smooth_curve(x: np.ndarray, y: np.ndarray, points: int = CURVE_POINTS) -> pd.DataFrame:
    """Curve of y on x over an even grid: columns x, fit, lower, upper (95 %), method."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    grid = np.linspace(x.min(), x.max(), points)
    if np.unique(x).size < 2:
        return pd.DataFrame(columns=["x", "fit", "lower", "upper", "method"])
    if len(x) < LOESS_LIMIT:
        try:
            return loess_curve(x, y, grid)
        except (ValueError, ArithmeticError, RuntimeError):
            return line_curve(x, y, grid)
    return spline_curve(x, y, grid)


def loess_curve(x: np.ndarray, y: np.ndarray, grid: np.ndarray) -> pd.DataFrame:
    """R's `loess(y ~ x)` with ggplot's defaults (span .75, degree 2, gaussian) via scikit-misc."""
    from skmisc.loess import loess

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = loess(x, y, span=SPAN, degree=2, family="gaussian")
        model.fit()
        prediction = model.predict(grid, stderror=True)
    fit = np.asarray(prediction.values)
    if not np.all(np.isfinite(fit)):
        raise ValueError("loess gave non-finite values")
    half = band_half_width(np.asarray(prediction.stderr), float(prediction.df))
    return curve(grid, fit, fit - half, fit + half, "loess")


def band_half_width(stderr: np.ndarray, df: float) -> np.ndarray:
    """Half-width of ggplot's 95 % band, `qt(.975, df) * se`; zero when df is unusable.

    Computed here because scikit-misc's own `confidence()` never returns for tiny df.
    """
    from scipy.stats import t

    if not np.isfinite(df) or df < 1:
        return np.zeros_like(stderr)
    return t.ppf(0.975, df) * np.nan_to_num(stderr)


def line_curve(x: np.ndarray, y: np.ndarray, grid: np.ndarray) -> pd.DataFrame:
    """A least-squares straight line, the fallback when loess is singular."""
    slope, intercept = np.polyfit(x, y, 1)
    fit = intercept + slope * grid
    return curve(grid, fit, fit, fit, "lm (loess singular)")


def spline_curve(x: np.ndarray, y: np.ndarray, grid: np.ndarray) -> pd.DataFrame:
    """A penalised cubic regression spline, as ggplot's `gam(y ~ s(x, bs = "cs"))` for large data.

    Ten cubic B-splines with a second-difference penalty (a P-spline), its strength chosen by
    GCV; solved on 10 × 10 normal equations, so 20,000 points cost milliseconds.
    """
    k = int(min(SPLINE_BASIS, np.unique(x).size))
    if k < 4:
        return line_curve(x, y, grid)
    basis, at_grid = spline_bases(x, grid, k)
    gram, rhs = basis.T @ basis, basis.T @ y
    difference = np.diff(np.eye(k), 2, axis=0)
    penalty = difference.T @ difference
    yy = float(y @ y)
    best = min((gcv(yy, len(y), gram, rhs, lam * penalty) for lam in LAMBDAS), key=lambda r: r[0])
    _, coef, inverse, scale, edf = best
    fit = at_grid @ coef
    se = np.sqrt(np.einsum("ij,jk,ik->i", at_grid, scale * inverse, at_grid))
    half = t_quantile(len(y) - edf) * se
    return curve(grid, fit, fit - half, fit + half, "gam")


def spline_bases(x: np.ndarray, grid: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Cubic B-spline design matrices with k functions on equally spaced knots over x's range."""
    from scipy.interpolate import BSpline

    low, high = float(x.min()), float(x.max())
    step = (high - low) / (k - 3)
    knots = low + step * np.arange(-3, k + 1)
    matrix = BSpline.design_matrix
    return matrix(x, knots, 3, True).toarray(), matrix(grid, knots, 3, True).toarray()


def gcv(yy: float, n: int, gram, rhs, penalty) -> tuple:
    """GCV of one penalty from the normal equations: (score, coef, inverse, scale, edf)."""
    inverse = np.linalg.inv(gram + penalty)
    coef = inverse @ rhs
    rss = max(yy - 2 * float(coef @ rhs) + float(coef @ gram @ coef), 0.0)
    edf = float(np.trace(inverse @ gram))
    scale = rss / max(n - edf, 1.0)
    return n * rss / max(n - edf, 1.0) ** 2, coef, inverse, scale, edf


def t_quantile(df: float) -> float:
    """The 97.5 % t quantile for a 95 % band."""
    from scipy.stats import t

    return float(t.ppf(0.975, max(df, 1.0)))


def curve(grid, fit, lower, upper, method: str) -> pd.DataFrame:
    """Assemble a curve table."""
    return pd.DataFrame({"x": grid, "fit": fit, "lower": lower, "upper": upper, "method": method})


def facet_smooths(table: pd.DataFrame, target: str, variables: list[str]) -> pd.DataFrame:
    """The smoother of the target against each variable: variable, x, fit, lower, upper, method."""
    parts = []
    for variable in variables:
        part = smooth_curve(table[variable].to_numpy(), table[target].to_numpy())
        if not part.empty:
            parts.append(part.assign(variable=variable))
    columns = ["variable", "x", "fit", "lower", "upper", "method"]
    return pd.concat(parts, ignore_index=True)[columns] if parts else pd.DataFrame(columns=columns)
