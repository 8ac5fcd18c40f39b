"""`fluxlit build` files: the container runs `fluxlit run`; Kubernetes and compose fit the app."""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
import warnings
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.main import get_command

from fluxlit.cli import app as cli
from fluxlit.config.settings import FluxlitSettings
from fluxlit.model import AppModel, AuthModel, JWTModel, SessionStoreModel
from fluxlit_codegen.deploy import DeployError, DeployOptions, write_deploy_files
from fluxlit_codegen.deploy_plan import DeployOptionError
from fluxlit_codegen.project import ResolvedApp
from fluxlit_codegen.scaffold import PROFILES, scaffold
from tests.helpers.ci import require_module

yaml = require_module("yaml")
ALL = DeployOptions(kubernetes=True, compose=True)
PYPROJECT = '[project]\nname = "demo"\nversion = "1.4.2"\ndependencies = ["fluxlit"]\n'


def resolved_app(root: Path, title: str = "Demo", **fields: Any) -> ResolvedApp:
    """A manifest app in ``root`` (no handlers needed to build); ``settings=`` and IR fields."""
    model = AppModel(source="fluxlit.toml", title=title, **fields)
    settings = FluxlitSettings(**model.settings)  # what resolve_app layers over the defaults
    manifest = root / "fluxlit.toml"
    return ResolvedApp(model, "fluxlit.toml", "ab" * 32, root, manifest, settings=settings)


def build(root: Path, options: DeployOptions = ALL, **fields: Any) -> dict[str, str]:
    """Write the files for a manifest app in ``root``; return them by relative name."""
    if not (root / "pyproject.toml").exists() and not (root / "requirements.txt").exists():
        (root / "pyproject.toml").write_text(PYPROJECT)
    result = write_deploy_files(resolved_app(root, **fields), root, options, force=True)
    return {str(path.relative_to(root)): path.read_text() for path in result.written}


def healthcheck_url(dockerfile: str) -> str:
    """The URL the HEALTHCHECK command opens, read back from its exec-form JSON and code."""
    match = re.search(r"^HEALTHCHECK .*\\\n\s+CMD (\[.*\])$", dockerfile, flags=re.M)
    assert match, dockerfile
    program, flag, code = json.loads(match.group(1))
    assert (program, flag) == ("python", "-c")
    calls = [n for n in ast.walk(ast.parse(code)) if isinstance(n, ast.Call)]
    (urlopen,) = [c for c in calls if getattr(c.func, "attr", "") == "urlopen"]
    return ast.literal_eval(urlopen.args[0])


def container_cmd(dockerfile: str) -> list[str]:
    """The exec-form CMD of the Dockerfile."""
    match = re.search(r"^CMD (\[.*\])$", dockerfile, flags=re.M)
    assert match, dockerfile
    return json.loads(match.group(1))


def documents(k8s: str) -> dict[str, dict[str, Any]]:
    """Kubernetes objects by kind."""
    return {doc["kind"]: doc for doc in yaml.safe_load_all(k8s)}


def container(k8s: str) -> dict[str, Any]:
    (only,) = documents(k8s)["Deployment"]["spec"]["template"]["spec"]["containers"]
    return only


@pytest.mark.parametrize(
    ("app_settings", "health", "ready"),
    [
        ({}, "/api/healthz", "/api/readyz"),
        ({"api_mount_path": "/backend"}, "/backend/healthz", "/backend/readyz"),
        ({"api_mount_path": "/", "root_path": "/demo"}, "/demo/healthz", "/demo/readyz"),
        (
            {"api_mount_path": "backend/", "root_path": "/apps/demo/"},
            "/apps/demo/backend/healthz",
            "/apps/demo/backend/readyz",
        ),
    ],
)
def test_probes_follow_the_api_prefix_and_public_mount(
    tmp_path: Path, app_settings: dict[str, str], health: str, ready: str
) -> None:
    files = build(tmp_path, settings=app_settings)
    assert healthcheck_url(files["Dockerfile"]) == f"http://127.0.0.1:8000{health}"
    app = container(files["k8s/app.yaml"])
    paths = {kind: app[kind]["httpGet"]["path"] for kind in app if kind.endswith("Probe")}
    assert paths == {"startupProbe": health, "readinessProbe": ready, "livenessProbe": health}
    (rule,) = documents(files["k8s/app.yaml"])["Ingress"]["spec"]["rules"]
    root = "/" + str(app_settings.get("root_path", "")).strip("/")
    assert rule["http"]["paths"][0]["path"] == root, "the Ingress routes the public mount"


def run_command_params(args: list[str]) -> dict[str, Any]:
    """What `fluxlit run` makes of ``args`` (fails when a flag does not exist)."""
    command = get_command(cli)
    run = command.commands["run"]  # type: ignore[attr-defined]
    return run.make_context("run", list(args)).params


@pytest.mark.parametrize("python_app", [True, False], ids=["python", "manifest"])
def test_the_container_runs_the_fluxlit_run_path(tmp_path: Path, python_app: bool) -> None:
    (tmp_path / "pyproject.toml").write_text(PYPROJECT)
    if python_app:
        model = AppModel(title="Demo", target="shop.main:app")
        resolved = ResolvedApp(model, "shop.main:app", "", tmp_path)
    else:
        resolved = resolved_app(tmp_path)
    write_deploy_files(resolved, tmp_path)
    dockerfile = (tmp_path / "Dockerfile").read_text()
    command = container_cmd(dockerfile)
    assert command[:2] == ["fluxlit", "run"], "the serve path a developer runs by hand"
    params = run_command_params(command[2:])
    assert params["target"] == ("shop.main:app" if python_app else None)
    assert (params["host"], params["port"], params["no_pidfile"]) == ("0.0.0.0", 8000, True)
    assert "uvicorn" not in dockerfile, "no hand-copied server options"
    compile_steps = re.findall(r"^\s+&& (fluxlit compile.*?) \\$", dockerfile, flags=re.M)
    if python_app:  # `fluxlit run` serves it without a build; importing may need secrets
        assert compile_steps == [], "the image build imports no Python app"
    else:
        assert compile_steps == ["fluxlit compile"], "the manifest app is compiled in the image"


def test_the_image_runs_as_a_numeric_user_on_a_read_only_root(tmp_path: Path) -> None:
    files = build(tmp_path)
    dockerfile = files["Dockerfile"]
    uid = int(re.search(r"^USER (\d+):(\d+)$", dockerfile, flags=re.M).group(1))
    assert uid != 0 and "chown" not in dockerfile, "the code stays root-owned"
    env = dict(re.findall(r"^\s+(HOME|TMPDIR)=(\S+)", dockerfile, flags=re.M))
    assert env == {"HOME": "/tmp", "TMPDIR": "/tmp"}
    pod = documents(files["k8s/app.yaml"])["Deployment"]["spec"]["template"]["spec"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["runAsUser"] == uid
    app = container(files["k8s/app.yaml"])
    assert app["securityContext"]["readOnlyRootFilesystem"] is True
    (mount,) = app["volumeMounts"]
    (volume,) = pod["volumes"]
    assert mount == {"name": volume["name"], "mountPath": "/tmp"} and "emptyDir" in volume
    assert set(app["resources"]) == {"requests", "limits"}
    assert set(app["resources"]["limits"]) == {"cpu", "memory"}
    compose = yaml.safe_load(files["compose.yaml"])
    replica = compose["services"]["app-1"]
    assert replica["read_only"] is True and replica["tmpfs"] == ["/tmp"]


@pytest.mark.parametrize("grace", [None, 0, 2.5, 45])
def test_pods_get_longer_than_the_app_takes_to_stop(tmp_path: Path, grace: float | None) -> None:
    app_settings = {} if grace is None else {"shutdown_grace_s": grace}
    files = build(tmp_path, settings=app_settings)
    expected = 10 if grace is None else grace
    pod = documents(files["k8s/app.yaml"])["Deployment"]["spec"]["template"]["spec"]
    (app,) = pod["containers"]
    pause = int(app["lifecycle"]["preStop"]["exec"]["command"][1])
    assert app["lifecycle"]["preStop"]["exec"]["command"][0] == "sleep" and pause > 0
    # Sidecar mode: connections close within the grace, then the Streamlit child within it.
    assert pod["terminationGracePeriodSeconds"] > pause + 2 * expected
    stop = yaml.safe_load(files["compose.yaml"])["services"]["app-1"]["stop_grace_period"]
    assert int(stop.removesuffix("s")) == pod["terminationGracePeriodSeconds"]


def test_the_ingress_pins_browsers_with_a_cookie_and_keeps_websockets_open(
    tmp_path: Path,
) -> None:
    options = DeployOptions(kubernetes=True, replicas=3, host="shop.example.com")
    objects = documents(build(tmp_path, options)["k8s/app.yaml"])
    assert set(objects) == {"Deployment", "Service", "Ingress", "PodDisruptionBudget"}
    assert objects["Deployment"]["spec"]["replicas"] == 3
    assert "sessionAffinity" not in objects["Service"]["spec"], "it sees the ingress, not users"
    ingress = objects["Ingress"]
    notes = ingress["metadata"]["annotations"]
    assert notes["nginx.ingress.kubernetes.io/affinity"] == "cookie"
    for timeout in ("proxy-read-timeout", "proxy-send-timeout"):
        assert int(notes[f"nginx.ingress.kubernetes.io/{timeout}"]) >= 3600
    (rule,) = ingress["spec"]["rules"]
    assert rule["host"] == "shop.example.com"
    assert rule["http"]["paths"][0]["backend"]["service"]["name"] == "demo"
    assert objects["PodDisruptionBudget"]["spec"]["maxUnavailable"] == 1
    text = (tmp_path / "k8s/app.yaml").read_text()
    assert "sessionPersistence" in text and "Gateway API" in text, "how to do it without nginx"
    no_host = documents(build(tmp_path, DeployOptions(kubernetes=True))["k8s/app.yaml"])
    assert "host" not in no_host["Ingress"]["spec"]["rules"][0]


@pytest.mark.parametrize(
    ("store", "variable"),
    [
        (None, None),
        (SessionStoreModel(kind="memory"), None),
        (SessionStoreModel(kind="redis", url_env="SHOP_REDIS_URL"), "SHOP_REDIS_URL"),
        (SessionStoreModel(kind="redis"), "FLUXLIT_REDIS_URL"),
    ],
)
def test_the_redis_url_comes_from_a_secret_when_the_app_uses_redis(
    tmp_path: Path, store: SessionStoreModel | None, variable: str | None
) -> None:
    files = build(tmp_path, session_store=store)
    env = container(files["k8s/app.yaml"]).get("env", [])
    if variable is None:
        assert env == []
    else:
        assert env == [
            {
                "name": variable,
                "valueFrom": {"secretKeyRef": {"name": "demo-redis", "key": "url"}},
            }
        ]
        secret = "kubectl create secret generic demo-redis --from-literal=url="
        assert secret in files["k8s/app.yaml"], "the comment says how to create it"
    compose = yaml.safe_load(files["compose.yaml"])["services"]
    environment = compose["app-1"]["environment"]
    assert environment[variable or "FLUXLIT_REDIS_URL"] == "redis://redis:6379/0"
    assert "ports" not in compose["app-1"], "only nginx reaches the replicas"
    trusted = {"FLUXLIT_TRUST_PROXY": "true", "FLUXLIT_FORWARDED_ALLOW_IPS": "*"}
    assert trusted.items() <= environment.items(), "so they trust its forwarded headers"
    assert compose["redis"]["image"].startswith("redis:")
    assert "redis" in compose["app-1"]["depends_on"]


def test_a_bad_redis_variable_name_is_refused(tmp_path: Path) -> None:
    store = SessionStoreModel(kind="redis", url_env="SHOP URL")
    with pytest.raises(DeployOptionError, match=r"session_store\.url_env: 'SHOP URL' is not"):
        build(tmp_path, session_store=store)


@pytest.mark.parametrize("replicas", [1, 3])
def test_compose_puts_each_replica_behind_the_sticky_nginx(tmp_path: Path, replicas: int) -> None:
    files = build(tmp_path, DeployOptions(compose=True, replicas=replicas))
    services = yaml.safe_load(files["compose.yaml"])["services"]
    apps = [f"app-{index}" for index in range(1, replicas + 1)]
    assert set(services) == {*apps, "nginx", "redis"}
    assert {services[app]["image"] for app in apps} == {"demo:1.4.2"}
    nginx = services["nginx"]
    assert set(nginx["depends_on"]) == set(apps)
    assert nginx["volumes"] == ["./nginx.conf:/etc/nginx/conf.d/default.conf:ro"]
    conf = files["nginx.conf"]
    upstream = re.findall(r"^\s+server (\S+) ", conf, flags=re.M)
    assert upstream == [f"{app}:8000" for app in apps]
    assert "hash $fluxlit_route consistent;" in conf
    assert "proxy_set_header Upgrade $http_upgrade;" in conf
    assert "proxy_read_timeout 3600s;" in conf
    listen = re.search(r"^\s+listen (\d+);", conf, flags=re.M).group(1)
    assert nginx["ports"] == [f"8000:{listen}"]


def test_the_image_is_tagged_with_the_project_version(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "d"\nversion = "2.0.1+local"\n')
    resolved = resolved_app(tmp_path)
    result = write_deploy_files(resolved, tmp_path, ALL)
    assert result.warnings == []
    k8s = (tmp_path / "k8s/app.yaml").read_text()
    assert container(k8s)["image"] == "demo:2.0.1-local"
    custom = DeployOptions(kubernetes=True, image="registry.example.com:5000/team/shop")
    write_deploy_files(resolved, tmp_path, custom, force=True)
    k8s = (tmp_path / "k8s/app.yaml").read_text()
    assert container(k8s)["image"] == "registry.example.com:5000/team/shop:2.0.1-local"
    pinned = DeployOptions(kubernetes=True, image="shop:rc1")
    write_deploy_files(resolved, tmp_path, pinned, force=True)
    assert container((tmp_path / "k8s/app.yaml").read_text())["image"] == "shop:rc1"


def test_no_version_means_a_stated_fallback_tag_never_latest(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "d"\ndynamic = ["version"]\n')
    result = write_deploy_files(resolved_app(tmp_path), tmp_path, ALL)
    (warning,) = result.warnings
    assert "no [project] version" in warning and "--image NAME:TAG" in warning
    texts = "".join(path.read_text() for path in result.written)
    assert ":latest" not in texts and "image: demo:0.1.0" in texts


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (DeployOptions(image="shop:latest"), r"--image: 'shop:latest' uses the tag 'latest'"),
        (DeployOptions(image="Shop App"), r"--image: 'Shop App' is not an image reference"),
        (DeployOptions(replicas=0), r"--replicas: expected 1 to 50, not 0"),
        (DeployOptions(host="shop_example"), r"--host: 'shop_example' is not a DNS host name"),
    ],
)
def test_bad_options_are_named(tmp_path: Path, options: DeployOptions, message: str) -> None:
    (tmp_path / "pyproject.toml").write_text(PYPROJECT)
    with pytest.raises(DeployOptionError, match=message):
        write_deploy_files(resolved_app(tmp_path), tmp_path, options)
    assert list(tmp_path.iterdir()) == [tmp_path / "pyproject.toml"], "nothing written"


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(title=st.text(min_size=1, max_size=30))
def test_a_hostile_title_stays_in_its_comment(tmp_path: Path, title: str) -> None:
    expected = {name: text.count("\n") for name, text in build(tmp_path, title="Demo").items()}
    files = build(tmp_path, title=title)
    assert {name: text.count("\n") for name, text in files.items()} == expected, "no new line"
    first = files["Dockerfile"].splitlines()[0].removeprefix("# Container for ")
    literal = first.removesuffix(", generated by `fluxlit build`. Adjust to your project.")
    assert ast.literal_eval(literal) == title
    assert healthcheck_url(files["Dockerfile"]) == "http://127.0.0.1:8000/api/healthz"
    for name in ("k8s/app.yaml", "compose.yaml"):
        assert list(yaml.safe_load_all(files[name])), f"{name} still parses"


def test_requirements_txt_is_installed_when_there_is_no_pyproject(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("fluxlit\n")
    dockerfile = build(tmp_path, DeployOptions())["Dockerfile"]
    assert "RUN pip install --no-cache-dir -r requirements.txt " in dockerfile
    assert "pip install --no-cache-dir . " not in dockerfile


def test_a_project_with_nothing_to_install_gets_fluxlit_and_a_todo(tmp_path: Path) -> None:
    auth = AuthModel(jwt=JWTModel(issuer="i", audience="a", hs256_secret_env="SECRET"))
    store = SessionStoreModel(kind="redis", url_env="REDIS_URL")
    resolved = resolved_app(tmp_path, auth=auth, session_store=store)
    result = write_deploy_files(resolved, tmp_path)
    (warning,) = [w for w in result.warnings if "neither" in w]
    assert "neither pyproject.toml nor requirements.txt" in warning and "TODO" in warning
    dockerfile = (tmp_path / "Dockerfile").read_text()
    assert re.search(r"^# TODO: .*no pyproject\.toml, no requirements\.txt", dockerfile, re.M)
    from importlib.metadata import version

    pinned = f"RUN pip install --no-cache-dir 'fluxlit[auth,redis]=={version('fluxlit')}' "
    assert pinned in dockerfile, "what the app uses, pinned to the FluxLit that wrote it"


def cli_build(root: Path, *args: str) -> tuple[int, str, str]:
    """``fluxlit build ARGS`` in ``root``, through the console script's error handler."""
    result = subprocess.run(
        [sys.executable, "-m", "fluxlit.cli", "build", *args],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return result.returncode, result.stdout, result.stderr


MANIFEST = '[[pages]]\npath = "/"\nhandler = "handlers:home"\n'


@pytest.fixture
def manifest_project(tmp_path: Path) -> Path:
    (tmp_path / "fluxlit.toml").write_text(MANIFEST)
    (tmp_path / "handlers.py").write_text("def home(st, client):\n    st.write('hi')\n")
    return tmp_path


def test_cli_build_without_dependencies_warns_and_succeeds(
    manifest_project: Path,
) -> None:
    code, out, err = cli_build(manifest_project)
    assert code == 0, err
    assert err.startswith("warning: ") and "neither pyproject.toml nor requirements.txt" in err
    assert "TODO" in (manifest_project / "Dockerfile").read_text()
    assert "wrote" in out


def test_cli_build_options_and_overwrite(
    manifest_project: Path,
) -> None:
    (manifest_project / "pyproject.toml").write_text(PYPROJECT)
    out_dir = manifest_project / "deploy"
    args = ["--output", str(out_dir), "--kubernetes", "--compose", "--replicas", "3"]
    args += ["--host", "shop.example.com", "--image", "registry.example.com/shop"]
    code, out, err = cli_build(manifest_project, *args)
    assert (code, err) == (0, "")
    written = sorted(str(p.relative_to(out_dir)) for p in out_dir.rglob("*") if p.is_file())
    expected = [".dockerignore", "Dockerfile", "compose.yaml", "k8s/app.yaml", "nginx.conf"]
    assert written == expected
    assert sorted(out.splitlines()) == sorted(f"wrote {out_dir / name}" for name in expected)
    k8s = (out_dir / "k8s/app.yaml").read_text()
    assert container(k8s)["image"] == "registry.example.com/shop:1.4.2"
    assert documents(k8s)["Deployment"]["spec"]["replicas"] == 3
    assert len(re.findall(r"^  app-\d+:$", (out_dir / "compose.yaml").read_text(), re.M)) == 3
    code, out, err = cli_build(manifest_project, *args)
    assert code == 2 and "already exist; pass --force to overwrite" in err
    assert "Traceback" not in out + err
    assert cli_build(manifest_project, *args, "--force")[0] == 0


def test_cli_build_uses_the_resolved_settings(manifest_project: Path) -> None:
    """The project's .env and the manifest's [settings] reach the files, as in `fluxlit run`."""
    (manifest_project / "pyproject.toml").write_text(PYPROJECT)
    (manifest_project / ".env").write_text("FLUXLIT_SHUTDOWN_GRACE_S=40\n")
    with (manifest_project / "fluxlit.toml").open("a") as manifest:
        manifest.write('\n[settings]\napi_mount_path = "/backend"\n')
    code, _, err = cli_build(manifest_project, "--kubernetes")
    assert code == 0, err
    k8s = (manifest_project / "k8s/app.yaml").read_text()
    pod = documents(k8s)["Deployment"]["spec"]["template"]["spec"]
    assert pod["terminationGracePeriodSeconds"] > 5 + 2 * 40
    assert container(k8s)["livenessProbe"]["httpGet"]["path"] == "/backend/healthz"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--replicas", "0"], "--replicas: expected 1 to 50, not 0"),
        (["--image", "shop:latest"], "--image: 'shop:latest' uses the tag 'latest'"),
    ],
)
def test_cli_build_names_a_bad_option_in_one_line(
    manifest_project: Path, args: list[str], message: str
) -> None:
    code, _, err = cli_build(manifest_project, *args)
    assert code == 2 and len(err.strip().splitlines()) == 1 and message in err, err
    assert not (manifest_project / "Dockerfile").exists()


def test_existing_files_are_kept_without_force(tmp_path: Path) -> None:
    build(tmp_path)
    with pytest.raises(DeployError, match=r"Dockerfile, \.dockerignore, .* already exist"):
        write_deploy_files(resolved_app(tmp_path), tmp_path, ALL)


EXPECTED_DEPENDENCY = {
    "minimal": "fluxlit",
    "manifest": "fluxlit",
    "multipage": "fluxlit",
    "auth": "fluxlit[auth]",  # the app imports fluxlit.auth, which needs PyJWT
}


@pytest.mark.parametrize("profile", sorted(EXPECTED_DEPENDENCY))
def test_each_scaffold_ships_an_installable_pyproject(tmp_path: Path, profile: str) -> None:
    from setuptools.config.pyprojecttoml import read_configuration

    project = scaffold(tmp_path / "shop", profile)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # setuptools calls [tool.setuptools] "beta"
        config = read_configuration(project / "pyproject.toml")  # validates the schema
    assert config["project"]["name"] == "shop"
    assert config["project"]["dependencies"] == [EXPECTED_DEPENDENCY[profile]]
    imports_auth = "fluxlit.auth" in "".join(p.read_text() for p in project.rglob("*.py"))
    assert imports_auth == ("[auth]" in EXPECTED_DEPENDENCY[profile])


def test_every_python_profile_is_covered() -> None:
    assert set(EXPECTED_DEPENDENCY) | {"deploy"} == set(PROFILES)


DOCS = Path(__file__).resolve().parents[2] / "docs" / "deployment.md"


def documented_build_commands() -> list[list[str]]:
    """The `fluxlit build ...` lines of docs/deployment.md's shell blocks (comments cut)."""
    blocks = re.findall(r"```bash\n(.*?)```", DOCS.read_text(), flags=re.S)
    lines = [line.split("#")[0].split() for block in blocks for line in block.splitlines()]
    return [line[2:] for line in lines if line[:2] == ["fluxlit", "build"]]


@pytest.mark.parametrize("args", documented_build_commands(), ids=" ".join)
def test_the_documented_build_commands_work(tmp_path: Path, args: list[str]) -> None:
    project = scaffold(tmp_path / "shop", "minimal")
    code, out, err = cli_build(project, *args)
    assert (code, err) == (0, ""), err
    assert f"wrote {project / 'Dockerfile'}" in out.splitlines()
    for flag, name in (("--compose", "compose.yaml"), ("--kubernetes", "k8s/app.yaml")):
        assert (project / name).is_file() == (flag in args), name


def test_the_docs_show_commands() -> None:
    assert len(documented_build_commands()) >= 3


def test_probes_name_the_ingress_host_so_allowed_hosts_admit_them(tmp_path: Path) -> None:
    from starlette.testclient import TestClient

    from fluxlit import FluxLit
    from fluxlit.gateway import build_gateway

    options = DeployOptions(kubernetes=True, host="shop.example.com")
    app = container(build(tmp_path, options)["k8s/app.yaml"])
    probes = [app[kind]["httpGet"] for kind in app if kind.endswith("Probe")]
    assert {str(probe["httpHeaders"]) for probe in probes} == {
        "[{'name': 'Host', 'value': 'shop.example.com'}]"
    }
    settings = FluxlitSettings(allowed_hosts=["shop.example.com"])
    fl = FluxLit(title="Shop", settings=settings)
    gateway = build_gateway(fl.api, "http://127.0.0.1:9", proxy_settings=settings)
    with TestClient(gateway) as client:
        for probe in probes:
            host = probe["httpHeaders"][0]["value"]
            assert client.get(probe["path"], headers={"Host": host}).status_code != 400
        pod_ip = client.get("/api/healthz", headers={"Host": "10.1.2.3:8000"})
        assert pod_ip.status_code == 400, "without the header the probe would fail"
    wildcard = DeployOptions(kubernetes=True, host="*.example.com")
    app = container(build(tmp_path, wildcard)["k8s/app.yaml"])
    assert "httpHeaders" not in app["livenessProbe"]["httpGet"], "no single name to send"
