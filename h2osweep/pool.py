"""A pool of H2O clusters that share one sweep's builds: connect each once, check its version,
upload the data to it, and tell whether a lost one answers again.

One cluster (embedded or by URL) is a pool of one and behaves exactly as before. The h2o client
keeps one current connection per process, so a member that starts a build swaps it in under a
lock (`PoolMember.active`); polling and scoring go over `rest`, bound per thread, and need no
lock. Credentials come from the options or the environment and never appear in `describe()`.
"""

from __future__ import annotations

import contextlib
import threading
from dataclasses import replace

from h2osweep.cluster import ClusterOptions, H2OCluster, first_line, redact_url, validate_url
from h2osweep.data import H2OData, LocalData, upload
from h2osweep.data.on_cluster import ClusterData
from h2osweep.errors import ClusterError, ClusterLostError, ClusterUnreachableError, UserInputError
from h2osweep.training import jobs, rest
from h2osweep.training.placement import Lane

_CURRENT = threading.RLock()  # held while the h2o client's current connection is swapped
PING_SECONDS = 3  # how long a lost cluster has to answer a ping


class PoolMember:
    """One cluster of the pool: its connection, name (URL without credentials), facts and data."""

    def __init__(self, options: ClusterOptions, pooled: bool) -> None:
        self.options = options
        self.cluster = H2OCluster(options, pooled=pooled)
        self.name = redact_url(options.url) if options.url else "embedded"
        self.facts: dict | None = None  # describe() of the cluster, once it answered
        self.data: H2OData | None = None
        self.local: LocalData | ClusterData | None = None  # what `data` holds on the cluster
        self.slots_of = None  # facts -> builds in flight (the sweep's rule, set by the pool)

    def connect(self) -> None:
        """Start or reach the cluster (raises ClusterError, ClusterUnreachableError)."""
        self.cluster.__enter__()
        self.facts = self.cluster.describe()

    def close(self) -> None:
        if self.cluster.connection is not None:
            self.cluster.close()

    @contextlib.contextmanager
    def active(self):
        """Make this cluster the h2o client's current one (and this thread's REST target)."""
        import h2o

        with _CURRENT:
            current = h2o.h2o.h2oconn
            h2o.h2o.h2oconn = self.cluster.connection
            try:
                with rest.bound(self.cluster.connection):
                    yield
            finally:
                h2o.h2o.h2oconn = current

    def bound(self):
        """Send this thread's REST requests to this cluster."""
        return rest.bound(self.cluster.connection)

    def upload(self, local: LocalData | ClusterData, again: bool = False) -> None:
        """Upload the sweep's data once (frames already there under the same keys are reused),
        or have the cluster import data it reads itself; `again` after a restart."""
        if self.data is not None and self.local is local and not again:
            return
        self.local = local
        with self.active():
            self.data = upload(local)  # the data in use stays until the new one is there

    def answers(self) -> bool:
        """Whether the cluster answers a ping within PING_SECONDS (no h2o client retries)."""
        import requests

        url = validate_url(self.options.url) if self.options.url else self.cluster.url
        try:
            answer = requests.get(
                f"{url.rstrip('/')}/3/Ping",
                auth=self.options.credentials(),
                verify=self.options.verify,
                timeout=PING_SECONDS,
            )
        except requests.exceptions.RequestException:
            return False
        return answer.ok

    def rejoin(self, prefix: str) -> str | None:
        """Connect again to a cluster that answers after it was lost: the same version, its
        leftover builds cancelled, the same data again. None when it rejoined, else why not."""
        old = self.cluster.connection
        try:
            with _CURRENT:
                self.cluster.reconnect()
                facts = self.cluster.describe()
            if old is not None:
                rest.forget(old)
            with self.bound():
                jobs.cancel_leftovers(prefix, timeout=10)
            self.upload(self.local, again=True)
        except Exception as error:  # not ready yet, or restarted as something we cannot use
            return first_line(error)
        self.facts = facts
        return None

    @property
    def slots(self) -> int:
        """Builds in flight on this cluster (1 until it has answered)."""
        return self.slots_of(self.facts) if self.facts and self.slots_of else 1


class ClusterPool:
    """The clusters of a sweep, connected for the duration of a `with` block.

    Clusters that do not answer at the start are lost from the start (they may rejoin); any
    other refusal (another h2o version, a login, a certificate) stops the sweep before it
    starts. With none answering the pool refuses to start.
    """

    def __init__(self, options: ClusterOptions | None = None) -> None:
        options = options or ClusterOptions()
        urls = options.urls
        _refuse_repeats(urls)
        pooled = len(urls) > 1
        self.members = [PoolMember(replace(options, url=url), pooled) for url in urls] or [
            PoolMember(options, pooled=False)
        ]
        self.unreachable: dict[str, str] = {}  # member name -> why it did not answer at start
        self._stack = contextlib.ExitStack()

    def __enter__(self) -> ClusterPool:
        try:
            for member in self.members:
                self._connect(member)
            if not self.reachable:
                reasons = "; ".join(f"{name} ({why})" for name, why in self.unreachable.items())
                raise ClusterError(f"no cluster of the pool answers: {reasons}")
            _refuse_shared_nodes(self.reachable)
        except BaseException:
            self._stack.close()
            raise
        return self

    def __exit__(self, *exc_info) -> None:
        self._stack.close()
        for member in self.members:  # lost at the start, connected when it rejoined
            if member.name in self.unreachable and member.cluster.connection is not None:
                with contextlib.suppress(Exception):
                    member.cluster.connection.close()

    def _connect(self, member: PoolMember) -> None:
        try:
            member.connect()
        except ClusterUnreachableError as error:
            if len(self.members) == 1:
                raise
            self.unreachable[member.name] = str(error).split(": ", 1)[-1]
            return
        self._stack.callback(member.close)

    @property
    def pooled(self) -> bool:
        return len(self.members) > 1

    @property
    def reachable(self) -> list[PoolMember]:
        return [member for member in self.members if member.facts is not None]

    @property
    def first(self) -> PoolMember:
        return self.reachable[0]

    def describe(self) -> dict:
        """Facts worth recording with a sweep (no credentials): the cluster's own for one, else
        the pool's totals and each member's facts (its URL and `answers: False` for one that
        did not answer)."""
        if not self.pooled:
            return self.first.facts
        facts = [member.facts or {"url": member.name, "answers": False} for member in self.members]
        return {
            "url": f"a pool of {len(self.members)} clusters",
            "pool": facts,
            "cloud_size": sum(int(fact.get("cloud_size") or 0) for fact in facts),
            "cores": sum(int(fact.get("cores") or 0) for fact in facts),
        }

    def lanes(self, slots_of) -> list[Lane]:
        """One lane per member, its slots `slots_of(facts)` (a lost one's known at rejoin)."""
        for member in self.members:
            member.slots_of = slots_of
        return [
            Lane(member.name, member.slots, cluster=member, lost=member.facts is None)
            for member in self.members
        ]

    def upload(self, local: LocalData) -> None:
        """Upload the data to each member that answers; one lost from the start (or during its
        upload, when others remain) gets it when it rejoins."""
        for member in self.members:
            member.local = local
        for member in self.reachable:
            self.run_or_lose(member, "the data upload", member.upload, local)

    def each(self, action) -> None:
        """Run `action()` with each reachable member bound (cancel leftovers, tidy models)."""
        for member in self.reachable:
            with member.bound():
                self.run_or_lose(member, "the start", action)

    def run_or_lose(self, member: PoolMember, during: str, action, *args) -> None:
        """Run `action`; a member that stops answering meanwhile is lost from the start (it may
        rejoin), unless it is the last one."""
        try:
            action(*args)
        except Exception as error:
            lost = isinstance(error, ClusterLostError) or jobs.connection_failed(error)
            if not self.pooled or not lost:
                raise
            member.facts = None
            self.unreachable[member.name] = f"lost during {during}: {first_line(error)}"
            if not self.reachable:
                raise ClusterLostError(
                    f"every cluster of the pool was lost during {during}"
                ) from error


def _refuse_repeats(urls: tuple[str, ...]) -> None:
    """The same URL twice would double one cluster's slots: refuse it."""
    seen = set()
    for url in urls:
        key = validate_url(url).rstrip("/").lower()
        if key in seen:
            raise UserInputError(f"the pool names {redact_url(url)} twice: give each cluster once")
        seen.add(key)


def _refuse_shared_nodes(members: list[PoolMember]) -> None:
    """Two URLs that reach the same cluster (a node in common) would double its slots."""
    owner = {}
    for member in members:
        for address in member.facts.get("nodes") or []:
            node = (member.facts.get("name"), address)  # containers may share an address
            if node in owner and owner[node] is not member:
                raise UserInputError(
                    f"the pool's {owner[node].name} and {member.name} are the same H2O cluster "
                    f"(node {address}): give each cluster once"
                )
            owner[node] = member
