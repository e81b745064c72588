"""The reverse-proxy set-up of docs/deployment.md, run as printed in a real nginx in front of a real server.

The nginx block is read from the page itself; only what a test machine cannot have is replaced (the certificate
paths, the port 443 and the upstream's port), so a change to the page is a change to what is tested. The limits
it states are checked against the server's own settings, so the page cannot drift from them.
"""

from __future__ import annotations

import os
import re
import shutil
import ssl
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from benchmarks.server import free_port
from guidancekg.api.settings import Settings
from tests.conftest import LiveServer

REPO = Path(__file__).resolve().parents[1]
PAGE = REPO / "docs" / "deployment.md"
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
PUBLIC = "https://guidance.example.org/"

pytestmark = pytest.mark.skipif(NGINX is None, reason="nginx is not installed (.ci/run installs it)")


def _nginx_block() -> str:
    match = re.search(r"```nginx\n(.*?)```", PAGE.read_text(encoding="utf-8"), re.S)
    assert match, "docs/deployment.md has no nginx block"
    return match.group(1)


def _size(value: str) -> int:
    units = {"k": 1024, "m": 1024 * 1024, "g": 1024**3}
    return int(value[:-1]) * units[value[-1].lower()] if value[-1].isalpha() else int(value)


def test_the_proxy_limits_on_the_page_match_the_servers_settings():
    block = _nginx_block()
    settings = Settings()
    sizes = [_size(v) for v in re.findall(r"client_max_body_size (\w+);", block)]
    assert sizes[0] == settings.max_body_bytes, "the general body limit is MAX_CONTENT_LENGTH"
    # An ingest carries two files of at most INGEST_MAX_BYTES each, with the multipart framing around them.
    assert sizes[1] >= 2 * settings.ingest_max_bytes + 64 * 1024
    timeout = re.search(r"proxy_read_timeout (\d+)s;", block)
    assert timeout and int(timeout.group(1)) > settings.sparql_timeout


@pytest.fixture(scope="module")
def proxied(tmp_path_factory: pytest.TempPathFactory):
    """A real server started as the page says (--base the public URL), behind nginx configured from the page."""
    tmp = tmp_path_factory.mktemp("proxy")
    cert, key = tmp / "cert.pem", tmp / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=guidance.example.org",
         "-addext", "subjectAltName=DNS:guidance.example.org,IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True)
    (tmp / "server").mkdir()
    (tmp / "token").write_text("proxy-test-token", encoding="utf-8")
    server = LiveServer(tmp / "server", "--base", PUBLIC, "--ingest-token-file", str(tmp / "token"))
    port = free_port()
    block = (_nginx_block()
             .replace("/etc/ssl/guidance.example.org.pem", str(cert))
             .replace("/etc/ssl/guidance.example.org.key", str(key))
             .replace("listen 443 ssl;", f"listen 127.0.0.1:{port} ssl;")
             .replace("127.0.0.1:8080", f"127.0.0.1:{server.port}"))
    temp = {name: tmp / name for name in ("client", "proxy", "fastcgi", "uwsgi", "scgi")}
    for folder in temp.values():
        folder.mkdir()
    conf = tmp / "nginx.conf"
    # Run as root (as CI does), nginx's workers would drop to "nobody", who cannot write the test's temp folders.
    user = "user root;\n" if os.geteuid() == 0 else ""
    conf.write_text(
        f"{user}daemon off;\npid {tmp / 'nginx.pid'};\nerror_log {tmp / 'error.log'};\nevents {{}}\nhttp {{\n"
        f"access_log off;\nclient_body_temp_path {temp['client']};\nproxy_temp_path {temp['proxy']};\n"
        f"fastcgi_temp_path {temp['fastcgi']};\nuwsgi_temp_path {temp['uwsgi']};\nscgi_temp_path {temp['scgi']};\n"
        f"{block}\n}}\n", encoding="utf-8")
    nginx = subprocess.Popen([NGINX, "-p", str(tmp), "-c", str(conf)], stderr=subprocess.DEVNULL)
    context = ssl.create_default_context(cafile=str(cert))
    url = f"https://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while True:
        try:
            urllib.request.urlopen(url + "/api/sources", context=context, timeout=2).close()
            break
        except OSError as error:  # URLError is an OSError
            if nginx.poll() is not None or time.monotonic() > deadline:
                nginx.kill()
                server.stop()
                log = (tmp / "error.log").read_text(errors="replace") if (tmp / "error.log").exists() else ""
                raise RuntimeError(f"nginx did not answer: {error}\n{log}") from error
            time.sleep(0.2)
    yield url, context
    nginx.terminate()
    nginx.wait(timeout=10)
    server.stop()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _open(url: str, context: ssl.SSLContext, data: bytes | None = None, headers: dict[str, str] | None = None):
    opener = urllib.request.build_opener(urllib.request.HTTPSHandler(context=context), _NoRedirect)
    request = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        return opener.open(request, timeout=30)
    except urllib.error.HTTPError as error:
        return error


def test_the_api_answers_through_the_proxy_over_tls(proxied):
    url, context = proxied
    with _open(url + "/api/guidance?drug=alemtuzumab&on=2019-04-15", context) as response:
        assert response.status == 200
        assert b"alemtuzumab" in response.read()


def test_the_proxy_refuses_a_body_over_the_general_limit_before_the_server(proxied):
    url, context = proxied
    body = b"query=" + b"x" * (Settings().max_body_bytes + 1)
    response = _open(url + "/sparql", context, data=body,
                     headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert response.status == 413
    assert b"nginx" in response.read()  # refused by the proxy, never streamed to the server


def test_redirects_behind_the_proxy_name_the_public_url_not_the_request_host(proxied):
    url, context = proxied
    response = _open(url + "/guidance/alemtuzumab", context,
                     headers={"Accept-Datetime": "Mon, 15 Apr 2019 12:00:00 GMT", "Host": "evil.example"})
    location = response.headers.get("Location", "")
    assert response.status in (301, 302, 303, 307), response.status
    assert location.startswith(PUBLIC), location


def test_an_ingest_body_over_the_general_limit_passes_the_proxy_to_the_server(proxied):
    url, context = proxied
    text = b"x" * (Settings().max_body_bytes * 2)
    boundary = "proxytestboundary"
    # Without a publication date the server refuses the version after reading it: nothing is written.
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"text\"; filename=\"page.txt\"\r\n"
            f"Content-Type: text/plain\r\n\r\n").encode() + text + f"\r\n--{boundary}--\r\n".encode()
    response = _open(url + "/api/sources/mssociety-lemtrada/versions", context, data=body,
                     headers={"Content-Type": f"multipart/form-data; boundary={boundary}",
                              "Authorization": "Bearer proxy-test-token"})
    answer = response.read()
    assert response.status < 500 and response.status != 413, (response.status, answer[:300])
    assert response.headers.get("Content-Type", "").startswith("application/problem+json"), answer[:300]
