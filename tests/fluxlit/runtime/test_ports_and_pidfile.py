"""A busy port and a live server's PID file stop `fluxlit run` before it starts."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from fluxlit.errors import UserError
from fluxlit.runtime.pidfile import (
    PidFileInUseError,
    read_pid,
    remove_pidfile,
    write_pidfile,
)
from fluxlit.runtime.ports import PortError, check_port_free
from tests.helpers.cli import FLUXLIT, run_fluxlit
from tests.helpers.net import free_port, wait_for_200

APP = (
    "from fluxlit import FluxLit\n\napp = FluxLit(title='Ports')\n\n\n"
    "@app.page('/')\ndef home(st, client):\n    st.write('home')\n"
)


@pytest.fixture
def listener() -> Iterator[int]:
    """A port some other program listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield int(sock.getsockname()[1])


@pytest.fixture
def other_process() -> Iterator[int]:
    """The PID of a live process that is not this one."""
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    yield child.pid
    child.kill()
    child.wait()


def test_a_busy_port_is_a_user_error_naming_the_flag(listener: int) -> None:
    with pytest.raises(PortError) as caught:
        check_port_free("127.0.0.1", listener)
    assert str(caught.value) == (
        f"--port {listener}: 127.0.0.1:{listener} is already in use; stop the other server "
        "(fluxlit shutdown) or choose another --port"
    )
    assert isinstance(caught.value, UserError)


def test_a_free_port_and_port_zero_pass(unused_port: int) -> None:
    check_port_free("127.0.0.1", unused_port)
    check_port_free("0.0.0.0", unused_port)
    check_port_free("127.0.0.1", 0)


def test_an_address_of_another_machine_is_refused(unused_port: int) -> None:
    with pytest.raises(PortError, match=r"--host 192\.0\.2\.1: not an address of this machine"):
        check_port_free("192.0.2.1", unused_port)


def test_a_live_servers_pid_file_is_never_replaced_or_removed(
    tmp_path: Path, other_process: int
) -> None:
    path = tmp_path / ".fluxlit.pid"
    path.write_text(f"{other_process}\n")
    with pytest.raises(PidFileInUseError, match=rf"still running \(PID {other_process}\)"):
        write_pidfile(path)
    remove_pidfile(path)
    assert read_pid(path) == other_process


def test_a_stale_pid_file_is_replaced_and_ours_removed(tmp_path: Path) -> None:
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    path = tmp_path / ".fluxlit.pid"
    path.write_text(f"{gone.pid}\n")
    write_pidfile(path)
    assert read_pid(path) == os.getpid()
    remove_pidfile(path)
    assert not path.exists()


@pytest.mark.slow
def test_run_on_a_busy_port_says_so_before_the_banner(
    clean_fluxlit_env: Path, listener: int
) -> None:
    (clean_fluxlit_env / "app.py").write_text(APP)
    result = run_fluxlit(clean_fluxlit_env, "run", "--port", str(listener))
    assert result.returncode == 2, result.stderr
    assert result.stdout == ""  # no "UI http://..." banner for a server that never starts
    assert result.stderr == (
        f"error: --port {listener}: 127.0.0.1:{listener} is already in use; stop the other "
        "server (fluxlit shutdown) or choose another --port\n"
    )
    assert not (clean_fluxlit_env / ".fluxlit.pid").exists()


@pytest.mark.slow
def test_a_second_run_in_the_same_folder_leaves_the_first_one_stoppable(
    clean_fluxlit_env: Path,
) -> None:
    (clean_fluxlit_env / "app.py").write_text(APP)
    port = free_port()
    first = subprocess.Popen(
        [FLUXLIT, "run", "--port", str(port)],
        cwd=clean_fluxlit_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        wait_for_200(f"http://127.0.0.1:{port}/api/healthz", process=first)
        pidfile = clean_fluxlit_env / ".fluxlit.pid"
        assert read_pid(pidfile) == first.pid

        same_port = run_fluxlit(clean_fluxlit_env, "run", "--port", str(port))
        assert same_port.returncode == 2 and "is already in use" in same_port.stderr
        other_port = run_fluxlit(clean_fluxlit_env, "run", "--port", str(free_port()))
        assert other_port.returncode == 2
        assert other_port.stderr == (
            f"error: .fluxlit.pid: a FluxLit server started here is still running "
            f"(PID {first.pid}); stop it with `fluxlit shutdown`, or give this one its own "
            "--pidfile (or --no-pidfile)\n"
        )
        assert read_pid(pidfile) == first.pid

        stopped = run_fluxlit(clean_fluxlit_env, "shutdown")
        assert stopped.returncode == 0, stopped.stderr
        assert first.wait(timeout=30) is not None and not pidfile.exists()
    finally:
        if first.poll() is None:
            os.killpg(first.pid, signal.SIGKILL)
            first.wait()


def test_names_resolve_like_uvicorn_binds_them(listener: int, unused_port: int) -> None:
    with pytest.raises(PortError, match="is already in use"):
        check_port_free("localhost", listener)  # IPv4, as Uvicorn binds "localhost"
    check_port_free("localhost", unused_port)
    with pytest.raises(PortError, match=r"--host no-such-host\.invalid: not an address"):
        check_port_free("no-such-host.invalid", unused_port)
