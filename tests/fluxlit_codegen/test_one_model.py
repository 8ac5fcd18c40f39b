"""One app declared two ways gives one model, one API and one rendered page."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from fluxlit.runtime.assemble import fluxlit_from_model
from fluxlit.testing import FluxLitTestClient
from fluxlit_codegen.compile import compile_resolved
from fluxlit_codegen.manifest import load_manifest
from fluxlit_codegen.project import resolve_app
from fluxlit_codegen.render import BUILD_FILES, GENERATED_KEY
from tests.helpers.generated import assigned, evaluated_model

MANIFEST = """
title = "Twin"

[[pages]]
path = "/"
title = "Home"
icon = ":material/home:"
tags = ["main"]
handler = "twin_handlers:home"

[[pages]]
path = "/stats"
title = "Stats"
handler = "twin_handlers:stats"

[navigation]
order = ["/stats", "/"]

[[routes]]
path = "/numbers"
handler = "twin_handlers:numbers"
tags = ["data"]
"""

HANDLERS = """
def numbers() -> list[int]:
    return [1, 2, 3]


def home(st, client):
    st.title("Twin")
    st.write(sum(client.get("/numbers").json()))


def stats(st, client):
    st.title("Stats")
"""

PYTHON_APP = """
from fluxlit import FluxLit
import twin_handlers as h

app = FluxLit(title="Twin", import_target="twin_app:app")
app.api.add_api_route("/numbers", h.numbers, methods=["GET"], tags=["data"])
app.page("/", title="Home", icon=":material/home:", tags=["main"])(h.home)
app.page("/stats", title="Stats")(h.stats)
app.navigation_order("/stats", "/")
"""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "fluxlit.toml").write_text(MANIFEST)
    (tmp_path / "twin_handlers.py").write_text(HANDLERS)
    (tmp_path / "twin_app.py").write_text(PYTHON_APP)
    monkeypatch.syspath_prepend(str(tmp_path))
    for name in ("twin_handlers", "twin_app"):
        sys.modules.pop(name, None)
    return tmp_path


def test_same_model_manifest_api_and_page(project: Path, clean_fluxlit_env: Path) -> None:
    import twin_app  # type: ignore[import-not-found]

    declared = load_manifest(project / "fluxlit.toml")
    python = twin_app.app.model(target="twin_app:app")
    strip = {"source", "target", "settings"}
    assert declared.model_dump(exclude=strip) == python.model_dump(exclude=strip)
    assert (
        twin_app.app.build_page_manifest()
        == FluxLitTestClient.from_manifest(project).app.build_page_manifest()
    )

    manifest_app = fluxlit_from_model(declared, project)
    paths = lambda fl: sorted(FluxLitTestClient(fl).api_get("/openapi.json").json()["paths"])  # noqa: E731
    assert paths(manifest_app) == paths(twin_app.app) == ["/numbers"]

    from_python = FluxLitTestClient(twin_app.app).streamlit(target="twin_app:app")
    from_manifest = FluxLitTestClient.from_manifest(project).streamlit(
        target=str(project / "fluxlit.toml")
    )
    for at in (from_python, from_manifest):
        assert not at.exception
        assert [t.value for t in at.title] == ["Stats"], "navigation order puts /stats first"
    home_python = FluxLitTestClient(twin_app.app).select_page(
        from_python, "home", target="twin_app:app"
    )
    home_manifest = FluxLitTestClient.from_manifest(project).select_page(
        from_manifest, "home", target=str(project / "fluxlit.toml")
    )
    rendered = [[m.value for m in at.markdown] for at in (home_python, home_manifest)]
    assert rendered == [["`6`"], ["`6`"]], "the same page, fed by the same API, both ways"


def _page_manifest(files: dict[str, str]) -> dict[str, object]:
    data = json.loads(files["manifest.json"])
    data.pop(GENERATED_KEY)
    return data


def test_both_paths_render_through_the_same_back_end(
    project: Path, clean_fluxlit_env: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """render_build takes either model: same page manifest, routes, and rendered page."""
    import twin_app  # type: ignore[import-not-found]
    from streamlit.testing.v1 import AppTest

    python = resolve_app("twin_app:app", project)
    declared = resolve_app(None, project)
    assert (python.fluxlit, declared.manifest_path) == (twin_app.app, project / "fluxlit.toml")
    builds, scripts = {}, {}
    for name, resolved in (("python", python), ("manifest", declared)):
        out = tmp_path_factory.mktemp(f"build-{name}")
        compile_resolved(resolved, out_dir=out)
        scripts[name] = out / "streamlit_app.py"
        builds[name] = {f: (out / f).read_text(encoding="utf-8") for f in BUILD_FILES}
        for generated in ("streamlit_app.py", "gateway.py"):
            assert evaluated_model(builds[name][generated]) == resolved.model
    assert _page_manifest(builds["python"]) == _page_manifest(builds["manifest"])
    routes = {
        name: [(m, p) for m, p, _handler in assigned(files["gateway.py"], "ROUTES")]
        for name, files in builds.items()
    }
    assert routes["python"] == routes["manifest"] == [("GET", "/numbers")]

    client = FluxLitTestClient(twin_app.app)
    rendered = {}
    for name, script in scripts.items():
        at = AppTest.from_file(str(script), default_timeout=30)
        at.query_params["page"] = "home"
        with client.patched_environment(target="twin_app:app"):
            at.run()
        client.assert_no_streamlit_exception(at)
        rendered[name] = ([t.value for t in at.title], [m.value for m in at.markdown])
    assert rendered["python"] == rendered["manifest"] == (["Twin"], ["`6`"])


CODE_SETTINGS = """
from fluxlit import FluxLit, FluxlitSettings
import twin_handlers as h

app = FluxLit(
    settings=FluxlitSettings(title="Twin", gateway_port=7777, runtime_mode="sidecar"),
    import_target="twin_app:app",
)
app.api.add_api_route("/numbers", h.numbers, methods=["GET"], tags=["data"])
"""

MANIFEST_SETTINGS = """
title = "Twin"
gateway_port = 7777

[settings]
runtime_mode = "sidecar"

[[routes]]
path = "/numbers"
handler = "twin_handlers:numbers"
tags = ["data"]
"""


def test_settings_given_in_code_and_in_the_manifest_resolve_alike(
    project: Path, clean_fluxlit_env: Path
) -> None:
    """What a Python app says in code is what the same manifest says: config, run and
    the generated model all see it."""
    (project / "twin_app.py").write_text(CODE_SETTINGS)
    (project / "fluxlit.toml").write_text(MANIFEST_SETTINGS)
    python = resolve_app("twin_app:app", project)
    declared = resolve_app(None, project)
    keys = ("title", "gateway_port", "runtime_mode")
    assert [getattr(python.settings, k) for k in keys] == ["Twin", 7777, "sidecar"]
    assert [getattr(declared.settings, k) for k in keys] == ["Twin", 7777, "sidecar"]
    for resolved in (python, declared):
        assert {k: resolved.model.settings.get(k) for k in keys} == {
            "title": "Twin",
            "gateway_port": 7777,
            "runtime_mode": "sidecar",
        }


def test_target_with_declarations_is_refused_by_both_readers(project: Path) -> None:
    """One rule for ``target`` + ``[[pages]]``: the manifest front end refuses it at
    ``target``, so OpenAPI, ``pages manifest`` and the UI never see a half-merged app."""
    from fluxlit_codegen.errors import ManifestError

    (project / "fluxlit.toml").write_text('target = "twin_app:app"\n' + MANIFEST)
    with pytest.raises(ManifestError, match=r"fluxlit.toml:1:1: target: a manifest that"):
        load_manifest(project / "fluxlit.toml")
    with pytest.raises(ManifestError, match=r"fluxlit.toml:1:1: target: a manifest that"):
        resolve_app(None, project)


@pytest.mark.parametrize("dev", [False, True], ids=["run", "dev"])
def test_the_sidecar_child_gets_the_streamlit_options_in_process_uses(
    project: Path, dev: bool
) -> None:
    """The child's command line carries exactly the options the in-process mode applies
    to its own Streamlit config, plus its loopback address and the script context."""
    from streamlit import config

    from fluxlit.config.settings import FluxlitSettings
    from fluxlit.runtime.sidecar import StreamlitSidecar
    from fluxlit.runtime.streamlit_options import configure_inprocess_streamlit, streamlit_options
    from fluxlit.streamlit.context import CONTEXT_ARG, ScriptContext

    settings = FluxlitSettings(root_path="/apps/twin", streamlit_run_cli_args=["--theme.base=dark"])
    fl = fluxlit_from_model(load_manifest(project / "fluxlit.toml"), project, settings=settings)
    context = ScriptContext.of(fl.settings, target=None, project_root=project, dev=dev)
    script = project / "streamlit_app.py"
    command = StreamlitSidecar(fl, script, context).command(8599, project / "context.json")
    # ``python -m streamlit run ...`` started through the log-format launcher
    launcher = [sys.executable, "-m", "fluxlit.logging.streamlit_child"]
    start = [*launcher, "--log-format", "text", "--log-level", "info", "--", "run"]
    assert command[: len(start)] == start
    at = command.index(str(script))
    assert command[at + 1 :] == ["--", CONTEXT_ARG, str(project / "context.json")]
    flags = command[len(start) : at]
    child = dict(zip((f.removeprefix("--") for f in flags[::2]), flags[1::2], strict=True))
    assert (child.pop("server.port"), child.pop("server.address")) == ("8599", "127.0.0.1")

    wanted = streamlit_options(settings, dev=dev)
    assert wanted["client.showErrorDetails"] == ("full" if dev else "none")
    assert wanted["server.headless"] is True and wanted["browser.gatherUsageStats"] is False
    try:
        configure_inprocess_streamlit(settings, dev=dev)
        in_process = {key: config.get_option(key) for key in wanted}
    finally:
        config.get_config_options(force_reparse=True)
    as_text = {k: str(v).lower() if isinstance(v, bool) else str(v) for k, v in in_process.items()}
    assert child == as_text
