"""Runtime helpers: loading targets, ports, upstream state, PID files, mode choice."""

from __future__ import annotations

import asyncio
import gc
import os
import subprocess
import sys
from pathlib import Path

import pytest

from fluxlit.runtime import (
    choose_mode,
    default_pidfile_path,
    find_free_port,
    internal_api_base_url,
    load_fluxlit,
    read_streamlit_upstream_url,
    resolve_import_target_for_unified,
    shutdown_unified_process,
    update_streamlit_upstream_file,
    write_streamlit_upstream_state,
)

APPS = Path(__file__).with_name("apps")


@pytest.fixture
def apps(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(APPS))


def test_load_fluxlit_and_its_errors(apps) -> None:
    assert load_fluxlit("slowapp:app").settings.title == "Lifecycle"
    with pytest.raises(ValueError, match="module:attribute"):
        load_fluxlit("slowapp")
    with pytest.raises(ModuleNotFoundError, match="PYTHONPATH"):
        load_fluxlit("no_such_module_xyz:app")
    with pytest.raises(AttributeError, match="missing"):
        load_fluxlit("slowapp:missing")
    with pytest.raises(TypeError, match="not a FluxLit"):
        load_fluxlit("slowapp:not_fluxlit")


def test_resolve_import_target_order(apps, clean_fluxlit_env: Path, monkeypatch) -> None:
    from fluxlit import FluxLit

    assert resolve_import_target_for_unified(FluxLit(import_target="a:b")) == "a:b"
    plain = FluxLit()
    assert resolve_import_target_for_unified(plain) == "app:app"
    (clean_fluxlit_env / "fluxlit.toml").write_text('target = "proj:fl"\n')
    assert resolve_import_target_for_unified(plain) == "proj:fl"
    monkeypatch.setenv("FLUXLIT_APP", "env:fl")
    assert resolve_import_target_for_unified(plain) == "env:fl"


def test_ports_and_internal_base() -> None:
    port = find_free_port()
    assert 1024 < port < 65536
    assert internal_api_base_url(bind_host="0.0.0.0", port=8000, api_mount_path="/api") == (
        "http://127.0.0.1:8000/api"
    )
    assert internal_api_base_url(bind_host="::", port=1, api_mount_path="v1/") == (
        "http://127.0.0.1:1/v1"
    )
    assert internal_api_base_url(bind_host="::1", port=2, api_mount_path="/") == "http://[::1]:2"
    assert internal_api_base_url(bind_host="10.0.0.5", port=3, api_mount_path="") == (
        "http://10.0.0.5:3/api"
    )


def test_upstream_state(monkeypatch) -> None:
    monkeypatch.delenv("FLUXLIT_STREAMLIT_UPSTREAM_FILE", raising=False)
    monkeypatch.delenv("FLUXLIT_STREAMLIT_UPSTREAM", raising=False)
    with pytest.raises(RuntimeError, match="FLUXLIT_STREAMLIT_UPSTREAM"):
        read_streamlit_upstream_url()
    monkeypatch.setenv("FLUXLIT_STREAMLIT_UPSTREAM", "http://127.0.0.1:1")
    assert read_streamlit_upstream_url() == "http://127.0.0.1:1"
    path = write_streamlit_upstream_state("http://127.0.0.1:2")
    try:
        assert read_streamlit_upstream_url() == "http://127.0.0.1:2"
        update_streamlit_upstream_file(path, "http://127.0.0.1:3")
        assert read_streamlit_upstream_url() == "http://127.0.0.1:3"
    finally:
        path.unlink()
        os.environ.pop("FLUXLIT_STREAMLIT_UPSTREAM_FILE", None)


def test_default_pidfile_path(clean_fluxlit_env: Path, monkeypatch) -> None:
    assert default_pidfile_path() == clean_fluxlit_env / ".fluxlit.pid"
    assert default_pidfile_path("x.pid") == Path("x.pid")
    monkeypatch.setenv("FLUXLIT_PIDFILE", "/tmp/custom.pid")
    assert default_pidfile_path() == Path("/tmp/custom.pid")


def test_shutdown_unified_process(tmp_path: Path) -> None:
    pidfile = tmp_path / "app.pid"
    with pytest.raises(FileNotFoundError, match="--pidfile"):
        shutdown_unified_process(pidfile)
    stubborn = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import signal,time; signal.signal(signal.SIGTERM, signal.SIG_IGN);"
            " print('ready', flush=True); time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
    )
    assert stubborn.stdout is not None and stubborn.stdout.readline()
    pidfile.write_text(str(stubborn.pid))
    assert shutdown_unified_process(pidfile, wait_s=0.3) is False, "SIGTERM is ignored"
    assert pidfile.exists()
    assert shutdown_unified_process(pidfile, force=True, wait_s=0.3) is True
    stubborn.wait(timeout=5)
    assert not pidfile.exists()
    pidfile.write_text("999999999")
    assert shutdown_unified_process(pidfile) is True and not pidfile.exists(), "stale file"
    pidfile.write_text("garbage")
    with pytest.raises(ValueError, match="corrupt"):
        shutdown_unified_process(pidfile)


def test_choose_mode() -> None:
    assert choose_mode("auto") == "inprocess"
    assert choose_mode("sidecar") == "sidecar"
    assert choose_mode("inprocess") == "inprocess"
    with pytest.raises(ValueError, match="unknown runtime mode"):
        choose_mode("threads")


def test_create_factories_need_fluxlit_app(monkeypatch) -> None:
    from fluxlit.runtime import create_gateway_app, create_unified_app

    monkeypatch.delenv("FLUXLIT_APP", raising=False)
    for factory in (create_unified_app, create_gateway_app):
        with pytest.raises(RuntimeError, match="FLUXLIT_APP"):
            factory()


def test_startup_heap_is_frozen_while_serving_and_released_on_shutdown() -> None:
    from fluxlit.runtime.heap import FreezeStartupHeap

    events: list[str] = []
    frozen: list[int] = []

    async def lifespan() -> None:
        inbox = iter([{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}])

        async def receive() -> dict[str, str]:
            return next(inbox)

        async def send(message: dict[str, str]) -> None:
            events.append(message["type"])
            frozen.append(gc.get_freeze_count())

        await FreezeStartupHeap()({"type": "lifespan"}, receive, send)

    asyncio.run(lifespan())
    assert events == ["lifespan.startup.complete", "lifespan.shutdown.complete"]
    assert frozen[0] > 1000, "startup moves the imported heap to the permanent generation"
    assert frozen[1] == 0 == gc.get_freeze_count()
    with pytest.raises(RuntimeError, match="lifespan"):
        asyncio.run(FreezeStartupHeap()({"type": "http"}, lifespan, lifespan))  # type: ignore[arg-type]


@pytest.mark.parametrize("mode", ["inprocess", "sidecar"])
def test_both_runtime_modes_freeze_the_heap_after_the_other_apps_start(
    apps, monkeypatch: pytest.MonkeyPatch, mode: str
) -> None:
    from fluxlit.runtime.heap import FreezeStartupHeap
    from fluxlit.runtime.serve import build_asgi, streamlit_main_path
    from fluxlit.streamlit.context import ScriptContext

    monkeypatch.setenv("FLUXLIT_RUNTIME_MODE", mode)
    fl = load_fluxlit("slowapp:app")
    monkeypatch.setattr(fl.settings, "runtime_mode", mode)
    context = ScriptContext.of(fl.settings, target="slowapp:app", project_root=Path(), dev=False)
    app = build_asgi(fl, Path(streamlit_main_path()), context)
    dispatcher = app
    while not hasattr(dispatcher, "lifespan_apps"):  # in-process and observability wrap it
        dispatcher = dispatcher.app
    assert isinstance(dispatcher.lifespan_apps[-1], FreezeStartupHeap)
    assert fl.api in dispatcher.lifespan_apps
