# SPDX-License-Identifier: GPL-3.0-or-later
"""A production-shaped project of its own: images from a registry that demands a login (htpasswd, as Debian's
docker-registry does it), and the Caddy proxy in front of web (TLS from files, /cable, redirects, forwarded headers)."""
import base64
import hashlib
import http.client
import os
import secrets as random_secrets
import socket
import ssl
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import yaml

from conftest import REPO, playbook, sh

PROXY_VARS_FILE = REPO / "tests" / "e2e" / "vars-proxy.yml"
PV = yaml.safe_load(PROXY_VARS_FILE.read_text())
HOST = PV["chatwoot_proxy_hostname"]
HTTPS = PV["chatwoot_proxy_https_port"]
HTTP = PV["chatwoot_proxy_http_port"]
PROJECT = Path(PV["chatwoot_project_dir"])
PREFIX = PV["chatwoot_container_prefix"]
REGISTRY = PV["chatwoot_image_registry"]
REGISTRY_USER = PV["chatwoot_image_registry_username"]
REGISTRY_CONTAINER = "sinapum-e2e-registry-auth"
REGISTRY_PASSWORD = random_secrets.token_urlsafe(24)


def make_certificate(directory, name):
    cert, key = directory / f"{name}.crt", directory / f"{name}.key"
    sh("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", f"/CN={HOST}",
       "-addext", f"subjectAltName=DNS:{HOST}", "-keyout", str(key), "-out", str(cert))
    return cert, key


def deploy(cert, key, *extra, verbosity=0, password=REGISTRY_PASSWORD):
    return playbook("-e", f"@{PROXY_VARS_FILE}", "-e", f"chatwoot_proxy_tls_certificate={cert}",
                    "-e", f"chatwoot_proxy_tls_key={key}", "-e", f"chatwoot_image_registry_password={password}", *extra,
                    verbosity=verbosity)


def start_auth_registry(directory):
    """The rig's registry storage served again, read-only, by a registry that wants a user and password."""
    hashed = sh("docker", "run", "--rm", "sinapum-rig/caddy:2.6", "caddy", "hash-password",
                "--plaintext", REGISTRY_PASSWORD).stdout.strip()
    htpasswd = directory / "htpasswd"
    htpasswd.write_text(f"{REGISTRY_USER}:{hashed}\n")
    sh("docker", "rm", "-f", "-v", REGISTRY_CONTAINER, check=False)
    sh("docker", "run", "-d", "--name", REGISTRY_CONTAINER, "-p", f"{REGISTRY}:5000",
       "-e", "SINAPUM_REGISTRY_CONFIG=/etc/sinapum-rig/registry/htpasswd.yml",
       "-v", f"{htpasswd}:/auth/htpasswd:ro", "-v", "sinapum-rig-registry-data:/var/lib/docker-registry:ro",
       "sinapum-rig/registry:2")
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(f"http://{REGISTRY}/v2/", timeout=2)
            raise AssertionError("the registry answered without credentials")
        except urllib.error.HTTPError as err:
            if err.code == 401:
                return
            raise
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def forget_the_login():
    sh("docker", "logout", REGISTRY, check=False)


def remove():
    if (PROJECT / "docker-compose.yml").exists():
        sh("docker", "compose", "--project-directory", str(PROJECT), "down", "--volumes", "--remove-orphans", check=False)
    sh("docker", "rm", "-f", "-v", *(f"{PREFIX}_{s}" for s in ("postgres", "redis", "rails", "sidekiq", "proxy")), check=False)
    sh("docker", "network", "rm", PV["chatwoot_network_name"], check=False)
    # The lock's guard file outlives every run (roles/chatwoot/files/chatwoot-lock.sh): the tests' own goes too.
    sh("rm", "-rf", str(PROJECT), PV["chatwoot_state_dir"],
       f"/run/lock/sinapum-chatwoot/{PV['chatwoot_project_name']}.lock.guard")
    # Images named after the login registry, so the next run has to pull (and log in) again.
    names = sh("docker", "images", "--format", "{{.Repository}}:{{.Tag}}").stdout.split()
    ours = [n for n in names if n.startswith(f"{REGISTRY}/")]
    if ours:
        sh("docker", "rmi", *ours, check=False)


@pytest.fixture(scope="module")
def proxied(tmp_path_factory):
    remove()
    forget_the_login()
    certs = tmp_path_factory.mktemp("certs")
    start_auth_registry(certs)
    cert, key = make_certificate(certs, "first")
    run = deploy(cert, key)
    assert run.rc == 0, run
    yield {"dir": certs, "cert": cert, "key": key, "run": run}
    remove()
    forget_the_login()
    sh("docker", "rm", "-f", REGISTRY_CONTAINER, check=False)


def test_images_came_from_the_registry_that_wants_a_login(proxied):
    image = sh("docker", "inspect", "-f", "{{.Config.Image}}", f"{PREFIX}_rails").stdout.strip()
    assert image.startswith(f"{REGISTRY}/chatwoot/chatwoot:"), image
    proxy_image = sh("docker", "inspect", "-f", "{{.Config.Image}}", f"{PREFIX}_proxy").stdout.strip()
    assert proxy_image == f"{REGISTRY}/{PV['chatwoot_proxy_image']}", proxy_image
    assert "Log in to the private registry" in proxied["run"].out


def test_a_wrong_registry_password_stops_with_the_variables_named(proxied):
    forget_the_login()
    before = (PROJECT / "docker-compose.yml").read_bytes()
    run = deploy(proxied["cert"], proxied["key"], password="not-the-password-123")
    assert run.rc != 0, run
    assert "chatwoot_image_registry_password" in run.out and "not-the-password-123" not in run.out, run
    assert (PROJECT / "docker-compose.yml").read_bytes() == before


def tls_context(cafile):
    return ssl.create_default_context(cafile=str(cafile))


def https_get(cafile, path, headers=None):
    # The name is verified against the test's certificate; the address is this machine's loopback.
    conn = http.client.HTTPSConnection("127.0.0.1", HTTPS, context=tls_context(cafile), timeout=10)
    conn.sock = tls_context(cafile).wrap_socket(socket.create_connection(("127.0.0.1", HTTPS), timeout=10),
                                                server_hostname=HOST)
    conn.request("GET", path, headers={"Host": f"{HOST}:{HTTPS}", **(headers or {})})
    resp = conn.getresponse()
    return resp.status, dict(resp.getheaders()), resp.read()


def test_api_through_the_proxy_is_ok_with_the_certificate_given(proxied):
    import json

    status, dummy_headers, body = https_get(proxied["cert"], "/api")
    assert status == 200, body
    data = json.loads(body)
    assert data["data_services"] == "ok" and data["queue_services"] == "ok", data


@pytest.mark.promise("proxy_tells_rails_https")
def test_the_proxy_tells_rails_the_request_came_over_https(proxied):
    # FORCE_SSL is on: web asked directly, without X-Forwarded-Proto, redirects; through the proxy it answers.
    conn = http.client.HTTPConnection("127.0.0.1", PV["chatwoot_rails_port"], timeout=10)
    conn.request("GET", "/api")
    direct = conn.getresponse()
    assert direct.status in (301, 308), direct.status
    assert https_get(proxied["cert"], "/api")[0] == 200


@pytest.mark.promise("proxy_upgrades_websockets")
def test_websocket_upgrade_on_cable_answers_101(proxied):
    key = base64.b64encode(os.urandom(16)).decode()
    raw = socket.create_connection(("127.0.0.1", HTTPS), timeout=10)
    with tls_context(proxied["cert"]).wrap_socket(raw, server_hostname=HOST) as sock:
        sock.sendall((f"GET /cable HTTP/1.1\r\nHost: {HOST}:{HTTPS}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                      f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
                      f"Origin: https://{HOST}:{HTTPS}\r\n\r\n").encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = sock.recv(4096)
            assert chunk, head
            head += chunk
    status_line, *lines = head.split(b"\r\n\r\n", 1)[0].decode().split("\r\n")
    assert status_line.startswith("HTTP/1.1 101"), head
    accept = base64.b64encode(hashlib.sha1((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").encode()).digest()).decode()
    assert f"sec-websocket-accept: {accept}".lower() in (line.lower() for line in lines), head


def test_plain_http_redirects_to_https(proxied):
    conn = http.client.HTTPConnection("127.0.0.1", HTTP, timeout=10)
    conn.request("GET", "/app/login?x=1", headers={"Host": f"{HOST}:{HTTP}"})
    resp = conn.getresponse()
    assert resp.status in (301, 308), resp.status
    assert resp.getheader("Location") == f"https://{HOST}:{HTTPS}/app/login?x=1"


@pytest.mark.promise("registry_password_never_shown")
def test_second_run_changes_nothing_and_never_shows_the_registry_password(proxied):
    deploy(proxied["cert"], proxied["key"])  # logs in again after the wrong-password test
    run = deploy(proxied["cert"], proxied["key"], "--diff", verbosity=3)
    assert run.rc == 0, run
    assert run.changed == 0, run
    assert REGISTRY_PASSWORD not in run.out


@pytest.mark.promise("new_certificate_served")
def test_a_new_certificate_is_served_after_the_next_run(proxied):
    cert, key = make_certificate(proxied["dir"], "second")
    run = deploy(cert, key)
    assert run.rc == 0, run
    raw = socket.create_connection(("127.0.0.1", HTTPS), timeout=10)
    with tls_context(cert).wrap_socket(raw, server_hostname=HOST) as sock:
        served = sock.getpeercert(binary_form=True)
    expected = ssl.PEM_cert_to_DER_cert(cert.read_text())
    assert served == expected
    assert oct((PROJECT / "proxy" / "tls" / "key.pem").stat().st_mode & 0o777) == "0o600"


@pytest.mark.parametrize("extra, named", [
    ("chatwoot_frontend_url=https://other.test:13443", "chatwoot_frontend_url"),
    ("chatwoot_frontend_url=http://chatwoot.test:13443", "chatwoot_frontend_url"),
    ("chatwoot_proxy_tls_certificate=/nonexistent/cert.pem", "chatwoot_proxy_tls_certificate"),
    ("chatwoot_proxy_hostname=bad_host!", "chatwoot_proxy_hostname"),
    ("chatwoot_proxy_https_port=13101", "chatwoot_proxy_https_port"),
    ("chatwoot_proxy_tls=acme", "chatwoot_proxy_acme_email"),
])
def test_bad_proxy_input_stops_before_the_host_is_touched(proxied, extra, named):
    before = {p: p.read_bytes() for p in (PROJECT / "docker-compose.yml", PROJECT / "proxy" / "Caddyfile")}
    ids = sh("docker", "ps", "-q", "--filter", f"name={PREFIX}_").stdout.split()
    run = deploy(proxied["cert"], proxied["key"], "-e", extra)
    assert run.rc != 0, f"{extra} was accepted"
    assert named in run.out, run
    assert {p: p.read_bytes() for p in before} == before
    assert sh("docker", "ps", "-q", "--filter", f"name={PREFIX}_").stdout.split() == ids
