"""Two replicas behind a real nginx (sticky) with a real Redis: a session survives failover."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

pytestmark = [pytest.mark.live, pytest.mark.e2e, pytest.mark.slow]
APPS = Path(__file__).with_name("apps")
NGINX_CONF = """
worker_processes 1;
{user}
error_log {dir}/error.log warn;
pid {dir}/nginx.pid;
events {{ worker_connections 256; }}
http {{
    access_log off;
    client_body_temp_path {dir}/body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    map $http_upgrade $connection_upgrade {{ default upgrade; '' close; }}
    upstream fluxlit {{
        ip_hash;
        server 127.0.0.1:{a} max_fails=1 fail_timeout=30s;
        server 127.0.0.1:{b} max_fails=1 fail_timeout=30s;
    }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://fluxlit;
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
            proxy_set_header Host $http_host;
            proxy_next_upstream error timeout http_502;
            proxy_read_timeout 300s;
        }}
    }}
}}
"""


def _need(path: str | None, what: str) -> str:
    if path and Path(path).exists():
        return path
    message = f"{what} is not installed; run `bash tests/setup/system.sh`"
    if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
        pytest.fail(message)
    pytest.skip(message)


def _wait(url: str, process: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, f"{process.args} exited with {process.returncode}"
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"{url} not ready")


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[dict[str, object]]:
    redis_server = _need(shutil.which("redis-server"), "redis-server")
    nginx = _need(shutil.which("nginx") or "/usr/sbin/nginx", "nginx")
    ports = {}
    for name in ("redis", "a", "b", "nginx"):
        import socket

        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            ports[name] = sock.getsockname()[1]
    processes: list[subprocess.Popen[bytes]] = []
    redis = subprocess.Popen(
        [redis_server, "--port", str(ports["redis"]), "--bind", "127.0.0.1", "--save", ""],
        stdout=subprocess.DEVNULL,
    )
    processes.append(redis)
    replicas = {}
    for name in ("a", "b"):
        env = {
            **os.environ,
            "PYTHONPATH": str(APPS),
            "REPLICA": name,
            "REPLICA_REDIS_URL": f"redis://127.0.0.1:{ports['redis']}/0",
            "FLUXLIT_NO_PIDFILE": "1",
            "FLUXLIT_RUNTIME_MODE": "inprocess",
        }
        command = [
            sys.executable,
            "-m",
            "fluxlit.cli",
            "run",
            "replica_app:app",
            "--port",
            str(ports[name]),
        ]
        replicas[name] = subprocess.Popen(
            command, cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        processes.append(replicas[name])
    for name in ("a", "b"):
        _wait(f"http://127.0.0.1:{ports[name]}/api/readyz", replicas[name])
    for folder in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (tmp_path / folder).mkdir()
    conf = tmp_path / "nginx.conf"
    user = "user root;" if os.geteuid() == 0 else ""
    conf.write_text(
        NGINX_CONF.format(user=user, dir=tmp_path, a=ports["a"], b=ports["b"], port=ports["nginx"])
    )
    proxy = subprocess.Popen([nginx, "-p", str(tmp_path), "-c", str(conf), "-g", "daemon off;"])
    processes.append(proxy)
    _wait(f"http://127.0.0.1:{ports['nginx']}/api/healthz", proxy)
    yield {"url": f"http://127.0.0.1:{ports['nginx']}/", "replicas": replicas}
    for process in reversed(processes):
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def test_session_survives_losing_its_replica(stack: dict[str, object], browser) -> None:
    replicas: dict[str, subprocess.Popen[bytes]] = stack["replicas"]  # type: ignore[assignment]
    page = browser.new_page()
    page.goto(str(stack["url"]))
    page.get_by_text("Replica:").wait_for(timeout=30_000)
    first = page.get_by_text("Replica:").inner_text().split(":")[1].strip()
    field = page.get_by_label("Note")
    field.fill("remember me")
    field.press("Enter")
    page.get_by_text("Saved note: remember me").wait_for(timeout=15_000)
    page.wait_for_function("window.location.search.includes('fluxlit_sid=')", timeout=15_000)
    session_url = page.url

    replicas[first].send_signal(signal.SIGTERM)
    replicas[first].wait(timeout=30)

    page.goto(session_url)
    page.get_by_text("Saved note: remember me").wait_for(timeout=30_000)
    second = page.get_by_text("Replica:").inner_text().split(":")[1].strip()
    page.close()
    assert {first, second} == {"a", "b"}, "the reload landed on the other replica"
