"""Two replicas behind a real nginx (sticky) with a real Redis: a session survives failover."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.helpers.ci import require_program
from tests.helpers.cli import run_fluxlit
from tests.helpers.net import free_port, wait_for_200
from tests.helpers.servers import stop_process

pytestmark = [pytest.mark.live, pytest.mark.e2e, pytest.mark.slow]
APPS = Path(__file__).with_name("apps")
# What the nginx image's own nginx.conf does around conf.d/*.conf, with writable paths.
NGINX_MAIN = """
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
    include {dir}/default.conf;
}}
"""


def shipped_nginx_conf(out_dir: Path, redis_url: str) -> str:
    """The nginx.conf `fluxlit build --compose` writes for the replica app."""
    command = ["build", "replica_app:app", "--compose", "--output", str(out_dir)]
    env = {**os.environ, "REPLICA_REDIS_URL": redis_url, "REPLICA": "build"}
    result = run_fluxlit(APPS, *command, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    return (out_dir / "nginx.conf").read_text()


def local_addresses(conf: str, replicas: dict[str, int], port: int) -> str:
    """``conf`` with compose's service names and listen port swapped for loopback ports.

    Nothing else changes: the test runs the stickiness and WebSocket rules we ship.
    """
    names = iter(replicas.values())
    conf, servers = re.subn(
        r"^(\s+server )app-\d+:8000 ", lambda m: f"{m[1]}127.0.0.1:{next(names)} ", conf, flags=re.M
    )
    conf, listens = re.subn(r"^(\s+listen )8080;", rf"\g<1>127.0.0.1:{port};", conf, flags=re.M)
    assert (servers, listens) == (len(replicas), 1), conf
    return conf


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
    shipped = shipped_nginx_conf(tmp_path / "deploy", f"redis://127.0.0.1:{ports['redis']}/0")
    local = local_addresses(shipped, {n: ports[n] for n in ("a", "b")}, ports["nginx"])
    (tmp_path / "default.conf").write_text(local)
    conf = tmp_path / "nginx.conf"
    user = "user root;" if os.geteuid() == 0 else ""
    conf.write_text(NGINX_MAIN.format(user=user, dir=tmp_path))
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
    (other,) = {"a", "b"} - {first}
    # Without a reload, the page stays as it was; the next interaction runs the page on the
    # other replica, whose new session restores what the URL session saved in Redis (over
    # the value typed while the replica was gone).
    field.fill("typed during the failover")
    field.press("Enter")
    page.get_by_text(f"Replica: {other}").wait_for(timeout=30_000)
    page.get_by_text("Saved note: remember me").wait_for(timeout=15_000)

    page.goto(session_url)  # a reload: no widget state left, the URL session is in Redis
    page.get_by_text("Saved note: remember me").wait_for(timeout=30_000)
    second = page.get_by_text("Replica:").inner_text().split(":")[1].strip()
    page.close()
    assert second == other, "the reload landed on the other replica"


def test_nginx_keeps_a_browser_on_one_replica_and_spreads_browsers(
    stack: dict[str, object],
) -> None:
    url = f"{stack['url']}api/replica"
    with httpx.Client() as browser:
        seen = {browser.get(url).json()["replica"] for _ in range(10)}
        assert "fluxlit_route" in browser.cookies
    assert len(seen) == 1, "every request of a browser (its cookie) reaches one replica"
    first_visits = {httpx.get(url).json()["replica"] for _ in range(30)}
    assert first_visits == {"a", "b"}, "new browsers are spread over the replicas"
