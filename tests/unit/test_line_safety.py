"""SSRF and slow-server defences of the session every line call uses (availability/lines/safe_http.py).
Names are made to resolve to each forbidden range; the tests prove no connection is attempted."""

import ipaddress
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import urllib3.util.connection

from availability.lines import LineConfig, client_for
from availability.lines.safe_http import refusal
from availability.outcomes import Outcome

NEVER = [
    "169.254.169.254",
    "169.254.1.1",
    "fe80::1",
    "fd00:ec2::254",
    "100.100.100.200",
    "0.0.0.0",
    "::",
    "224.0.0.1",
    "::ffff:169.254.169.254",
    "240.0.0.1",
]
PRIVATE = ["127.0.0.1", "::1", "10.1.2.3", "172.16.0.9", "192.168.1.20", "fc00::1", "100.64.0.1", "::ffff:10.0.0.1"]


@pytest.mark.parametrize("ip", NEVER)
def test_metadata_link_local_and_reserved_are_never_allowed(ip):
    for allow_private in (False, True):
        assert "never" in refusal("h", ipaddress.ip_address(ip), allow_private)


@pytest.mark.parametrize("ip", PRIVATE)
def test_private_and_loopback_only_when_the_operator_allows(ip):
    assert "LINE_ALLOW_PRIVATE_NETWORKS" in refusal("h", ipaddress.ip_address(ip), False)
    assert refusal("h", ipaddress.ip_address(ip), True) is None


def test_public_addresses_are_allowed():
    assert refusal("h", ipaddress.ip_address("93.184.216.34"), False) is None


@pytest.fixture
def resolve_to(monkeypatch):
    """Make every name resolve to the given addresses, and record what gets connected to."""
    connected = []
    real_connect = urllib3.util.connection.create_connection

    def resolve(*ips):
        def getaddrinfo(host, port, *args, **kwargs):
            return [
                (
                    socket.AF_INET6 if ":" in ip else socket.AF_INET,
                    socket.SOCK_STREAM,
                    6,
                    "",
                    (ip, port) if ":" not in ip else (ip, port, 0, 0),
                )
                for ip in ips
            ]

        monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)

    def create_connection(address, *args, **kwargs):
        connected.append(address[0])
        return real_connect(address, *args, **kwargs)

    monkeypatch.setattr(urllib3.util.connection, "create_connection", create_connection)
    resolve.connected = connected
    return resolve


@pytest.mark.parametrize("ip", NEVER + PRIVATE)
def test_a_line_name_resolving_to_a_forbidden_address_is_never_called(resolve_to, ip):
    resolve_to(ip)
    allow_private = ip in NEVER  # even with private networks allowed, these stay refused
    for provider in ("bluebubbles", "linq"):
        client = client_for(LineConfig(provider, "https://line.example.com", "pw"), allow_private=allow_private)
        result = client.check("+12025550142")
        assert result.outcome is Outcome.LINE_UNHEALTHY and "line.example.com resolves to" in result.detail
        assert not client.send("+12025550142", "hi", "imessage").sent
    assert resolve_to.connected == []


def test_one_forbidden_address_among_several_refuses_the_name(resolve_to):
    resolve_to("93.184.216.34", "169.254.169.254")
    result = client_for(LineConfig("linq", "http://line.example.com", "k")).check("+12025550142")
    assert result.outcome is Outcome.LINE_UNHEALTHY and resolve_to.connected == []


class Recorder(BaseHTTPRequestHandler):
    hits = []

    def do_POST(self):
        Recorder.hits.append(self.headers.get("Host"))
        body = b'{"available": true}'
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def loopback_server():
    Recorder.hits = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    yield server.server_address[1]
    server.shutdown()


def test_loopback_is_not_reached_unless_allowed(resolve_to, loopback_server):
    resolve_to("127.0.0.1")
    url = f"http://line.example.com:{loopback_server}"
    assert client_for(LineConfig("linq", url, "k")).check("+12025550142").outcome is Outcome.LINE_UNHEALTHY
    assert Recorder.hits == []
    answer = client_for(LineConfig("linq", url, "k"), allow_private=True).check("+12025550142")
    assert answer.outcome is Outcome.AVAILABLE
    # Connected to the address that was checked, with the name kept for the Host header.
    assert resolve_to.connected == ["127.0.0.1"] and Recorder.hits == [f"line.example.com:{loopback_server}"]


def test_the_name_is_resolved_once_so_it_cannot_rebind(monkeypatch, loopback_server):
    answers = iter([["127.0.0.1"], ["169.254.169.254"]])  # a second lookup would get metadata
    lookups = []
    real_getaddrinfo = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if host != "rebind.example.com":
            return real_getaddrinfo(host, port, *args, **kwargs)  # an address stays itself
        lookups.append(host)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (ip, port)) for ip in next(answers)]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    url = f"http://rebind.example.com:{loopback_server}"
    client = client_for(LineConfig("linq", url, "k"), allow_private=True)
    assert client.check("+1202555014").outcome is Outcome.AVAILABLE
    assert lookups == ["rebind.example.com"]


def test_only_http_and_https(resolve_to):
    for url in ("file:///etc/passwd", "gopher://line.example.com/", "ftp://line.example.com/"):
        assert client_for(LineConfig("linq", url, "k")).check("+12025550142").outcome is not Outcome.AVAILABLE
    assert resolve_to.connected == []


class Trickler(BaseHTTPRequestHandler):
    """Answers a byte at a time, forever: in the headers, or in the body."""

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        try:
            if self.path.startswith("/headers"):
                self.wfile.write(b"HTTP/1.1 200 OK\r\n")
                while True:
                    self.wfile.write(b"X")
                    self.wfile.flush()
                    time.sleep(0.1)
            self.send_response(200)
            self.send_header("Content-Length", "1000000")
            self.end_headers()
            while True:
                self.wfile.write(b" ")
                self.wfile.flush()
                time.sleep(0.1)
        except OSError:
            pass

    def log_message(self, *args):
        pass


@pytest.mark.parametrize("where", ["headers", "body"])
def test_a_server_that_trickles_forever_is_cut_off_at_the_deadline(where):
    server = ThreadingHTTPServer(("127.0.0.1", 0), Trickler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/{where}"
        client = client_for(LineConfig("linq", url, "k"), read_timeout=0.5, deadline=1.5, allow_private=True)
        started = time.monotonic()
        result = client.check("+12025550142")
        assert result.outcome is Outcome.TRANSIENT and "timed out" in result.detail
        assert time.monotonic() - started < 10  # the server trickles for ever: the deadline ended it
    finally:
        server.shutdown()
