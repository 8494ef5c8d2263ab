"""h2osweep: run and analyse hyperparameter sweeps of H2O deep-learning models.

Pipeline: sampling (grids, R-exact random draws) -> training (H2O models, metrics) -> store
(one folder per sweep) -> analysis (correlations, OLS, trees, GAM) -> report (plots, HTML).
"""

__version__ = "0.1.0"
