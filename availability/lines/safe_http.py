"""The one HTTP session every call to a line goes through, hardened against a line URL (typed by a
user) being turned on the servers around us (SSRF):

- http and https only, no redirects (the caller refuses them), no proxies from the environment;
- the host is resolved once, every address it resolves to is checked, and the connection goes to
  the checked address (a name can't resolve to a safe address for the check and another for the
  connection: no DNS rebinding); TLS still verifies the name;
- link-local (cloud metadata: 169.254.169.254, fd00:ec2::254), unspecified, multicast and reserved
  addresses are always refused; private and loopback ranges only when the operator allows them
  (LINE_ALLOW_PRIVATE_NETWORKS: on for the local/demo set-up, off by default);
- a whole call (connect, headers, body) has a deadline, so a server that trickles bytes forever
  can't hold a worker, and an answer larger than MAX_BODY is cut off;
- the password BlueBubbles takes in the URL is masked in urllib3's request log.

A connection is kept between calls to the same line (kept_session): no new TCP, and for a hosted
line TLS, handshake per call. It goes to the address that was checked when it was opened.

requests-hardened does most of this, but its filter allows private networks only all together with
link-local ones; a BlueBubbles Mac on the office LAN must be reachable while metadata never is.
"""

import ipaddress
import logging
import os
import re
import socket
import threading
import time
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import NewConnectionError

MAX_BODY = 1024 * 1024
# How long a connection to a line may sit idle and still be used again. Servers close idle ones
# (Node, so BlueBubbles, after 5 s): a call sent just as the server closes would fail.
KEEP_IDLE_SECONDS = 2.0
SECRET_IN_URL = re.compile(r"((?:password|token|key)=)[^&\s\"]+", re.IGNORECASE)


class _MaskSecretsInUrls(logging.Filter):
    """urllib3 logs every request's URL at DEBUG, and BlueBubbles wants its password there."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = SECRET_IN_URL.sub(r"\1***", record.getMessage()), None
        return True


logging.getLogger("urllib3.connectionpool").addFilter(_MaskSecretsInUrls())
# Never a line, whatever the operator allows: the cloud metadata services and their kin.
ALWAYS_REFUSED = [
    ipaddress.ip_network(n)
    for n in (
        "169.254.0.0/16",
        "fe80::/10",
        "100.100.100.200/32",
        "fd00:ec2::254/128",
        "0.0.0.0/8",
        "::/128",
    )
]


# Where an office's own servers live: allowed only when the operator says so.
PRIVATE = [
    ipaddress.ip_network(n)
    for n in (
        "10.0.0.0/8",
        "172.16.0.0/12",
        "192.168.0.0/16",
        "100.64.0.0/10",
        "fc00::/7",
    )
]


class ForbiddenAddress(NewConnectionError):
    """The line's host resolves to an address lines may not use (raised before connecting)."""

    def __init__(self, conn, message: str):
        super().__init__(conn, message)
        self.reason_text = message


def refusal(host: str, ip: ipaddress.IPv4Address | ipaddress.IPv6Address, allow_private: bool) -> str | None:
    """Why lines may not call `ip` (which `host` resolved to), or None when they may."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    never = f"{host} resolves to {ip}, an address lines may never use"
    if any(ip in net for net in ALWAYS_REFUSED) or ip.is_link_local or ip.is_multicast or ip.is_unspecified:
        return never
    if ip.is_loopback or any(ip in net for net in PRIVATE):
        return (
            None
            if allow_private
            else (
                f"{host} resolves to {ip}, a private or loopback address; the operator has not allowed "
                "lines on private networks (LINE_ALLOW_PRIVATE_NETWORKS)"
            )
        )
    return None if ip.is_global else never  # reserved, documentation and other special ranges


class Guard:
    """A session's policy, and the sockets it has open (to cut the call in progress at its deadline)."""

    def __init__(self, allow_private: bool):
        self.allow_private = allow_private
        self.sockets: list[socket.socket] = []
        self.cut_off = False

    def new_call(self) -> None:
        self.cut_off = False
        self.sockets = [sock for sock in self.sockets if sock.fileno() != -1]  # forget closed ones

    def checked_address(self, conn, host: str, port: int) -> str:
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except socket.gaierror as exc:
            raise NewConnectionError(conn, f"could not resolve {host}") from exc
        addresses = [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]
        for ip in addresses:  # all of them: a name with one bad address is refused outright
            why = refusal(host, ip, self.allow_private)
            if why:
                raise ForbiddenAddress(conn, why)
        return str(addresses[0])

    def cut(self) -> None:
        """The deadline passed: wake whatever read is blocked on this call's sockets."""
        self.cut_off = True
        for sock in self.sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


class _Checked:
    guard: Guard  # set on the per-session subclasses below

    def _new_conn(self):
        ip = self.guard.checked_address(self, self._dns_host, self.port)
        name, self._dns_host = self._dns_host, ip  # connect to the address that was checked
        try:
            sock = super()._new_conn()
        finally:
            self._dns_host = name  # TLS verifies, and Host: names, the host as written
        self.guard.sockets.append(sock)
        return sock


class _GuardedAdapter(HTTPAdapter):
    def __init__(self, guard: Guard):
        self.guard = guard
        super().__init__(max_retries=0)

    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, **kwargs)
        # Pools whose connections carry this call's guard (urllib3 has no per-connection hook).
        extra = {"guard": self.guard}
        self.poolmanager.pool_classes_by_scheme = {
            "http": type(
                "GuardedHTTPPool",
                (HTTPConnectionPool,),
                {"ConnectionCls": type("GuardedHTTPConnection", (_Checked, HTTPConnection), extra)},
            ),
            "https": type(
                "GuardedHTTPSPool",
                (HTTPSConnectionPool,),
                {"ConnectionCls": type("GuardedHTTPSConnection", (_Checked, HTTPSConnection), extra)},
            ),
        }


class LineSession(requests.Session):
    """A session for calls to a line, one at a time: the guard's policy, and `deadline` seconds for
    all of each call."""

    def __init__(self, *, allow_private: bool, deadline: float):
        super().__init__()
        self.trust_env = False  # no HTTP(S)_PROXY: the checked address must be the one we reach
        self.guard, self.deadline = Guard(allow_private), deadline
        self.last_used = time.monotonic()
        self.adapters.clear()
        adapter = _GuardedAdapter(self.guard)
        self.mount("http://", adapter)
        self.mount("https://", adapter)

    def request(self, method, url, **kwargs):
        self.guard.new_call()
        timer = threading.Timer(self.deadline, self.guard.cut)
        timer.daemon = True
        timer.start()
        try:
            response = super().request(method, url, stream=True, **kwargs)
            body = bytearray()
            for chunk in response.iter_content(64 * 1024):
                body += chunk
                if len(body) > MAX_BODY:
                    response.close()
                    raise requests.ConnectionError("the line's answer was too large")
            if self.guard.cut_off:  # cut mid-headers, http.client may take the stump as an answer
                raise requests.Timeout(f"no complete answer within {self.deadline:g} s")
            response._content = bytes(body)
            return response
        except requests.RequestException:
            if self.guard.cut_off:
                raise requests.Timeout(f"no complete answer within {self.deadline:g} s") from None
            raise
        finally:
            timer.cancel()
            if self.guard.cut_off:
                self.close()  # its connections were shut down: the next call opens a new one
            self.last_used = time.monotonic()


_kept = threading.local()


def kept_session(url: str, *, allow_private: bool, deadline: float) -> LineSession:
    """This thread's session for the line at `url`, whose connection is kept between calls. Per
    thread, as a session makes one call at a time; per process, as a forked child must not talk
    over its parent's connections. Sessions idle past KEEP_IDLE_SECONDS are closed, not reused."""
    if getattr(_kept, "pid", None) != os.getpid():
        _kept.pid, _kept.sessions = os.getpid(), {}
    now = time.monotonic()
    for key, session in list(_kept.sessions.items()):
        if now - session.last_used > KEEP_IDLE_SECONDS:
            session.close()
            del _kept.sessions[key]
    parts = urlsplit(url)
    key = (parts.scheme, parts.netloc, allow_private, deadline)
    if key not in _kept.sessions:
        _kept.sessions[key] = LineSession(allow_private=allow_private, deadline=deadline)
    return _kept.sessions[key]


def close_kept_sessions() -> None:
    """Close this thread's kept sessions (the thread is ending)."""
    if getattr(_kept, "pid", None) == os.getpid():
        for session in _kept.sessions.values():
            session.close()
        _kept.sessions = {}


def forbidden_reason(exc: requests.ConnectionError) -> str | None:
    """The refusal behind a ConnectionError, if the line's address was refused."""
    reason = getattr(exc.args[0] if exc.args else None, "reason", None)
    return reason.reason_text if isinstance(reason, ForbiddenAddress) else None
