"""Two replicas behind a real nginx (sticky) with a real Redis: a session survives failover."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers.ci import require_program
from tests.helpers.net import free_port, wait_for_200
from tests.helpers.servers import stop_process

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


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[dict[str, object]]:
    redis_server = require_program("redis-server")
    nginx = require_program("nginx", "/usr/sbin/nginx")
    ports = {name: free_port() for name in ("redis", "a", "b", "nginx")}
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
        wait_for_200(f"http://127.0.0.1:{ports[name]}/api/readyz", process=replicas[name])
    for folder in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (tmp_path / folder).mkdir()
    conf = tmp_path / "nginx.conf"
    user = "user root;" if os.geteuid() == 0 else ""
    conf.write_text(
        NGINX_CONF.format(user=user, dir=tmp_path, a=ports["a"], b=ports["b"], port=ports["nginx"])
    )
    proxy = subprocess.Popen([nginx, "-p", str(tmp_path), "-c", str(conf), "-g", "daemon off;"])
    processes.append(proxy)
    wait_for_200(f"http://127.0.0.1:{ports['nginx']}/api/healthz", process=proxy)
    yield {"url": f"http://127.0.0.1:{ports['nginx']}/", "replicas": replicas}
    for process in reversed(processes):
        stop_process(process)


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
