"""Several objectives at once: which runs no other run beats on every objective (the Pareto
front), and the front's knee, the balanced compromise suggested when one run must be chosen."""

from __future__ import annotations

import numpy as np

from h2osweep.record.goal import Goal

CHUNK = 2048  # rows compared at once against the front found so far


def losses(values: np.ndarray, goals: list[Goal]) -> np.ndarray:
    """The objectives turned so that lower is always better (one column per objective)."""
    signs = np.array([1.0 if Goal.parse(goal) is Goal.MIN else -1.0 for goal in goals])
    return np.asarray(values, dtype=float) * signs


def pareto_mask(values: np.ndarray, goals: list[Goal]) -> np.ndarray:
    """True for each row that no other row dominates (at least as good on every objective and
    better on one); rows with a missing objective are never on the front."""
    loss = losses(values, goals)
    usable = np.isfinite(loss).all(axis=1)
    mask = np.zeros(len(loss), dtype=bool)
    index = np.flatnonzero(usable)
    order = index[np.lexsort(loss[index].T[::-1])]  # by the first objective, then the next
    front: list[int] = []
    for start in range(0, len(order), CHUNK):
        rows = order[start : start + CHUNK]
        for row in rows[~dominated(loss[rows], loss[front])]:
            if not dominated(loss[row][None, :], loss[front]).any():
                front.append(row)
    mask[front] = True
    return mask


def dominated(candidates: np.ndarray, front: np.ndarray) -> np.ndarray:
    """For each candidate, whether some row of `front` dominates it."""
    if len(front) == 0:
        return np.zeros(len(candidates), dtype=bool)
    no_worse = (front[None, :, :] <= candidates[:, None, :]).all(axis=2)
    better = (front[None, :, :] < candidates[:, None, :]).any(axis=2)
    return (no_worse & better).any(axis=1)


def knee_position(values: np.ndarray, goals: list[Goal]) -> int | None:
    """The front row farthest below the line (hyperplane) through the front's extremes, each
    objective scaled to its range on the front: the smallest sum of scaled losses."""
    loss = losses(values, goals)
    if len(loss) == 0:
        return None
    low, high = loss.min(axis=0), loss.max(axis=0)
    scaled = (loss - low) / np.where(high > low, high - low, 1.0)
    return int(np.argmin(scaled.sum(axis=1)))
