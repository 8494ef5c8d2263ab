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


class LoopbackCloud:
    """`nodes` JVMs on loopback that form one cloud from a flatfile; it can be killed (SIGKILL,
    every node) and started again on the same ports."""

    def __init__(self, nodes: int = 2, memory: str = "1g") -> None:
        self.nodes, self.memory = nodes, memory
        self.folder = tempfile.mkdtemp(prefix="h2osweep-cloud-")
        self.ports = _distinct_port_pairs(nodes)
        self.flatfile = os.path.join(self.folder, "flatfile.txt")
        with open(self.flatfile, "w") as stream:
            stream.write("".join(f"{LOOPBACK}:{port}\n" for port in self.ports))
        self.url = f"http://{LOOPBACK}:{self.ports[0]}"
        self.processes: list[subprocess.Popen] = []
        self.starts = 0

    def start(self, wait: bool = True, timeout: float = 90) -> LoopbackCloud:
        self.starts += 1
        self.processes = [self._jvm(port) for port in self.ports]
        if wait:
            self.wait(timeout)
        return self

    def wait(self, timeout: float = 90) -> None:
        _wait_for_cloud(self.url, self.nodes, timeout)

    def kill(self) -> None:
        for process in self.processes:
            process.kill()
            process.wait()

    def close(self) -> None:
        self.kill()
        shutil.rmtree(self.folder, ignore_errors=True)

    def _jvm(self, port: int) -> subprocess.Popen:
        return subprocess.Popen(
            [
                "java",
                f"-Xmx{self.memory}",
                "-jar",
                h2o_jar(),
                "-name",
                f"h2osweep-test-cloud-{os.getpid()}-{self.ports[0]}-{self.starts}",
                "-ip",
                LOOPBACK,
                "-web_ip",
                LOOPBACK,
                "-port",
                str(port),
                "-flatfile",
                self.flatfile,
                "-ice_root",
                os.path.join(self.folder, f"ice{port}-{self.starts}"),
                "-nthreads",
                "1",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )


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
