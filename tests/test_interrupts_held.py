"""A signal that comes while a run is stored and told waits for both, then stops the sweep."""

from __future__ import annotations

import os
import signal

import pytest

from h2osweep.sweep.interrupts import interrupts_held


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
