"""Which cluster of a pool builds the next run, and what happens to its builds when it is lost.

The runs arrive costliest first (`ordering.longest_first`); each goes to a cluster with a free
slot: the one that holds the model a climbing rung continues when it has room (no retraining),
else the one with the most free slots. A lost cluster's builds in flight are given back and
placed before any new run. Nothing here talks to H2O, so `benchmarks/bench_pool.py` replays a
sweep through this very code on a simulated pool.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from h2osweep.record.runs import RunSpec


@dataclass(eq=False)
class Lane:
    """One cluster's share of a sweep: its name, its build slots, and how it is doing."""

    name: str
    slots: int
    cluster: object = None  # what the scheduler needs to reach it (None in a simulation)
    busy: int = 0
    lost: bool = False
    era: int = 0  # counts the losses: a result from an earlier era may hold a lost model

    @property
    def free(self) -> int:
        """Slots with no build (none on a lost cluster)."""
        return 0 if self.lost else self.slots - self.busy


@dataclass
class Placement:
    """Hands out (run, lane) pairs while some lane has room; takes back a lost lane's runs.

    `pending` is pulled one run at a time; a `None` from it means "nothing until a result
    arrives" (a strategy waiting for its rungs).
    """

    pending: Iterator[RunSpec | None]
    lanes: list[Lane]
    given_back: deque[RunSpec] = field(default_factory=deque)
    homes: dict[str, Lane] = field(default_factory=dict)  # configuration -> lane with its model

    def next(self, free: Callable[[Lane], int] = lambda lane: lane.free):
        """The next run and the lane to build it on, or None (no free slot, or no run yet).

        `free` says how many slots a lane can take now (the scheduler counts a build about to
        end as free)."""
        if not any(free(lane) > 0 for lane in self.alive()):
            return None
        spec = self.given_back.popleft() if self.given_back else next(self.pending, None)
        if spec is None:
            return None
        return spec, self.lane_for(spec, free)

    def lane_for(self, spec: RunSpec, free: Callable[[Lane], int]) -> Lane:
        """The spec's home when it climbs a rung and its home has room, else the freest lane."""
        home = self.homes.get(spec.name) if spec.climbs else None
        if home is not None and not home.lost and free(home) > 0:
            return home
        return max(self.alive(), key=free)  # max keeps the first of equals: pool order

    def started(self, lane: Lane) -> None:
        lane.busy += 1

    def ended(self, spec: RunSpec, lane: Lane) -> None:
        """A build ended on `lane` (its model stays there for the next rung)."""
        lane.busy -= 1
        self.homes[spec.name] = lane

    def lose(self, lane: Lane, in_flight: list[RunSpec]) -> None:
        """The lane's cluster stopped answering: its builds in flight go back, first in line."""
        lane.lost, lane.busy = True, 0
        lane.era += 1
        self.given_back.extendleft(reversed(in_flight))

    def rejoin(self, lane: Lane) -> None:
        lane.lost, lane.busy = False, 0

    def alive(self) -> list[Lane]:
        return [lane for lane in self.lanes if not lane.lost]

    def lost(self) -> list[Lane]:
        return [lane for lane in self.lanes if lane.lost]
