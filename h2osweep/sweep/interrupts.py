"""Hold Ctrl-C and SIGTERM while a finished run is stored and told to its strategy, so that an
interrupt never leaves one knowing a run the other does not (an Optuna study would then hold a
trial RUNNING whose result the store already has), and while a strategy proposes a run (a trial
interrupted half-proposed would be lost)."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager

HELD = (signal.SIGINT, signal.SIGTERM)


@contextmanager
def interrupts_held() -> Iterator[None]:
    """Run the block with SIGINT and SIGTERM held, then deliver any that came to the handlers
    that were in place (outside the main thread, where handlers cannot be set, hold nothing)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[int] = []
    previous = {signum: signal.signal(signum, lambda s, _: received.append(s)) for signum in HELD}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        for signum in dict.fromkeys(received):
            signal.raise_signal(signum)
