"""Soak: a 200-model sweep on the embedded H2O, SIGKILLed and resumed 5 times at random moments.

The sweep is `h2osweep grid` over tiny networks (4 widths x 2 depths x 25 L1 values, 1 epoch)
on sklearn's digits, run through the CLI in a subprocess. Each session is killed with SIGKILL
after a random delay (some land while H2O is still starting), then the same command resumes it;
the last session runs to the end. Printed: runs lost and runs duplicated (both must be 0, from
the store's `status` and `attempts` columns), JVMs left behind, the store's integrity, and the
RSS of the client process and of its JVM at the start and end of each session.

    python benchmarks/soak.py                   # 200 models, 5 kills, in a temporary folder
    python benchmarks/soak.py --kills 2 --seed 7 --out /tmp/soak
"""

from __future__ import annotations

import argparse
import contextlib
import json
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from h2osweep.cluster import embedded_jvms

UNITS = "2,4,6,8"
LAYERS = "1,2"
L1_VALUES = 25
SAMPLE_SECONDS = 0.25


@dataclass
class Session:
    """One process of the sweep: when it was killed, and its memory over time."""

    number: int
    kill_after: float | None
    pid: int = 0
    jvm: int | None = None
    stored_before: int = 0
    stored_after: int = 0
    seconds: float = 0.0
    exit_status: int | None = None
    client_rss: list[int] = field(default_factory=list)
    jvm_rss: list[int] = field(default_factory=list)
    h2o_keys: list[tuple[int, int]] = field(default_factory=list)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=5, help="SIGKILLs before the last run (5)")
    parser.add_argument("--seed", type=int, default=2024, help="seed of the kill moments")
    parser.add_argument(
        "--min-delay", type=float, default=5.0, help="earliest kill, seconds after start (5)"
    )
    parser.add_argument(
        "--max-delay", type=float, default=18.0, help="latest kill, seconds after start (18)"
    )
    parser.add_argument("--out", type=Path, help="sweep folder (default: a temporary one)")
    args = parser.parse_args()

    rng = random.Random(args.seed)
    out = args.out or Path(tempfile.mkdtemp(prefix="h2osweep-soak-")) / "sweep"
    command = sweep_command(out)
    expected = {f"g_{i}" for i in range(1, 4 * 2 * L1_VALUES + 1)}
    print(f"soak: {len(expected)} models, {args.kills} SIGKILLs (seed {args.seed}), out {out}")
    print("command: h2osweep " + " ".join(command[3:]))

    sessions = [
        Session(i + 1, rng.uniform(args.min_delay, args.max_delay)) for i in range(args.kills)
    ]
    sessions.append(Session(args.kills + 1, None))
    started = time.monotonic()
    for session in sessions:
        run_session(session, command, out)
        killed = f"killed after {session.kill_after:.1f} s" if session.kill_after else "to the end"
        print(
            f"session {session.number}: {killed}; runs stored {session.stored_before} -> "
            f"{session.stored_after}; exit {session.exit_status}; {session.seconds:.1f} s"
        )
    total = time.monotonic() - started

    time.sleep(2)  # the watchdog of the last killed session needs a moment at most
    owners = {session.pid for session in sessions}
    left = [jvm for jvm, owner in embedded_jvms().items() if owner in owners]
    status, attempts, integrity = read_store(out)
    ok = {name for name, state in status.items() if state == "ok"}
    lost = sorted(expected - ok)
    duplicated = sorted(name for name, count in attempts.items() if count > 1)
    failed = sorted(name for name, state in status.items() if state != "ok")

    print()
    print(f"wall time: {total:.0f} s for {len(expected)} models in {len(sessions)} sessions")
    print(f"runs stored ok: {len(ok)} of {len(expected)}; failed: {len(failed)} {failed[:5]}")
    print(f"runs lost: {len(lost)} {lost[:5]}")
    print(f"runs duplicated (attempts > 1): {len(duplicated)} {duplicated[:5]}")
    print(f"store integrity_check: {integrity}; JVMs left behind: {len(left)} {left}")
    print()
    print(
        "memory (VmRSS MB) and H2O (keys, models), from each session's first stored run to its end"
    )
    print(f"{'':14} {'client start -> end':>20} {'JVM start -> end':>18} {'H2O keys, models':>26}")
    for session in sessions:
        print(
            f"session {session.number:<6} {memory(session.client_rss):>20} "
            f"{memory(session.jvm_rss):>18} {memory(session.h2o_keys):>26}"
        )
    final = sessions[-1]
    print(
        f"final session ({final.stored_after - final.stored_before} models): client "
        f"{memory(final.client_rss)} MB, JVM {memory(final.jvm_rss)} MB, "
        f"H2O (keys, models) {memory(final.h2o_keys)}"
    )
    return 0 if not lost and not duplicated and not left and integrity == "ok" else 1


def sweep_command(out: Path) -> list[str]:
    l1 = ",".join(f"{i * 1e-5:g}" for i in range(L1_VALUES))
    return [
        *[sys.executable, "-m", "h2osweep.cli.main", "grid"],
        *["--param", f"units={UNITS}", "--param", f"layers={LAYERS}", "--param", f"l1={l1}"],
        *["--epochs", "1", "--quiet", "--out", str(out)],
    ]


def run_session(session: Session, command: list[str], out: Path) -> None:
    """Start the sweep; sample memory until it ends or its kill moment comes; SIGKILL it then."""
    session.stored_before = stored(out)
    started = time.monotonic()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    session.pid = process.pid
    while process.poll() is None:
        elapsed = time.monotonic() - started
        if session.kill_after is not None and elapsed >= session.kill_after:
            process.kill()
            break
        sample(session, out)
        time.sleep(SAMPLE_SECONDS)
    process.wait()
    stderr = process.stderr.read().decode(errors="replace").strip()
    if session.kill_after is None and process.returncode != 0:
        print(f"session {session.number} failed: {stderr}", file=sys.stderr)
    session.exit_status = process.returncode
    session.seconds = time.monotonic() - started
    session.stored_after = stored(out)


def sample(session: Session, out: Path) -> None:
    """One memory sample of the client and its JVM, from the session's first stored run on
    (the JVM is warm and holds the data by then)."""
    if not session.client_rss and stored(out) <= session.stored_before:
        return
    if session.jvm is None:
        session.jvm = next((j for j, o in embedded_jvms().items() if o == session.pid), None)
    client, jvm = rss_mb(session.pid), rss_mb(session.jvm) if session.jvm else None
    if client is not None and jvm is not None:
        session.client_rss.append(client)
        session.jvm_rss.append(jvm)
        keys = h2o_keys(session.jvm)
        if keys is not None:
            session.h2o_keys.append(keys)


def rss_mb(pid: int) -> int | None:
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) // 1024
    return None


def h2o_keys(jvm: int) -> tuple[int, int] | None:
    """(keys, models) held by the JVM's key-value store, from its REST API on loopback."""
    with contextlib.suppress(OSError, ValueError, KeyError, IndexError):
        arguments = Path(f"/proc/{jvm}/cmdline").read_bytes().split(b"\0")
        url = f"http://127.0.0.1:{int(arguments[arguments.index(b'-port') + 1])}"
        with urllib.request.urlopen(f"{url}/3/Cloud", timeout=2) as answer:
            keys = json.load(answer)["nodes"][0]["num_keys"]
        with urllib.request.urlopen(f"{url}/3/Models", timeout=2) as answer:
            models = len(json.load(answer)["models"])
        return keys, models
    return None


def memory(samples: list) -> str:
    return f"{samples[0]} -> {samples[-1]}" if samples else "-"


def stored(out: Path) -> int:
    if not (out / "store.sqlite").exists():
        return 0
    with contextlib.closing(sqlite3.connect(out / "store.sqlite", timeout=30)) as db:
        return db.execute("SELECT count(*) FROM runs WHERE status = 'ok'").fetchone()[0]


def read_store(out: Path) -> tuple[dict[str, str], dict[str, int], str]:
    with contextlib.closing(sqlite3.connect(out / "store.sqlite")) as db:
        integrity = db.execute("PRAGMA integrity_check").fetchone()[0]
        rows = db.execute("SELECT name, status, attempts FROM runs").fetchall()
    return {n: s for n, s, _ in rows}, {n: a for n, _, a in rows}, integrity


if __name__ == "__main__":
    sys.exit(main())
