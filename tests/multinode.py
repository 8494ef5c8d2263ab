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
    every node) and started again on the same ports. Each node's output goes to a log in its
    folder, so a cloud that does not form says why."""

    def __init__(self, nodes: int = 2, memory: str = "1g") -> None:
        self.nodes, self.memory = nodes, memory
        self.folder = tempfile.mkdtemp(prefix="h2osweep-cloud-")
        self.processes: list[subprocess.Popen] = []
        self.starts = 0
        self._take_ports()

    def start(self, wait: bool = True, timeout: float = 120) -> LoopbackCloud:
        self.starts += 1
        self.processes = [self._jvm(port) for port in self.ports]
        if wait:
            self.wait(timeout)
        return self

    def wait(self, timeout: float = 120) -> None:
        """Wait for the cloud; a first start whose ports were taken meanwhile (a JVM exits, or
        the cloud never forms) is tried once more on fresh ports."""
        try:
            _wait_for_cloud(self, timeout)
        except TimeoutError:
            if self.starts > 1:
                raise
            self._release()
            self._take_ports()
            self.start(wait=False)
            _wait_for_cloud(self, timeout)

    def kill(self) -> None:
        for process in self.processes:
            process.kill()
            process.wait()

    def close(self) -> None:
        self._release()
        shutil.rmtree(self.folder, ignore_errors=True)

    def _release(self) -> None:
        """Kill the nodes and give their ports back to the session."""
        self.kill()
        _TAKEN.difference_update(self.ports)

    def log_tail(self, lines: int = 15) -> str:
        """The last lines each node of the latest start printed."""
        tails = []
        for port in self.ports:
            with contextlib.suppress(OSError), open(self._log(port)) as stream:
                tails.append(f"-- node {port}:\n" + "".join(stream.readlines()[-lines:]))
        return "\n".join(tails)

    def exited(self) -> list[int]:
        return [process.returncode for process in self.processes if process.poll() is not None]

    def _take_ports(self) -> None:
        self.ports = _distinct_port_pairs(self.nodes)
        self.flatfile = os.path.join(self.folder, "flatfile.txt")
        with open(self.flatfile, "w") as stream:
            stream.write("".join(f"{LOOPBACK}:{port}\n" for port in self.ports))
        self.url = f"http://{LOOPBACK}:{self.ports[0]}"

    def _log(self, port: int) -> str:
        return os.path.join(self.folder, f"node{port}-{self.starts}.log")

    def _jvm(self, port: int) -> subprocess.Popen:
        with open(self._log(port), "w") as log:
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
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )


def cloud_size(url: str) -> int:
    with urllib.request.urlopen(f"{url}/3/Cloud", timeout=5) as response:
        return int(json.load(response)["cloud_size"])


def _wait_for_cloud(cloud: LoopbackCloud, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not cloud.exited():
        with contextlib.suppress(OSError, ValueError, KeyError):
            if cloud_size(cloud.url) == cloud.nodes:
                return
        time.sleep(0.5)
    why = f"a JVM exited ({cloud.exited()})" if cloud.exited() else f"not in {timeout} s"
    raise TimeoutError(
        f"{cloud.nodes} H2O nodes did not form a cloud at {cloud.url}: {why}\n{cloud.log_tail()}"
    )


_TAKEN: set[int] = set()  # ports of this session's clouds, kept apart from one another


def _distinct_port_pairs(count: int) -> list[int]:
    ports: list[int] = []
    while len(ports) < count:
        port = free_port_pair()
        if all(abs(port - other) > 1 for other in _TAKEN):
            ports.append(port)
            _TAKEN.add(port)
    return ports
