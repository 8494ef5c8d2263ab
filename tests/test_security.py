"""Security: https with a self-signed certificate (works with --cacert or --insecure, refused
without), basic-auth credentials that only ever come from the environment and end up in no file
the tool writes, and a report that escapes every string it embeds.

The https cluster is a real H2O JVM started here with a Java keystore (`-jks`) made by `openssl`
and `keytool`, and Jetty's hash login (`-hash_login -login_conf`) with an MD5 realm file.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import subprocess
import time
from pathlib import Path

import pandas as pd
import pytest

from h2osweep.cluster import free_port_pair
from tests.conftest import cli as cli_in_process
from tests.conftest import cli_command, run_cli

USERNAME = "sweeper-u7f3a"
PASSWORD = "Pw-9c1e-s3cr3t"
CREDENTIALS = {"H2OSWEEP_USERNAME": USERNAME, "H2OSWEEP_PASSWORD": PASSWORD}
KEYSTORE_PASSWORD = "keystore-pass"
GRID = ["grid", "--param", "units=4", "--param", "layers=1", "--param", "l1=0,0.001,0.002"]


@pytest.fixture(scope="module")
def https_cluster(tmp_path_factory):
    """(url, CA file) of a TLS + basic-auth H2O JVM on 127.0.0.1, stopped after the module."""
    for tool in ("openssl", "keytool", "java"):
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} is not installed")
    folder = tmp_path_factory.mktemp("https")
    keystore = _keystore(folder)
    realm = folder / "realm.properties"
    realm.write_text(f"{USERNAME}: MD5:{hashlib.md5(PASSWORD.encode()).hexdigest()},user\n")
    port = free_port_pair()
    jvm = subprocess.Popen(
        [
            *["java", "-Xmx1g", "-jar", _h2o_jar(), "-ip", "127.0.0.1", "-port", str(port)],
            *["-name", f"https-test-{port}", "-ice_root", str(folder / "ice")],
            *["-jks", str(keystore), "-jks_pass", KEYSTORE_PASSWORD],
            *["-hash_login", "-login_conf", str(realm)],
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"https://127.0.0.1:{port}"
    try:
        _wait_until_up(url, folder / "ca.pem", jvm)
        yield url, str(folder / "ca.pem")
    finally:
        jvm.terminate()
        try:
            jvm.wait(timeout=20)
        except subprocess.TimeoutExpired:
            jvm.kill()
            jvm.wait()


def _keystore(folder: Path) -> Path:
    """A CA, a server certificate for 127.0.0.1 signed by it, and both in a JKS keystore."""

    def run(*command: str) -> None:
        subprocess.run(command, cwd=folder, check=True, capture_output=True)

    subject = ["-nodes", "-newkey", "rsa:2048", "-subj"]
    run("openssl", "req", "-x509", *subject, "/CN=h2osweep test CA", "-keyout", "ca.key",
        "-out", "ca.pem", "-days", "2")  # fmt: skip
    run("openssl", "req", "-x509", *subject, "/CN=another CA", "-keyout", "other-ca.key",
        "-out", "other-ca.pem", "-days", "2")  # fmt: skip
    run("openssl", "req", *subject, "/CN=127.0.0.1", "-keyout", "server.key", "-out", "server.csr")
    (folder / "ext.cnf").write_text(
        "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n"
    )
    run("openssl", "x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
        "-CAcreateserial", "-out", "server.pem", "-days", "2", "-extfile", "ext.cnf")  # fmt: skip
    run("openssl", "pkcs12", "-export", "-in", "server.pem", "-inkey", "server.key",
        "-certfile", "ca.pem", "-name", "h2o", "-out", "server.p12",
        "-passout", f"pass:{KEYSTORE_PASSWORD}")  # fmt: skip
    run("keytool", "-importkeystore", "-noprompt", "-srckeystore", "server.p12",
        "-srcstoretype", "PKCS12", "-srcstorepass", KEYSTORE_PASSWORD,
        "-destkeystore", "keystore.jks", "-deststoretype", "JKS",
        "-deststorepass", KEYSTORE_PASSWORD)  # fmt: skip
    return folder / "keystore.jks"


def _h2o_jar() -> str:
    import h2o

    return str(Path(h2o.__file__).parent / "backend" / "bin" / "h2o.jar")


def _wait_until_up(url: str, cacert: Path, jvm: subprocess.Popen) -> None:
    import requests

    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert jvm.poll() is None, "the https H2O JVM exited while starting"
        with contextlib.suppress(requests.RequestException):
            answer = requests.get(
                f"{url}/3/Cloud", auth=(USERNAME, PASSWORD), verify=str(cacert), timeout=5
            )
            if answer.ok and answer.json().get("cloud_healthy"):
                return
        time.sleep(0.5)
    raise AssertionError(f"the https H2O at {url} did not come up in 120 s")


def _one_line_error(result, fragment: str) -> None:
    assert result.returncode == 2, result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr, result.stderr
    assert fragment in result.stderr, result.stderr
    assert PASSWORD not in result.stderr


@pytest.mark.h2o
@pytest.mark.slow
def test_https_needs_the_ca_or_insecure_and_credentials_reach_no_file(tmp_path, https_cluster):
    url, cacert = https_cluster
    out = tmp_path / "sweep"
    sweep = [*GRID, "--epochs", "1", "--url", url, "--out", str(out)]
    outputs = []

    def cli(*arguments: str, env=CREDENTIALS):
        result = run_cli(*arguments, env=env, timeout=300)
        outputs.extend([result.stdout, result.stderr])
        return result

    untrusted = cli(*sweep)
    _one_line_error(untrusted, "certificate is not trusted; give its CA certificate with --cacert")
    other_ca = str(Path(cacert).with_name("other-ca.pem"))
    _one_line_error(cli(*sweep, "--cacert", other_ca), f"not trusted by the CA in {other_ca}")
    assert not out.exists()
    _one_line_error(
        cli(*sweep, "--cacert", cacert, env={**CREDENTIALS, "H2OSWEEP_PASSWORD": "wrong"}),
        "refused the username and password (HTTP 401)",
    )
    no_login = {k: v for k, v in os.environ.items() if k not in CREDENTIALS}
    result = subprocess.run(
        cli_command(*sweep, "--cacert", cacert),
        env=no_login,
        capture_output=True,
        text=True,
        timeout=300,
    )
    _one_line_error(result, "asks for a login (HTTP 401): set H2OSWEEP_USERNAME")
    assert not out.exists()

    password_only = {**no_login, "H2OSWEEP_PASSWORD": PASSWORD}  # the user named by --username
    swept = cli(*sweep, "--cacert", cacert, "--username", USERNAME, env=password_only)
    assert swept.returncode == 0, swept.stderr
    assert f"to train on {url} " in swept.stderr
    shown = cli("show", str(out))
    assert shown.returncode == 0, shown.stderr
    table = pd.read_csv(out / "results.csv").sort_values("test_mse")
    header, *rows = shown.stdout.splitlines()
    assert header.split()[0] == "name" and "test_mse" in header.split()
    assert [row.split()[0] for row in rows] == list(table["name"])  # g_1..g_3, best first
    column = header.split().index("test_mse")
    shown_mse = [float(row.split()[column]) for row in rows]
    assert shown_mse == pytest.approx(list(table["test_mse"]), abs=1e-6)  # pandas: 6 decimals
    analysed = cli("analyze", str(out), "--out", str(out / "analysis"))
    assert analysed.returncode == 0, analysed.stderr
    optimized = cli("optimize", str(out), "--url", url, "--insecure")
    assert optimized.returncode == 0, optimized.stderr
    assert "Warning" not in optimized.stderr, optimized.stderr
    assert "the spread between seeds" in optimized.stdout

    written = [path for path in out.rglob("*") if path.is_file()]
    names = {path.name for path in written}
    assert {"store.sqlite", "results.csv", "sweep.json", "optimized_best.csv"} <= names
    assert {"report.html", "correlations.csv"} <= names
    for secret in (PASSWORD, USERNAME):
        for path in written:
            assert secret.encode() not in path.read_bytes(), f"{secret!r} is in {path}"
        for text in outputs:
            assert secret not in text


def test_report_escapes_every_string_it_embeds(tmp_path):
    """Column names, a category level, the target and the file name all carry markup."""
    hostile = "<script>alert(1)</script>"
    column = "<img src=x onload=alert(2)>"
    source = tmp_path / "<b onmouseover=alert(3)>.csv"
    rows = [
        f"{i % 4},{['adam', hostile][i % 2]},{(i * 7) % 5},{0.1 * i + (i % 3) / 10:.3f}"
        for i in range(1, 25)
    ]
    source.write_text(f"{column},optimizer,other,<i>loss</i>\n" + "\n".join(rows) + "\n")
    result = cli_in_process("analyze", source, "--target", "<i>loss</i>", "--out", tmp_path)
    assert result.status == 0, result.stderr

    page = (tmp_path / "report.html").read_text()
    for raw in ("<script>alert", "<img src=x", "<b onmouseover", "<i>loss"):  # plotly's own
        assert raw not in page, raw  # inlined <script> tags are the report's, not the data's
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;img src=x onload=alert(2)&gt;" in page
    assert "&lt;i&gt;loss&lt;/i&gt;" in page
    assert "&lt;b onmouseover=alert(3)&gt;.csv" in page
