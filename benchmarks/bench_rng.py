"""RRandom against R itself: 1e6 runif and 1e5 rbeta (both of Cheng's branches), best of N.

R's time is measured inside R (`proc.time()` around each call), so R's start-up is excluded.
Run: python benchmarks/bench_rng.py [--repeats 7] [--math-only]. Target: Python/R ratio <= 2.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import time

from h2osweep.space import RRandom
from h2osweep.space import rng as rng_module

CASES = {
    "runif(1e6)": ("runif(1e6)", lambda rng: rng.runif(1_000_000)),
    "rbeta(1e5, 2, 3)": ("rbeta(1e5, 2, 3)", lambda rng: rng.rbeta(100_000, 2.0, 3.0)),
    "rbeta(1e5, .5, .7)": ("rbeta(1e5, .5, .7)", lambda rng: rng.rbeta(100_000, 0.5, 0.7)),
    "rbeta(1e5, 1, 12)": ("rbeta(1e5, 1, 12)", lambda rng: rng.rbeta(100_000, 1.0, 12.0)),
}


def python_seconds(call, repeats: int) -> float:
    """Best wall time of `call` on a freshly seeded RRandom (seeding excluded)."""
    best = float("inf")
    for i in range(repeats):
        rng = RRandom(i + 1)
        start = time.perf_counter()
        call(rng)
        best = min(best, time.perf_counter() - start)
    return best


def r_seconds(expression: str, repeats: int) -> float:
    """Best elapsed time of `expression` measured inside one Rscript process."""
    code = (
        f"best <- Inf; for (i in seq_len({repeats})) {{ set.seed(i); t0 <- proc.time()[[3]]; "
        f"invisible({expression}); best <- min(best, proc.time()[[3]] - t0) }}; "
        "cat(sprintf('%.6f', best))"
    )
    done = subprocess.run(["Rscript", "-e", code], capture_output=True, text=True, check=True)
    return float(done.stdout.strip())


def main(argv: list[str] | None = None) -> int:
    """Print one line per case: Python time, R time and their ratio."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument(
        "--math-only",
        action="store_true",
        help="time the fallback that takes log/exp from `math` even where numpy's match",
    )
    args = parser.parse_args(argv)
    if args.math_only:
        rng_module.numpy_matches_libm = lambda: False
    print(f"numpy log/exp used: {rng_module.numpy_matches_libm()}")
    if shutil.which("Rscript") is None:
        print("Rscript is not on the PATH; nothing to compare against", file=sys.stderr)
        return 1
    print(f"{'case':<20} {'python ms':>10} {'R ms':>10} {'ratio':>7}")
    worst = 0.0
    for name, (expression, call) in CASES.items():
        py = python_seconds(call, args.repeats)
        r = max(r_seconds(expression, args.repeats), 1e-3)  # proc.time() resolves 1 ms
        worst = max(worst, py / r)
        print(f"{name:<20} {py * 1e3:>10.1f} {r * 1e3:>10.1f} {py / r:>7.2f}")
    print(f"worst ratio {worst:.2f} (target <= 2)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
