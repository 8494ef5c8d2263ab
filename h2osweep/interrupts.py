"""Ctrl-C and SIGTERM in a command: each becomes a KeyboardInterrupt that is not lost, and while
a finished run is stored and told to its strategy (or a strategy proposes one) they wait.

Python prints and drops an exception raised inside a finalizer, so a signal that lands while
the garbage collector closes, say, an HTTP connection would be ignored; the command remembers
every signal, and the loop that waits for builds raises it again (`raise_if_interrupted`), so
the dropped one is not printed (a traceback would break the command's one-line output).
Held signals keep a run and its Optuna trial in step: an interrupt never leaves the store
knowing a run the study does not, or a trial half-proposed.
"""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

HELD = (signal.SIGINT, signal.SIGTERM)
_received = threading.Event()  # a signal came during the command's run


def _on_interrupt(signum, frame) -> None:
    _received.set()
    raise KeyboardInterrupt


def raise_if_interrupted() -> None:
    """Raise the KeyboardInterrupt of a signal whose exception a finalizer swallowed."""
    if _received.is_set():
        raise KeyboardInterrupt


@contextmanager
def _handled_by(handler) -> Iterator[None]:
    """Within the block `handler` takes SIGINT and SIGTERM (but one the shell ignores), and the
    handlers in place come back after it; outside the main thread, where handlers cannot be
    set, nothing changes."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {signum: signal.getsignal(signum) for signum in HELD}
    for signum, before in previous.items():
        if before is not signal.SIG_IGN:
            signal.signal(signum, handler)
    try:
        yield
    finally:
        for signum, before in previous.items():
            signal.signal(signum, before)


@contextmanager
def interrupts_remembered() -> Iterator[None]:
    """Run a command with Ctrl-C and SIGTERM raising a remembered KeyboardInterrupt (a signal
    the shell ignores stays ignored; outside the main thread the signals are left alone)."""
    unraisable = sys.unraisablehook
    sys.unraisablehook = lambda dropped: _print_unless_interrupt(dropped, unraisable)
    _received.clear()
    try:
        with _handled_by(_on_interrupt):
            yield
    finally:
        sys.unraisablehook = unraisable
        _received.clear()


def _print_unless_interrupt(dropped, hook) -> None:
    """Python's report of an exception it dropped, but for the interrupts we raise again."""
    if not (dropped.exc_type is KeyboardInterrupt and _received.is_set()):
        hook(dropped)


@contextmanager
def interrupts_held() -> Iterator[None]:
    """Run the block with SIGINT and SIGTERM held, then deliver any that came to the handlers
    that were in place (outside the main thread, where handlers cannot be set, hold nothing)."""
    received: list[int] = []
    try:
        with _handled_by(lambda signum, _: received.append(signum)):
            yield
    finally:
        for signum in dict.fromkeys(received):
            signal.raise_signal(signum)
