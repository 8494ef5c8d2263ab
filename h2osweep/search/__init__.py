"""Search strategies behind one protocol (`base.Strategy`): a grid and the lecture's R-exact
random search (`fixed`), and Optuna's model-based samplers (`optuna`).

The submodules are imported where they are used, so that the command line's help stays fast.
"""
