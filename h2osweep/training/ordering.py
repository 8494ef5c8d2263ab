"""Start the costliest of the next few runs first, so that a sweep's last builds are short.

A sweep ends when its last build does; a long model started last keeps one core busy while the
others idle. Reordering within a small window of upcoming runs shortens that tail without
changing any model (each model's seed comes from its run's name, not from when it starts).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from h2osweep.record.runs import RunSpec


def longest_first(
    specs: Iterable[RunSpec], window: int, cost: Callable[[RunSpec], float]
) -> Iterator[RunSpec]:
    """The runs of `specs`, each time the costliest of the next `window` first."""
    waiting: list[tuple[float, RunSpec]] = []
    for spec in specs:
        waiting.append((cost(spec), spec))
        if len(waiting) >= window:
            yield _pop_costliest(waiting)
    while waiting:
        yield _pop_costliest(waiting)


def network_cost(epochs: float, layers: list[int]) -> float:
    """What a deep-learning build's time grows with: its weights times its epochs."""
    return float(epochs) * sum(a * b for a, b in zip(layers, layers[1:], strict=False))


def trees_cost(trees: float, depth: float) -> float:
    """What a tree ensemble's build time grows with: its trees times their depth."""
    return trees * depth


def _pop_costliest(waiting: list[tuple[float, RunSpec]]) -> RunSpec:
    index = max(range(len(waiting)), key=lambda i: waiting[i][0])
    return waiting.pop(index)[1]
