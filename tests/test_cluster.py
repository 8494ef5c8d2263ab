"""The embedded cluster binds loopback only; bad URLs, missing Java and credentials fail clearly."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

from h2osweep.cluster import (
    EMBEDDED_JVM_ARGS,
    ClusterOptions,
    H2OCluster,
    free_port_pair,
    parse_memory,
    redact_url,
    validate_url,
)
from h2osweep.errors import ClusterError, UserInputError
from tests.conftest import cli, jvms_owned_by, run_cli


@pytest.mark.h2o
def test_embedded_cluster_listens_on_loopback_only(h2o_cluster):
    import h2o

    info = h2o_cluster.describe()
    assert info["embedded"] is True
    assert info["url"].startswith("http://127.0.0.1:")
    assert all(node.startswith("127.0.0.1:") for node in info["nodes"])
    port = int(info["url"].rsplit(":", 1)[1])
    for listening_port in (port, port + 1):
        addresses = _listening_addresses(listening_port)
        assert addresses, f"nothing listens on {listening_port}"
        assert addresses <= {"127.0.0.1", "::ffff:127.0.0.1"}, addresses
    assert h2o.cluster().cloud_size == 1


@pytest.mark.h2o
def test_embedded_jvm_runs_the_throughput_collector(h2o_cluster):
    (jvm,) = jvms_owned_by(os.getpid())
    arguments = Path(f"/proc/{jvm}/cmdline").read_bytes().decode().split("\0")
    assert EMBEDDED_JVM_ARGS == ("-XX:+UseParallelGC",)
    assert arguments.index("-XX:+UseParallelGC") < arguments.index("-jar")


@pytest.mark.h2o
def test_describe_holds_no_credentials(h2o_cluster, monkeypatch):
    monkeypatch.setenv("H2OSWEEP_PASSWORD", "s3cret-pw")
    assert "s3cret-pw" not in repr(h2o_cluster.describe())


def test_unreachable_url_is_one_line_error():
    port = free_port_pair()
    with pytest.raises(ClusterError, match=f"no H2O cluster answers at http://127.0.0.1:{port}"):
        with H2OCluster(ClusterOptions(url=f"http://127.0.0.1:{port}")):
            pass


def test_url_that_is_not_h2o_is_refused():
    import http.server
    import threading

    server = http.server.HTTPServer(("127.0.0.1", 0), http.server.SimpleHTTPRequestHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with pytest.raises(ClusterError, match="no H2O cluster answers"):
            with H2OCluster(ClusterOptions(url=f"http://127.0.0.1:{server.server_port}")):
                pass
    finally:
        server.shutdown()


@pytest.mark.parametrize("url", ["ftp://host:1", "localhost:54321", "http://", "http://h:port"])
def test_malformed_urls_are_user_errors(url):
    with pytest.raises(UserInputError, match="^url "):
        validate_url(url)


def test_credentials_are_redacted_from_urls():
    assert redact_url("https://alice:pw@h2o.example:54321/x") == "https://h2o.example:54321/x"
    assert redact_url("http://127.0.0.1:54321") == "http://127.0.0.1:54321"


def test_credentials_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("H2OSWEEP_USERNAME", "alice")
    monkeypatch.setenv("H2OSWEEP_PASSWORD", "pw")
    assert ClusterOptions(url="http://x:1").credentials() == ("alice", "pw")
    monkeypatch.delenv("H2OSWEEP_PASSWORD")
    with pytest.raises(UserInputError, match="both a username and a password"):
        ClusterOptions(url="http://x:1").credentials()


@pytest.mark.parametrize("text, expected", [("4G", 4 << 30), ("512m", 512 << 20), (None, None)])
def test_memory_sizes(text, expected):
    assert parse_memory(text) == expected


@pytest.mark.parametrize("text", ["4", "4T", "G", "0G", "-1G"])
def test_bad_memory_sizes(text):
    with pytest.raises(UserInputError, match="memory"):
        parse_memory(text)


def test_missing_java_is_one_line_error_naming_the_package(tmp_path):
    python_dir = os.path.dirname(os.sys.executable)
    result = run_cli(
        "random",
        "--seeds",
        "1",
        "--epochs",
        "1",
        "--out",
        str(tmp_path / "out"),
        env={"PATH": python_dir, "JAVA_HOME": "", "H2O_JAVA_HOME": ""},
    )
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Java was not found" in lines[0]
    assert "openjdk-17-jre-headless" in lines[0]
    assert not (tmp_path / "out").exists()


def test_unreachable_url_from_the_cli_exits_2(tmp_path):
    port = free_port_pair()
    result = run_cli(
        "random",
        "--seeds",
        "1",
        "--url",
        f"http://127.0.0.1:{port}",
        "--out",
        str(tmp_path / "out"),
    )
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert f"no H2O cluster answers at http://127.0.0.1:{port}" in result.stderr
    assert not (tmp_path / "out").exists()


def _listening_addresses(port: int) -> set[str]:
    """Local addresses of sockets listening on `port`, read from the kernel's tables."""
    found = set()
    for table, width in (("/proc/net/tcp", 8), ("/proc/net/tcp6", 32)):
        if not os.path.exists(table):
            continue
        with open(table) as rows:
            next(rows)
            for row in rows:
                local, state = row.split()[1], row.split()[3]
                address, hex_port = local.split(":")
                if state == "0A" and int(hex_port, 16) == port and len(address) == width:
                    found.add(_decode(address))
    return found


def _decode(address: str) -> str:
    if len(address) == 8:
        return socket.inet_ntop(socket.AF_INET, bytes.fromhex(address)[::-1])
    words = [bytes.fromhex(address[i : i + 8])[::-1] for i in range(0, 32, 8)]
    return socket.inet_ntop(socket.AF_INET6, b"".join(words))


@pytest.mark.h2o
def test_a_cluster_of_another_h2o_version_is_refused_and_the_client_keeps_its_connection(
    h2o_cluster, tmp_path, monkeypatch
):
    """The client here claims another release (we cannot install a second H2O); the cluster is
    the session's real one, so its own version string is what the message quotes."""
    import h2o

    server = h2o.cluster().version
    before = h2o.connection()
    monkeypatch.setattr(h2o, "__version__", "3.44.0.3")
    out = tmp_path / "out"
    result = cli("random", "--seeds", "1", "--url", h2o_cluster.url, "--out", out)
    assert result.status == 2
    assert result.stderr == (
        f"h2osweep: error: the cluster runs H2O {server} but this client is h2o 3.44.0.3: "
        f"install the matching client with 'pip install h2o=={server}'\n"
    )
    assert not out.exists()
    assert h2o.connection() is before


@pytest.fixture
def busy_port():
    """A loopback port another process holds, as one may take it after our probe."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        yield taken.getsockname()[1]


@pytest.mark.h2o
def test_ports_taken_after_the_probe_are_given_up_for_new_ones(h2o_cluster, busy_port, monkeypatch):
    """Another process binds the probed port before the JVM does (H2O then exits): the embedded
    H2O starts on the next free pair, and the client gets its connection back afterwards."""
    import h2o

    from h2osweep import cluster as clusters

    probed = iter([busy_port])
    monkeypatch.setattr(clusters, "free_port_pair", lambda: next(probed, 0) or free_port_pair())
    before = h2o.connection()
    with H2OCluster(ClusterOptions(nthreads=1, max_mem="1G")) as embedded:
        assert embedded.url != f"http://127.0.0.1:{busy_port}"
        assert h2o.cluster().cloud_size == 1
    assert h2o.connection() is before
    assert h2o.api("GET /3/Cloud")["cloud_healthy"]  # the failed start closed nothing of ours


@pytest.mark.h2o
def test_ports_taken_at_every_try_end_in_one_line_from_h2o_itself(
    h2o_cluster, busy_port, monkeypatch
):
    import h2o

    from h2osweep import cluster as clusters

    monkeypatch.setattr(clusters, "free_port_pair", lambda: busy_port)
    with pytest.raises(ClusterError) as refused, H2OCluster(ClusterOptions(nthreads=1)):
        pass
    assert str(refused.value) == (
        f"the embedded H2O did not start: On /127.0.0.1 some of the required ports {busy_port}, "
        f"{busy_port + 1} are not available, change -port PORT and try again."
    )
    assert h2o.api("GET /3/Cloud")["cloud_healthy"]  # the client's connection is still open
