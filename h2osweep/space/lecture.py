"""The lecture's random search: its space, and `sample_params(seed)` = R's `run(seed, run = FALSE)`.

R's `run()` draws, after `set.seed(seed)`: depth = sample(1:5, 1), l1 = runif(1, 0, .01),
l2 = runif(1, 0, .01), input_dropout = rbeta(1, 1, 12), rho = runif(1, .9, .999),
epsilon = runif(1, 1e-10, 1e-4), neurons = sample(20:600, depth, TRUE) and
hidden_dropout = rbeta(depth, 1.5, 1) / 2. `LECTURE_SPACE` declares exactly that.
"""

from __future__ import annotations

from typing import Any

from h2osweep.space.distributions import Beta, IntRange, Mean, PerLayer, Sum, Uniform
from h2osweep.space.rng import check_seed
from h2osweep.space.space import Space
from h2osweep.validation import check_type

LECTURE_SPACE = Space(
    {
        "depth": IntRange(1, 5),
        "l1": Uniform(0.0, 0.01),
        "l2": Uniform(0.0, 0.01),
        "input_dropout": Beta(1.0, 12.0),
        "rho": Uniform(0.9, 0.999),
        "epsilon": Uniform(1e-10, 1e-4),
        "neurons": PerLayer(IntRange(20, 600), length="depth"),
        "hidden_dropout": PerLayer(Beta(1.5, 1.0, divisor=2.0), length="depth"),
        "SumNeurons": Sum("neurons"),
        "MeanHiddenDropout": Mean("hidden_dropout"),
    }
)


def run_name(seed: int) -> str:
    """The lecture's default model name, `paste0("m_", seed)`."""
    return f"m_{check_seed(seed)}"


def sample_params(seed: int, space: Space = LECTURE_SPACE) -> dict[str, Any]:
    """R's `run(seed, run = FALSE)`: `name`, `seed`, then the space's draws in order.

    >>> p = sample_params(403)
    >>> p["name"], p["depth"], p["neurons"]
    ('m_403', 4, [389, 594, 348, 32])
    """
    check_type("space", space, Space, "a Space (read_space_file(path), or Space({...}))")
    return {"name": run_name(seed), "seed": check_seed(seed), **space.sample(seed)}
