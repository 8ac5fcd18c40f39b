"""`fluxlit pages|routes|mounts add|remove` through the real CLI."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from fluxlit.cli import app as cli
from fluxlit_codegen.manifest import load_manifest

MANIFEST = """\
# the app
[[pages]]
path = "/"  # home
handler = "handlers:home"

[[routes]]
path = "/items"
methods = ["GET"]
handler = "handlers:items"

[[routes]]
path = "/items"
methods = ["POST"]
handler = "handlers:create"
"""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "fluxlit.toml").write_text(MANIFEST)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


def test_pages_add_and_remove(project: Path) -> None:
    code, out = run("pages", "add", "/reports", "--title", "Reports", "--handler", "h:reports")
    assert (code, out) == (0, "fluxlit.toml: added page /reports\n")
    model = load_manifest(project / "fluxlit.toml")
    assert [(p.path, p.title, p.handler.value) for p in model.pages][-1] == (
        "/reports",
        "Reports",
        "h:reports",
    )
    assert "# the app\n" in (project / "fluxlit.toml").read_text()
    assert run("pages", "remove", "/reports") == (0, "fluxlit.toml: removed page /reports\n")
    assert (project / "fluxlit.toml").read_text() == MANIFEST


def test_pages_add_with_a_script(project: Path) -> None:
    assert run("pages", "add", "/about", "--script", "about.py", "--icon", "📄")[0] == 0
    page = load_manifest(project / "fluxlit.toml").pages[-1]
    assert (page.handler.kind, page.handler.value, page.icon) == ("script", "about.py", "📄")


def test_routes_add_and_remove_by_method(project: Path) -> None:
    code, out = run(
        "routes", "add", "/items/{item_id}", "--method", "get", "--method", "DELETE",
        "--handler", "h:item",
    )  # fmt: skip
    assert (code, out) == (0, "fluxlit.toml: added route GET DELETE /items/{item_id}\n")
    route = load_manifest(project / "fluxlit.toml").routes[-1]
    assert route.methods == ("GET", "DELETE") and route.handler.value == "h:item"
    assert run("routes", "remove", "/items", "--method", "POST")[0] == 0
    routes = load_manifest(project / "fluxlit.toml").routes
    assert [(r.path, r.methods) for r in routes] == [
        ("/items", ("GET",)),
        ("/items/{item_id}", ("GET", "DELETE")),
    ]
    code, out = run("routes", "remove", "/items/{item_id}")
    assert (code, out) == (0, "fluxlit.toml: removed route /items/{item_id}\n")


def test_mounts_add_and_remove(project: Path) -> None:
    assert run("mounts", "add", "/files", "--static", "files", "--html")[0] == 0
    assert run("mounts", "add", "/legacy", "--app", "legacy:app")[0] == 0
    mounts = load_manifest(project / "fluxlit.toml").mounts
    assert [(m.path, m.static_dir, m.html, m.app) for m in mounts] == [
        ("/files", "files", True, None),
        ("/legacy", None, False, mounts[1].app),
    ]
    assert mounts[1].app is not None and mounts[1].app.value == "legacy:app"
    assert run("mounts", "remove", "/files")[0] == 0
    assert run("mounts", "remove", "/legacy")[0] == 0
    assert (project / "fluxlit.toml").read_text() == MANIFEST


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("pages", "add", "/", "--handler", "h:other"),
            "fluxlit.toml:7:8: pages[1].path: duplicate page path '/' (also pages[0])",
        ),
        (
            ("routes", "add", "/x", "--method", "FETCH", "--handler", "h:x"),
            "routes[2].methods[0]: ",
        ),
        (("mounts", "add", "/m"), "give exactly one of --app module:attr or --static DIR"),
        (("mounts", "add", "/m", "--app", "a:b", "--static", "s"), "give exactly one of"),
        (("pages", "remove", "/nowhere"), "fluxlit.toml: no page /nowhere to remove"),
        (("routes", "remove", "/items", "--method", "PUT"), "no route PUT /items to remove"),
    ],
)
def test_refused_edits_exit_2_and_change_nothing(
    project: Path, args: tuple[str, ...], message: str
) -> None:
    code, out = run(*args)
    assert code == 2 and message in out and "Traceback" not in out
    assert (project / "fluxlit.toml").read_text() == MANIFEST


def test_a_broken_manifest_is_reported_where_it_breaks(project: Path) -> None:
    (project / "fluxlit.toml").write_text('[[pages]\npath = "/"\n')
    code, out = run("pages", "add", "/x", "--handler", "h:x")
    assert code == 2 and out.startswith("fluxlit.toml:1:") and "invalid TOML" in out


EXPORT_APP = """\
from fluxlit import FluxLit

app = FluxLit(title="Sales", import_target="export_demo:app")


@app.api.get("/totals", tags=["sales"])
def totals() -> dict[str, int]:
    return {"north": 12}


@app.page("/", title="Totals", icon="📈")
def home(st, client):
    st.write(client.get("/totals").json())
"""


@pytest.fixture
def python_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "export_demo", raising=False)
    return tmp_path


def test_export_writes_the_manifest_of_a_python_app(python_project: Path) -> None:
    (python_project / "export_demo.py").write_text(EXPORT_APP)
    (python_project / "fluxlit.toml").write_text("")  # what `> fluxlit.toml` leaves first
    code, python_pages = run("pages", "manifest", "--target", "export_demo:app")
    assert code == 0
    code, out = run("export", "export_demo:app")
    assert code == 0
    assert out.startswith('title = "Sales"\n\n[[pages]]\n')
    (python_project / "fluxlit.toml").write_text(out)
    model = load_manifest(python_project / "fluxlit.toml")
    assert [(r.path, r.handler.value, r.tags) for r in model.routes] == [
        ("/totals", "export_demo:totals", ("sales",))
    ]
    assert run("pages", "manifest") == (0, python_pages)


def test_export_refuses_what_a_manifest_cannot_say(python_project: Path) -> None:
    (python_project / "export_demo.py").write_text(
        EXPORT_APP + "\napp.page('/inline')(lambda st, client: None)\n"
    )
    code, out = run("export", "export_demo:app")
    assert code == 2 and "Traceback" not in out
    assert "page /inline: its handler has no importable module:function" in out


def test_export_of_a_missing_app_is_one_line(python_project: Path) -> None:
    code, out = run("export", "nowhere:app")
    assert code == 2 and out.startswith("cannot load the app 'nowhere:app'")
