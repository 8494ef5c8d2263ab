"""Where models are trained: an embedded H2O that h2osweep starts on loopback, or a cluster by URL.

`H2OCluster` is a context manager that shuts down only a cluster it started itself. Credentials
come from options or from `H2OSWEEP_USERNAME` / `H2OSWEEP_PASSWORD` and are never part of what
`H2OCluster.describe()` returns, so nothing written from it can leak them.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from h2osweep.errors import ClusterError, ClusterLostError, ClusterUnreachableError, UserInputError
from h2osweep.validation import check_int, check_type

LOOPBACK = "127.0.0.1"
USERNAME_VARIABLE = "H2OSWEEP_USERNAME"
PASSWORD_VARIABLE = "H2OSWEEP_PASSWORD"
JAVA_HINT = "install Java with 'apt-get install -y openjdk-17-jre-headless' or set JAVA_HOME"
MEMORY_UNITS = {"M": 1 << 20, "G": 1 << 30}
EMBEDDED_PREFIX = "h2osweep-"
# The throughput collector (Java 8's default, which H2O long ran on) instead of G1: G1's write
# barriers make C2 compile more, and on 2 cores that CPU is taken from parallel builds (the
# paired measurement is in benchmarks/README.md; the models are the same).
EMBEDDED_JVM_ARGS = ("-XX:+UseParallelGC",)
# H2O's words when its ports were taken after free_port_pair found them free; then new ports
PORTS_TAKEN = "required ports"
PORT_ATTEMPTS = 2
# Stops the JVM ($2) once its owner ($1) is gone, even when the owner was killed with SIGKILL.
WATCHDOG = (
    'while kill -0 "$1" 2>/dev/null; do sleep 1; done; '
    'kill "$2" 2>/dev/null; sleep 10; kill -9 "$2" 2>/dev/null'
)


@dataclass(frozen=True)
class ClusterOptions:
    """How to reach H2O: `url=None` starts an embedded cluster on 127.0.0.1; a list of URLs is
    a pool of clusters that share the sweep's builds."""

    url: str | tuple[str, ...] | None = None
    nthreads: int = -1
    max_mem: str | None = None
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    cacert: str | None = None
    insecure: bool = False
    startup_seconds: int = 120

    def __post_init__(self) -> None:
        if self.nthreads != -1:
            check_int("nthreads", self.nthreads, 1, rule="-1 (all cores) or at least 1")
        if self.max_mem is not None:
            parse_memory(check_type("max_mem", self.max_mem, str, "a heap size such as 4G"))
        if self.url is not None and not isinstance(self.url, str):
            urls = tuple(self.url)
            object.__setattr__(self, "url", urls[0] if len(urls) == 1 else urls or None)

    @property
    def urls(self) -> tuple[str, ...]:
        """The URLs to reach (none: the embedded cluster)."""
        if self.url is None:
            return ()
        return (self.url,) if isinstance(self.url, str) else self.url

    @property
    def verify(self) -> bool | str:
        """How requests check an https certificate: not at all, by a CA file, or by the system's."""
        return False if self.insecure else (self.cacert or True)

    def credentials(self) -> tuple[str, str] | None:
        """(username, password) from the options, else from the environment, else None."""
        username = self.username or os.environ.get(USERNAME_VARIABLE)
        password = self.password or os.environ.get(PASSWORD_VARIABLE)
        if username and password:
            return username, password
        if username or password:
            raise UserInputError(
                f"give both a username and a password (options or {USERNAME_VARIABLE} / "
                f"{PASSWORD_VARIABLE}), or neither"
            )
        return None


class H2OCluster:
    """A connected H2O cluster for the duration of a `with` block."""

    def __init__(self, options: ClusterOptions | None = None, pooled: bool = False) -> None:
        if options is not None:
            rule = "ClusterOptions, e.g. ClusterOptions(url='http://HOST:54321')"
            check_type("options", options, ClusterOptions, rule)
        self.options = options or ClusterOptions()
        self.pooled = pooled  # one of a pool: errors name its URL
        self._server = None
        self._watchdog = None
        self._previous_connection = None
        self._ice_root: str | None = None
        self.url: str | None = None
        self.connection = None  # the h2o client's connection to this cluster

    @property
    def embedded(self) -> bool:
        """True when this object started the cluster (and so will stop it)."""
        return self._server is not None

    def __enter__(self) -> H2OCluster:
        if self.options.url is None:
            self._start_embedded()
        else:
            self._connect_remote()
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def close(self) -> None:
        """Shut down the cluster if we started it (a cluster reached by URL keeps running), end
        our connection, and give back whatever connection the h2o client had before."""
        import h2o

        with _quiet():
            ours = self.connection
            if ours is None and h2o.connection() is not self._previous_connection:
                ours = h2o.connection()  # a connect that failed half-way
            if self._server is not None:
                if ours is not None and h2o.connection() is ours:  # never the client's other one
                    with contextlib.suppress(Exception):
                        h2o.cluster().shutdown()
                _stop_process(self._server)
                self._server = None
            if ours is not None:
                with contextlib.suppress(Exception):
                    ours.close()
            h2o.h2o.h2oconn = self._previous_connection
            if self._watchdog is not None:
                self._watchdog.kill()
                self._watchdog.wait()
                self._watchdog = None
            if self._ice_root:
                shutil.rmtree(self._ice_root, ignore_errors=True)
                self._ice_root = None

    def _start_embedded(self) -> None:
        import h2o

        _require_java()
        reap_orphans()
        os.environ.setdefault("DO_NOT_TRACK", "1")
        for attempt in range(1, PORT_ATTEMPTS + 1):
            port = free_port_pair()
            try:
                self._launch(port)
                break
            except Exception as error:
                self.close()
                if attempt < PORT_ATTEMPTS and PORTS_TAKEN in str(error):
                    continue  # another process took the ports between the probe and the JVM
                message = f"the embedded H2O did not start: {_jvm_reason(error)}"
                raise ClusterError(message) from error
        self.url = f"http://{LOOPBACK}:{port}"
        h2o.no_progress()

    def _launch(self, port: int) -> None:
        """Start the embedded JVM on `port` (and port + 1) and connect the h2o client to it."""
        import h2o
        from h2o.backend import H2OLocalServer

        self._ice_root = tempfile.mkdtemp(prefix="h2osweep-ice-")
        self._previous_connection = h2o.connection()
        with _quiet():
            self._server = H2OLocalServer.start(
                nthreads=self.options.nthreads,
                max_mem_size=parse_memory(self.options.max_mem),
                port=port,
                ice_root=self._ice_root,
                name=f"{EMBEDDED_PREFIX}{os.getpid()}-{port}",
                enable_assertions=False,
                jvm_custom_args=list(EMBEDDED_JVM_ARGS),
                bind_to_localhost=True,
                verbose=False,
            )
            self._watchdog = _start_watchdog(self._server._process.pid)
            self.connection = h2o.connect(server=self._server, verbose=False, telemetry=False)

    def reconnect(self) -> None:
        """Connect again to the same URL (a cluster restarted there), leaving the h2o client's
        current connection and the one `close()` gives back as they were."""
        import h2o

        current, previous, old = h2o.h2o.h2oconn, self._previous_connection, self.connection
        try:
            self._connect_remote()
        finally:
            self._previous_connection = previous
            h2o.h2o.h2oconn = self.connection if current is old else current
        if old is not None and old is not self.connection:
            with contextlib.suppress(Exception):
                old.close()

    def _connect_remote(self) -> None:
        import h2o

        if not isinstance(self.options.url, str):
            raise UserInputError("{url} names several clusters: only a sweep uses a pool", "url")
        url = validate_url(self.options.url)
        safe = redact_url(url)
        credentials = self.options.credentials()
        if self.options.insecure:
            _ignore_insecure_warnings()
        _probe(url, safe, credentials, self.options.verify)
        self._previous_connection = h2o.connection()
        try:
            with _quiet():
                self.connection = h2o.connect(
                    url=url,
                    auth=credentials,
                    verify_ssl_certificates=not self.options.insecure,
                    cacert=self.options.cacert,
                    verbose=False,
                    telemetry=False,
                    strict_version_check=False,
                )
        except UserInputError:
            raise
        except Exception as error:
            reason = first_line(error).replace(url, safe)  # the h2o client may quote the URL
            raise ClusterUnreachableError(f"no H2O cluster answers at {safe}: {reason}") from error
        self.url = safe
        try:
            check_version(self.connection.cluster.version, safe if self.pooled else None)
        except ClusterError:
            self.close()  # give the client back the connection it had
            raise
        h2o.no_progress()

    def describe(self) -> dict:
        """Facts about the cluster worth recording with a sweep (no credentials)."""
        cluster = self.connection.cluster
        nodes = cluster.nodes or []
        return {
            "url": self.url,
            "name": cluster.cloud_name,
            "embedded": self.embedded,
            "version": cluster.version,
            "cloud_size": cluster.cloud_size,
            "cores": sum(int(node.get("num_cpus", 0)) for node in nodes),
            "nodes": [node.get("ip_port") for node in nodes],
        }


def _probe(url: str, safe: str, credentials, verify) -> None:
    """One request to the URL, to name what the h2o client would only retry and hide: an
    untrusted https certificate, or credentials that are missing or refused."""
    import requests

    try:
        answer = requests.get(
            f"{url.rstrip('/')}/3/Ping", auth=credentials, verify=verify, timeout=10
        )
    except requests.exceptions.SSLError as error:
        reason = "its certificate is not trusted"
        if isinstance(verify, str):
            reason = f"its certificate is not trusted by the CA in {verify}"
        if "CERTIFICATE_VERIFY_FAILED" not in str(error):
            reason = f"the TLS handshake failed ({first_line(error)[:200]})"
        raise ClusterError(
            f"{safe} refused: {reason}; give its CA certificate with {{cacert}} FILE, "
            "or {insecure} to skip the check",
            "cacert",
            "insecure",
        ) from error
    except requests.exceptions.RequestException:
        return  # h2o.connect reports an unreachable URL in its own words
    if answer.status_code in (401, 403):
        if credentials is None:
            raise ClusterError(
                f"{safe} asks for a login (HTTP {answer.status_code}): set "
                f"{USERNAME_VARIABLE} and {PASSWORD_VARIABLE} in the environment"
            )
        raise ClusterError(
            f"{safe} refused the username and password (HTTP {answer.status_code}): check "
            f"{USERNAME_VARIABLE} and {PASSWORD_VARIABLE}"
        )


def _ignore_insecure_warnings() -> None:
    """An insecure connection was asked for: do not repeat urllib3's warning on every request."""
    with contextlib.suppress(ImportError):
        from urllib3.exceptions import InsecureRequestWarning

        warnings.filterwarnings("ignore", category=InsecureRequestWarning)


def require_connection(needs: str) -> None:
    """Refuse, in h2osweep's words, a call that needs H2O when no cluster is connected (the
    client's own error names h2o.init, or is an AttributeError on a closed connection)."""
    import h2o

    if h2o.connection() is None:
        raise ClusterError(
            f"{needs} needs a connected H2O cluster: call it inside `with H2OCluster():` "
            "(or H2OCluster(ClusterOptions(url=...)) for a running one)"
        )


def check_alive() -> None:
    """Raise ClusterLostError when the cluster this thread talks to no longer answers."""
    from h2osweep.training import rest

    try:
        rest.get("/3/Ping")
    except Exception as error:
        raise ClusterLostError(
            f"lost the H2O cluster at {redact_url(rest.base_url())}: {first_line(error)}"
        ) from error


def check_version(server: str, where: str | None = None) -> None:
    """Refuse a cluster whose H2O version differs from the client's (the REST API changes);
    `where` names the cluster in a pool."""
    import h2o

    client = h2o.__version__
    if server != client:
        cluster = f"the cluster at {where}" if where else "the cluster"
        raise ClusterError(
            f"{cluster} runs H2O {server} but this client is h2o {client}: "
            f"install the matching client with 'pip install h2o=={server}'"
        )


def validate_url(url: str) -> str:
    """The URL if it is http(s)://host[:port][/path]; else a UserInputError saying what is."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UserInputError(
            "{url} must look like http://HOST:PORT or https://HOST:PORT, "
            f"but got {redact_url(url)!r}",
            "url",
        )
    try:
        parts.port  # noqa: B018 - raises ValueError for a malformed port
    except ValueError as error:
        raise UserInputError(f"{{url}} has a bad port: {redact_url(url)!r}", "url") from error
    return url


def redact_url(url: str) -> str:
    """The URL without any user:password@ part, safe to print or store."""
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def parse_memory(text: str | None) -> int | None:
    """Bytes from a size such as '4G' or '512M' (None keeps H2O's default)."""
    if text is None:
        return None
    number, unit = text[:-1], text[-1:].upper()
    if unit not in MEMORY_UNITS or not number.isdigit() or int(number) == 0:
        raise UserInputError(
            f"{{max_mem}}: memory must be a positive whole number of M or G such as 4G, "
            f"but got {text!r}",
            "max_mem",
        )
    return int(number) * MEMORY_UNITS[unit]


def _jvm_reason(error: Exception) -> str:
    """Why the JVM exited at start-up: H2O's FATAL line (the error's first line is log4j's)."""
    fatal = re.search(r" FATAL [\w.$]+: (.+)", str(error))
    return fatal.group(1).strip() if fatal else first_line(error)


def free_port_pair() -> int:
    """A loopback port P such that P and P+1 are free (H2O listens on both)."""
    for _ in range(50):
        with socket.socket() as probe:
            probe.bind((LOOPBACK, 0))
            port = probe.getsockname()[1]
        if port < 65535 and _port_free(port) and _port_free(port + 1):
            return port
    raise ClusterError("found no two free consecutive ports on 127.0.0.1 for the embedded H2O")


def _port_free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind((LOOPBACK, port))
        except OSError:
            return False
    return True


def _require_java() -> None:
    """Fail early, in one line, when no Java runtime can be found."""
    for variable in ("H2O_JAVA_HOME", "JAVA_HOME"):
        home = os.environ.get(variable)
        if home and os.access(os.path.join(home, "bin", "java"), os.X_OK):
            return
    if shutil.which("java") is None:
        raise ClusterError(f"Java was not found on the PATH, and H2O runs on Java: {JAVA_HINT}")


def reap_orphans() -> list[int]:
    """Stop embedded JVMs of ours whose owner process is gone (e.g. killed while H2O started).

    Our JVMs are named `h2osweep-<owner pid>-<port>`; a stale one is never reused.
    """
    stopped = []
    for pid, owner in embedded_jvms().items():
        if not _alive(owner):
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
                stopped.append(pid)
    return stopped


def embedded_jvms() -> dict[int, int]:
    """{JVM pid: owner pid} of every running embedded H2O started by h2osweep on this machine."""
    found = {}
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            arguments = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        owner = _embedded_owner(arguments)
        if owner is not None:
            found[int(entry.name)] = owner
    return found


def _embedded_owner(arguments: list[bytes]) -> int | None:
    """The owner pid in `-name h2osweep-<pid>-<port>` of an H2O JVM's arguments, else None."""
    if b"-name" not in arguments or not any(a.endswith(b"h2o.jar") for a in arguments):
        return None
    index = arguments.index(b"-name") + 1
    name = arguments[index].decode(errors="replace") if index < len(arguments) else ""
    parts = name.removeprefix(EMBEDDED_PREFIX).split("-")
    if not name.startswith(EMBEDDED_PREFIX) or len(parts) != 2 or not parts[0].isdigit():
        return None
    return int(parts[0])


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _start_watchdog(jvm_pid: int) -> subprocess.Popen:
    """A tiny shell process that stops the JVM when this process ends, however it ends."""
    return subprocess.Popen(
        ["/bin/sh", "-c", WATCHDOG, "h2osweep-watchdog", str(os.getpid()), str(jvm_pid)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def _stop_process(server) -> None:
    """Terminate the JVM and wait for it; kill it if it does not stop in time."""
    process = getattr(server, "_process", None)
    if process is None:
        return
    process.terminate()
    try:
        process.wait(timeout=10)
    except Exception:
        process.kill()
        process.wait(timeout=10)
    server._process = None
    with contextlib.suppress(Exception):
        shutil.rmtree(server._tempdir, ignore_errors=True)


def first_line(error: BaseException) -> str:
    text = str(error).strip() or type(error).__name__
    return text.splitlines()[0]


@contextlib.contextmanager
def _quiet():
    """Silence the h2o client's banners, progress lines and warnings."""
    with (
        contextlib.redirect_stdout(io.StringIO()),
        warnings.catch_warnings(),
    ):
        warnings.simplefilter("ignore")
        yield
