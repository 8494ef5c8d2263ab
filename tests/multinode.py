"""A real multi-node H2O cluster on loopback for tests: N JVMs from the wheel's jar, a flatfile."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import tempfile
import time
import urllib.request

from h2osweep.cluster import LOOPBACK, free_port_pair


def h2o_jar() -> str:
    import h2o

    return os.path.join(os.path.dirname(h2o.__file__), "backend", "bin", "h2o.jar")


@contextlib.contextmanager
def loopback_cluster(nodes: int = 2, memory: str = "1g", timeout: float = 90):
    """Start `nodes` JVMs that form one cloud; yield its URL; stop them all afterwards."""
    folder = tempfile.mkdtemp(prefix="h2osweep-cloud-")
    ports = _distinct_port_pairs(nodes)
    flatfile = os.path.join(folder, "flatfile.txt")
    with open(flatfile, "w") as stream:
        stream.write("".join(f"{LOOPBACK}:{port}\n" for port in ports))
    processes = [
        subprocess.Popen(
            [
                "java",
                f"-Xmx{memory}",
                "-jar",
                h2o_jar(),
                "-name",
                f"h2osweep-test-cloud-{os.getpid()}",
                "-ip",
                LOOPBACK,
                "-web_ip",
                LOOPBACK,
                "-port",
                str(port),
                "-flatfile",
                flatfile,
                "-ice_root",
                os.path.join(folder, f"ice{port}"),
                "-nthreads",
                "1",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        for port in ports
    ]
    url = f"http://{LOOPBACK}:{ports[0]}"
    try:
        _wait_for_cloud(url, nodes, timeout)
        yield url
    finally:
        for process in processes:
            process.kill()
            process.wait()
        shutil.rmtree(folder, ignore_errors=True)


def cloud_size(url: str) -> int:
    with urllib.request.urlopen(f"{url}/3/Cloud", timeout=5) as response:
        return int(json.load(response)["cloud_size"])


def _wait_for_cloud(url: str, nodes: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError, ValueError, KeyError):
            if cloud_size(url) == nodes:
                return
        time.sleep(0.5)
    raise TimeoutError(f"{nodes} H2O nodes did not form a cloud at {url} in {timeout} s")


def _distinct_port_pairs(count: int) -> list[int]:
    ports: list[int] = []
    while len(ports) < count:
        port = free_port_pair()
        if all(abs(port - other) > 1 for other in ports):
            ports.append(port)
    return ports
