"""H2O build jobs seen from the client: their status, when to look again, and cancelling them.

Every status request costs client and cluster CPU that the builds need, so the wait between
polls follows the soonest end the jobs' progress predicts: seldom early in a build, often near
its end. The same prediction lets the scheduler start the next build just before one ends,
instead of leaving its core idle while the client notices the end and submits the next (the
measurements are in benchmarks/README.md).
Before a build's first step, its cost and the pace of the builds that already ended predict
its length; after its last step, H2O is finishing it (final scoring), which is waited out with
a growing wait rather than polled at the shortest interval.
"""

from __future__ import annotations

import contextlib
import math
import re
import statistics
import time

from h2osweep.cluster import check_alive
from h2osweep.errors import ClusterLostError
from h2osweep.training import rest

MIN_POLL_SECONDS = 0.05
MAX_POLL_SECONDS = 1.0
FINISHED = {"DONE", "FAILED", "CANCELLED"}
UNSTABLE = "unstable model"
MAX_ERROR_CHARS = 300
ERROR_HEADER = re.compile(r"(Server error )?[\w.$]+( +\([\w.$]+\))?:")  # "...Exception:"
ERROR_PREFIX = re.compile(
    r"^(Error: |ERRR on field: _?|DistributedException from \S+: '?"
    r"|Job with key \S+ failed with an exception: )"
)
ERROR_NOISE = ("at ", "Request: ", "data: ", "For more information", "http")
DIVERGED = (
    "the model diverged: H2O aborted it for numerical instability (try a smaller rate, "
    "adaptive_rate=true, or more regularization)"
)


class JobWatch:
    """Polls H2O build jobs, each when its own predicted end makes a look worthwhile.

    H2O reports progress in steps (one per epoch), so the prediction uses the time the current
    step was reached: midway between the last poll that saw the step before and the first that
    saw this one, rather than the time of the poll.
    """

    def __init__(self) -> None:
        self._steps: dict[str, tuple[float, float, float]] = {}  # key -> progress, reached, seen
        self._due: dict[str, float] = {}  # job key -> monotonic time of its next poll
        self._ends: dict[str, float] = {}  # job key -> monotonic time its progress predicts
        self._costs: dict[str, float] = {}  # job key -> its build's cost (arbitrary units)
        self._paces: list[float] = []  # build seconds per cost unit of the builds done so far

    def expect(self, job, cost: float) -> None:
        """Note a new build's cost: with the pace of the ended builds it predicts its length."""
        if cost > 0:
            self._costs[job.job_key] = cost
            expected = self._expected_seconds(job.job_key)
            if expected is not None:
                self._due[job.job_key] = time.monotonic() + poll_delay(expected)

    def poll(self, jobs: list) -> tuple[list, float]:
        """Refresh the jobs that are due: those that ended, and the wait till the next is due."""
        ended = []
        for job in jobs:
            if self._due.get(job.job_key, 0.0) > time.monotonic():
                continue
            status = job_status(job.job_key)
            if status["status"] in FINISHED:
                job.status, job.exception = status["status"], status.get("exception")
                self._learn_pace(job.job_key, status)
                self._forget(job.job_key)
                ended.append(job)
            else:
                time_left = self._time_left(job.job_key, status)
                self._due[job.job_key] = time.monotonic() + poll_delay(time_left)
        now = time.monotonic()
        waits = [self._due[job.job_key] - now for job in jobs if job.job_key in self._due]
        return ended, max(0.0, min(waits, default=MAX_POLL_SECONDS))

    def ending_within(self, jobs: list, seconds: float) -> int:
        """How many of the jobs their progress predicts to end within `seconds` from now."""
        soon = time.monotonic() + seconds
        return sum(self._ends.get(job.job_key, math.inf) <= soon for job in jobs)

    def _time_left(self, key: str, status: dict) -> float:
        """Seconds the job may still run; once it has a step, its predicted end is noted too."""
        progress = float(status.get("progress") or 0.0)
        elapsed = float(status.get("msec") or 0.0) / 1000.0
        previous, reached_at, last_seen = self._steps.get(key, (progress, elapsed, elapsed))
        if progress != previous:
            reached_at = (last_seen + elapsed) / 2  # the step came between these two polls
        self._steps[key] = (progress, reached_at, elapsed)
        if progress <= 0.0:
            return time_left_before_a_step(elapsed, self._expected_seconds(key))
        time_left = time_left_of(progress, elapsed, reached_at=reached_at)
        finishing = progress >= 1.0  # it ends about now, however long we wait to look
        self._ends[key] = time.monotonic() + (0.0 if finishing else time_left)
        return time_left

    def _expected_seconds(self, key: str) -> float | None:
        """The build's length its cost predicts at the median pace so far (None: no basis)."""
        if key not in self._costs or not self._paces:
            return None
        return self._costs[key] * statistics.median(self._paces)

    def _learn_pace(self, key: str, status: dict) -> None:
        seconds = float(status.get("msec") or 0.0) / 1000.0
        if status["status"] == "DONE" and key in self._costs and seconds > 0.0:
            self._paces.append(seconds / self._costs[key])

    def _forget(self, key: str) -> None:
        for table in (self._steps, self._due, self._ends, self._costs):
            table.pop(key, None)


def poll_delay(time_left: float) -> float:
    """Seconds to wait before the next poll: half the predicted time left, within bounds."""
    return min(MAX_POLL_SECONDS, max(MIN_POLL_SECONDS, time_left / 2))


def time_left_of(progress: float, elapsed: float, reached_at: float) -> float:
    """Seconds a job may still run if it keeps the pace at which it reached `progress`.

    Past the predicted end (which, at progress 1, is the moment the last step came: H2O is
    finishing the model) it may run as long again as it has overrun: the wait grows.
    """
    left = reached_at / progress - elapsed
    return left if left >= 0.0 else -left


def time_left_before_a_step(elapsed: float, expected: float | None) -> float:
    """Seconds a job with no step yet may still run: what its expected length leaves, else (or
    once that is overrun) at least as long again as it has run."""
    if expected is not None and expected - elapsed > elapsed:
        return expected - elapsed
    return elapsed


def job_status(job_key: str) -> dict:
    """One H2O job as its JSON; a connection failure means the cluster is lost."""
    try:
        return rest.get(f"/3/Jobs/{job_key}")["jobs"][0]
    except Exception as error:
        raise_if_cluster_lost(error)
        raise


def cancel_leftovers(prefix: str, timeout: float = 60.0) -> int:
    """Cancel the builds whose model key starts with `prefix` that have not ended on the
    cluster: a killed session of the same sweep left them, and they lock the keys its resumed
    runs need; one already told to cancel (CANCEL_PENDING) holds its key until it stops, so it
    counts too. Waits until they have stopped; returns how many."""
    leftovers = [
        job["key"]["name"]
        for job in rest.get("/3/Jobs")["jobs"]
        if job["status"] not in FINISHED
        and (job.get("dest") or {}).get("name", "").startswith(prefix)
    ]
    for key in leftovers:
        with contextlib.suppress(Exception):
            rest.post(f"/3/Jobs/{key}/cancel")
    running, deadline = leftovers, time.monotonic() + timeout
    while running and time.monotonic() < deadline:
        time.sleep(MIN_POLL_SECONDS)
        running = [key for key in running if job_status(key)["status"] not in FINISHED]
    return len(leftovers)


def cancel(jobs: list) -> None:
    """Cancel jobs still running on the cluster (best effort: the cluster may be gone)."""
    for job in jobs:
        with contextlib.suppress(Exception):
            rest.post(f"/3/Jobs/{job.job_key}/cancel")


def connection_failed(error: Exception) -> bool:
    """Whether `error` says the cluster could not be reached or its answer was cut off (not
    that it refused a request). The h2o client lets requests' own errors through when an
    answer breaks off mid-read (a JVM killed while it answers)."""
    import requests
    from h2o.exceptions import H2OConnectionError

    return isinstance(error, (H2OConnectionError, ConnectionError, requests.RequestException))


def raise_if_cluster_lost(error: Exception) -> None:
    """Turn a connection failure into ClusterLostError; leave model errors alone."""
    if connection_failed(error):
        check_alive()
        raise ClusterLostError(f"lost the H2O cluster: {error_message(error)}") from error


def job_error(job) -> str:
    """Why a job did not end DONE, in one line."""
    return error_message(job.exception or f"the H2O job ended with status {job.status}")


def error_message(error) -> str:
    """Why H2O refused or failed a run, in one line (for the results table and the progress).

    H2O's text spans lines: a generic header, the reason (escaped `\\n` inside a refused
    build's `msg`), then the request, a stack trace or a link. The reasons are kept, joined by
    "; ", without H2O's prefixes ("Error: ", "ERRR on field: _"), and cut at MAX_ERROR_CHARS.
    """
    text = str(error).strip()
    if UNSTABLE in text:
        return DIVERGED
    msg = re.search(r"""^\s*msg = (['"])(.*)\1$""", text, re.MULTILINE)  # a refusal's reason
    if msg:  # quoted as Python's repr quotes it: in "..." when the reason holds a '
        text = msg.group(2).split("Details: ", 1)[-1].replace("\\n", "\n")
    text = re.split(r"', caused by |\nstacktrace", text, maxsplit=1)[0]  # repeats, traces
    reasons: list[str] = []
    for line in text.splitlines():
        line = ERROR_PREFIX.sub("", line.strip().strip("'")).rstrip(".")
        if line and not ERROR_HEADER.fullmatch(line) and not line.startswith(ERROR_NOISE):
            reasons += [] if line in reasons else [line]
    return _shorten("; ".join(reasons) or type(error).__name__)


def _shorten(text: str) -> str:
    """The text cut to MAX_ERROR_CHARS, an ellipsis marking the cut."""
    return text if len(text) <= MAX_ERROR_CHARS else text[: MAX_ERROR_CHARS - 3].rstrip() + "..."
