"""A signal that comes while a run is stored and told waits for both, then stops the sweep; one
that a finalizer swallowed still stops it."""

from __future__ import annotations

import os
import signal
import sys
import time
import weakref

import pandas as pd
import pytest

from h2osweep.cluster import ClusterOptions
from h2osweep.interrupts import interrupts_held, interrupts_remembered, raise_if_interrupted
from h2osweep.search.fixed import random_plan
from h2osweep.sweep import SweepOptions, run_sweep
from h2osweep.sweep.engine import SweepInterrupted
from h2osweep.training.scheduler import TrainSettings


@pytest.fixture(autouse=True)
def python_sigint():
    """Python's own SIGINT handler, which a process started in the background by a shell
    without job control lacks (SIGINT is ignored there, and Python keeps it so)."""
    before = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, before)


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_in_the_block_is_delivered_after_it(signum):
    def stop(*_):
        raise KeyboardInterrupt

    before = signal.signal(signal.SIGTERM, stop)  # as the CLI does
    done = []
    try:
        with pytest.raises(KeyboardInterrupt):
            with interrupts_held():
                os.kill(os.getpid(), signum)
                done.append("stored")
                done.append("told")
        assert done == ["stored", "told"]
        assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
        assert signal.getsignal(signal.SIGTERM) is stop
    finally:
        signal.signal(signal.SIGTERM, before)


def test_without_a_signal_nothing_is_raised():
    with interrupts_held():
        pass
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


class _Connection:
    """Stands for an HTTP connection the garbage collector closes (urllib3's pools)."""


@pytest.fixture
def dropped(monkeypatch) -> list:
    """The exceptions Python drops (it would print them as "Exception ignored in ...")."""
    seen: list = []
    monkeypatch.setattr(sys, "unraisablehook", lambda unraisable: seen.append(unraisable))
    return seen


def _interrupt_inside_a_finalizer() -> None:
    """Ctrl-C landing while a finalizer runs (the KeyboardInterrupt is raised inside it)."""
    connection = _Connection()
    weakref.finalize(connection, os.kill, os.getpid(), signal.SIGINT)
    del connection


def test_an_interrupt_a_finalizer_swallowed_is_raised_by_the_next_check_and_not_printed(dropped):
    _interrupt_inside_a_finalizer()  # outside a command, Python's own report
    assert [unraisable.exc_type for unraisable in dropped] == [KeyboardInterrupt]
    with interrupts_remembered():
        _interrupt_inside_a_finalizer()
        assert len(dropped) == 1  # dropped quietly: the next check raises it
        with pytest.raises(KeyboardInterrupt):
            raise_if_interrupted()
    raise_if_interrupted()  # forgotten once the command is over
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    assert sys.unraisablehook is not None and len(dropped) == 1
    sys.unraisablehook(_Dropped(ValueError))
    assert len(dropped) == 2  # the hook in place before the command is back


class _Dropped:
    """What Python hands its unraisable hook (only the field the hook reads)."""

    def __init__(self, exc_type) -> None:
        self.exc_type = exc_type


@pytest.mark.h2o
def test_a_sweep_stops_and_cancels_its_build_on_an_interrupt_a_finalizer_swallowed(
    h2o_cluster, digits_local, tmp_path, dropped
):
    import h2o

    out = tmp_path / "sweep"
    options = SweepOptions(out, parallel=1, quiet=True)
    with interrupts_remembered(), pytest.raises(SweepInterrupted):
        _interrupt_inside_a_finalizer()
        run_sweep(random_plan([4242]), digits_local, TrainSettings(epochs=100000), options,
                  ClusterOptions(url=h2o_cluster.url))  # fmt: skip

    def builds() -> set[str]:
        jobs = h2o.api("GET /3/Jobs")["jobs"]
        return {job["status"] for job in jobs if "m_4242" in job["dest"]["name"]}

    deadline = time.monotonic() + 60
    while builds() & {"RUNNING", "CANCEL_PENDING"} and time.monotonic() < deadline:
        time.sleep(0.2)  # told to cancel, it stops at its next check
    assert builds() == {"CANCELLED"}
    assert pd.read_csv(out / "results.csv").empty
