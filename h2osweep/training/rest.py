"""The sweep's frequent REST calls to H2O (job status, model output, scoring, deletion) over a
kept-alive HTTP session, one per thread.

The h2o client opens a new connection and rereads the proxy environment for every request,
which costs client CPU a kept-alive session saves (benchmarks/README.md). A sweep sends about
14 requests per model while the builds need every core, so these go
through a `requests.Session` built from the h2o connection's own URL, credentials, certificate
and proxy settings; anything rarer (starting a build, uploads) stays with the h2o client.
"""

from __future__ import annotations

import contextlib
import os
import threading

_sessions = threading.local()
CONNECT_SECONDS = 10  # a host that vanished (no refusal) is a lost cluster after this long
GATEWAY_ERRORS = (502, 503, 504)  # a proxy in front of a cluster that is gone


class H2ORequestError(RuntimeError):
    """H2O answered a request with an error status; the message is H2O's own."""


def get(path: str) -> dict:
    """GET `path` (e.g. "/3/Jobs/key") on the connected cluster; the answer's JSON."""
    return _call("GET", path)


def post(path: str, form: dict | None = None) -> dict:
    """POST `path` with `form` as its url-encoded body; the answer's JSON."""
    return _call("POST", path, form)


def delete(path: str) -> dict:
    """DELETE `path`; the answer's JSON."""
    return _call("DELETE", path)


def base_url() -> str:
    """The URL this thread's requests go to."""
    return _session()[1]


def _call(method: str, path: str, form: dict | None = None) -> dict:
    """One request; a failure to connect or to read the answer becomes ConnectionError, an H2O
    error H2ORequestError."""
    import requests

    session, base_url, timeout = _session()
    timeout = (CONNECT_SECONDS, None) if timeout is None else timeout  # reads may take long
    try:
        answer = session.request(method, base_url + path, data=form, timeout=timeout)
    except requests.RequestException as error:  # refused, timed out, or cut off mid-answer
        raise ConnectionError(f"{method} {path}: {error}") from error
    if answer.status_code in GATEWAY_ERRORS:
        raise ConnectionError(f"{method} {path}: HTTP {answer.status_code} {answer.reason}")
    if answer.status_code >= 400:
        raise H2ORequestError(_h2o_error(method, path, answer))
    return answer.json()


@contextlib.contextmanager
def bound(connection):
    """Send this thread's requests to `connection` (one cluster of a pool) instead of the h2o
    client's current connection, for the duration of the block."""
    previous = getattr(_sessions, "bound", None)
    _sessions.bound = connection
    try:
        yield
    finally:
        _sessions.bound = previous


def forget(connection) -> None:
    """Drop this thread's kept-alive session to `connection` (its cluster was restarted)."""
    session = _cached().pop(id(connection), (None, None))[1]
    if session is not None:
        session.close()


def _session():
    """This thread's session for its bound connection, else the h2o client's current one."""
    import h2o

    connection = getattr(_sessions, "bound", None) or h2o.connection()
    cached = _cached()
    known, session = cached.get(id(connection), (None, None))
    if known is not connection:
        if session is not None:
            session.close()
        session = _new_session(connection)
        cached[id(connection)] = (connection, session)
    return session, connection.base_url, connection.timeout_interval


def _cached() -> dict:
    """This thread's sessions: {id(connection): (connection, session)}."""
    if not hasattr(_sessions, "cache"):
        _sessions.cache = {}
    return _sessions.cache


def _new_session(connection):
    """A session with the connection's headers, credentials, certificate check and proxies.

    Proxies and the CA bundle are read from the environment once, as requests would on every
    request; the per-request environment lookup is what the session saves.
    """
    import requests

    settings = connection._request_args()  # the h2o client's own per-request settings
    session = requests.Session()
    session.trust_env = False
    session.headers.update({k: v for k, v in settings["headers"].items() if v is not None})
    session.auth = settings["auth"]
    session.proxies = settings["proxies"] or requests.utils.get_environ_proxies(connection.base_url)
    verify = settings["verify"]
    if verify is True:
        verify = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or True
    session.verify = verify
    return session


def _h2o_error(method: str, path: str, answer) -> str:
    """H2O's message for a failed request (its JSON `msg`), else the HTTP status."""
    try:
        body = answer.json()
        message = body.get("exception_msg") or body.get("msg")
    except ValueError:
        message = None
    return f"{method} {path}: {message or f'HTTP {answer.status_code} {answer.reason}'}"
