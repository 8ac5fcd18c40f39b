# ruff: noqa: E501  (expected messages are kept whole on one line)
"""Malformed manifests: each mistake reported with its exact message and location."""

from __future__ import annotations

from pathlib import Path

import pytest

from fluxlit_codegen.errors import ManifestError
from fluxlit_codegen.manifest import find_manifest, load_manifest

PAGE = '[[pages]]\npath = "/"\nhandler = "pages:home"\n'

CASES = [
    pytest.param(
        "title = \n",
        "fluxlit.toml:1:9: invalid TOML: Invalid value",
        id="bad toml",
    ),
    pytest.param(
        "[pages\n",
        "fluxlit.toml:1:7: invalid TOML: Expected ']' at the end of a table declaration",
        id="unclosed table",
    ),
    pytest.param(
        "title = 3\n" + PAGE,
        "fluxlit.toml:1:9: title: input should be a valid string, got 3",
        id="wrong top-level type",
    ),
    pytest.param(
        "gateway_port = 70000\n" + PAGE,
        "fluxlit.toml:1:16: gateway_port: input should be less than or equal to 65535, got 70000",
        id="port out of range",
    ),
    pytest.param(
        'gateway_port = "80"\n' + PAGE,
        "fluxlit.toml:1:16: gateway_port: input should be a valid integer, got '80'",
        id="port not a number",
    ),
    pytest.param(
        'log_level = "loud"\n' + PAGE,
        "fluxlit.toml:1:13: log_level: expected one of 'critical', 'error', 'warning', 'info', 'debug' or 'trace', got 'loud'",
        id="bad log level",
    ),
    pytest.param(
        'titel = "x"\n' + PAGE,
        "fluxlit.toml:1:1: titel: unknown key 'titel' (did you mean 'title'?)",
        id="unknown top-level key",
    ),
    pytest.param(
        '[[pages]]\npath = "/"\nhandlr = "pages:home"\n',
        "fluxlit.toml:3:1: pages[0].handlr: unknown key 'handlr' (did you mean 'handler'?)",
        id="misspelt page key",
    ),
    pytest.param(
        '[[pages]]\nhandler = "pages:home"\n',
        "fluxlit.toml:1:1: pages[0].path: required key is missing",
        id="page path missing",
    ),
    pytest.param(
        '[[pages]]\npath = "reports"\nhandler = "pages:r"\n',
        "fluxlit.toml:2:8: pages[0].path: page paths start with '/', got 'reports'",
        id="page path without slash",
    ),
    pytest.param(
        '[[pages]]\npath = "/"\nhandler = "pages.home"\n',
        "fluxlit.toml:3:11: pages[0].handler: expected \"module:function\", got 'pages.home'"
        " (did you mean 'pages:home'?)",
        id="handler without colon",
    ),
    pytest.param(
        PAGE + 'script = "home.py"\n',
        "fluxlit.toml:1:1: pages[0]: give exactly one of handler or script",
        id="handler and script both",
    ),
    pytest.param(
        '[[pages]]\npath = "/"\ntitle = "Home"\n',
        "fluxlit.toml:1:1: pages[0]: give exactly one of handler or script",
        id="neither handler nor script",
    ),
    pytest.param(
        PAGE + '[[pages]]\npath = "/"\nhandler = "pages:other"\n',
        "fluxlit.toml:5:8: pages[1].path: duplicate page path '/' (also pages[0])",
        id="duplicate page path",
    ),
    pytest.param(
        PAGE + 'tags = "a"\n',
        "fluxlit.toml:4:8: pages[0].tags: expected an array, got 'a'",
        id="tags not a list",
    ),
    pytest.param(
        PAGE + '[pages.page_meta]\nlayout = "huge"\n',
        "fluxlit.toml:5:10: pages[0].page_meta.layout: expected one of 'centered' or 'wide', got 'huge'",
        id="bad page_meta layout",
    ),
    pytest.param(
        PAGE + '[[routes]]\npath = "/x"\nhandler = "api:x"\nmethods = ["FETCH"]\n',
        "fluxlit.toml:7:11: routes[0].methods[0]: expected one of 'GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD' or 'OPTIONS', got 'FETCH'",
        id="bad http method",
    ),
    pytest.param(
        PAGE + '[[routes]]\npath = "/x"\n',
        "fluxlit.toml:4:1: routes[0].handler: required key is missing",
        id="route handler missing",
    ),
    pytest.param(
        PAGE
        + '[[routes]]\npath = "/x"\nhandler = "api:x"\n[[routes]]\npath = "/x"\nhandler = "api:y"\n',
        "fluxlit.toml:8:8: routes[1].path: duplicate route GET /x (also routes[0])",
        id="duplicate route",
    ),
    pytest.param(
        PAGE + '[[routes]]\npath = "/x"\nhandler = "api:x"\nauth = true\n',
        "fluxlit.toml:7:8: routes[0].auth: route requires auth but the manifest has no [auth.jwt]",
        id="route auth without jwt",
    ),
    pytest.param(
        PAGE
        + '[auth.jwt]\nissuer = "i"\naudience = "a"\nhs256_secret_env = "S"\n[[routes]]\npath = "/x"\nhandler = "api:x"\nauth = { role = ["admin"] }\n',
        "fluxlit.toml:11:10: routes[0].auth.role: unknown key 'role' (did you mean 'roles'?)",
        id="misspelt route auth key",
    ),
    pytest.param(
        PAGE + '[auth.jwt]\nissuer = "i"\naudience = "a"\nhs256_secret = "oops"\n',
        "fluxlit.toml:4:1: auth.jwt: give hs256_secret_env or jwks_url\nfluxlit.toml:7:1: auth.jwt.hs256_secret: secrets are never written in the manifest; put it in an environment variable and name that with hs256_secret_env",
        id="inline jwt secret",
    ),
    pytest.param(
        PAGE + '[auth.oidc]\nissuer = "https://idp"\nclient_id = "c"\nclient_secret = "oops"\n',
        "fluxlit.toml:4:1: auth.oidc.client_secret_env: required key is missing\nfluxlit.toml:7:1: auth.oidc.client_secret: secrets are never written in the manifest; put it in an environment variable and name that with client_secret_env",
        id="inline oidc secret",
    ),
    pytest.param(
        PAGE + '[auth.jwt]\nissuer = "i"\naudience = "a"\n',
        "fluxlit.toml:4:1: auth.jwt: give hs256_secret_env or jwks_url",
        id="jwt without key source",
    ),
    pytest.param(
        PAGE
        + '[auth.jwt]\nissuer = "i"\naudience = "a"\nhs256_secret_env = "S"\njwks_url = "https://idp/jwks"\n',
        "fluxlit.toml:4:1: auth.jwt: give hs256_secret_env or jwks_url, not both",
        id="jwt with two key sources",
    ),
    pytest.param(
        PAGE + '[auth.saml]\nentity = "x"\n',
        "fluxlit.toml:4:1: auth.saml: unknown key 'saml'",
        id="unknown auth table",
    ),
    pytest.param(
        PAGE + '[session_store]\nkind = "disk"\n',
        "fluxlit.toml:5:8: session_store.kind: expected one of 'memory' or 'redis', got 'disk'",
        id="bad session store kind",
    ),
    pytest.param(
        PAGE + '[session_store]\nkind = "redis"\n',
        "fluxlit.toml:4:1: session_store: kind = 'redis' needs url_env (the variable with the URL)",
        id="redis without url_env",
    ),
    pytest.param(
        PAGE + "[session_store]\nttl_seconds = -1\n",
        "fluxlit.toml:5:15: session_store.ttl_seconds: input should be greater than or equal to 0, got -1",
        id="negative ttl",
    ),
    pytest.param(
        PAGE + '[settings]\njwt_hs256_secret = "oops"\n',
        "fluxlit.toml:5:1: settings.jwt_hs256_secret: secrets are never written in the manifest; set FLUXLIT_JWT_HS256_SECRET in the environment",
        id="secret setting inline",
    ),
    pytest.param(
        PAGE + '[settings]\nruntime_mod = "sidecar"\n',
        "fluxlit.toml:5:1: settings.runtime_mod: unknown setting 'runtime_mod' (did you mean 'runtime_mode'?)",
        id="unknown setting",
    ),
    pytest.param(
        PAGE + '[navigation]\norder = ["/", "/missing"]\n',
        "fluxlit.toml:5:9: navigation.order[1]: no page has the path '/missing'",
        id="navigation names unknown page",
    ),
    pytest.param(
        PAGE + '[[mounts]]\npath = "/legacy"\n',
        "fluxlit.toml:4:1: mounts[0]: give exactly one of app or static",
        id="mount without target",
    ),
    pytest.param(
        PAGE + '[[mounts]]\npath = "/legacy"\napp = "legacy"\n',
        "fluxlit.toml:6:7: mounts[0].app: expected \"module:function\", got 'legacy'",
        id="mount app bad reference",
    ),
    pytest.param(
        PAGE + '[auth.jwt]\nisuer = "i"\naudience = "a"\nhs256_secret_env = "S"\n',
        "fluxlit.toml:4:1: auth.jwt.issuer: required key is missing\n"
        "fluxlit.toml:5:1: auth.jwt.isuer: unknown key 'isuer' (did you mean 'issuer'?)",
        id="misspelt jwt key",
    ),
    pytest.param(
        PAGE + '[[routes]]\npath = "/x"\nhandler = "api:x"\nauth = "yes"\n',
        "fluxlit.toml:7:8: routes[0].auth: expected true or a table like"
        ' { roles = ["admin"], scopes = ["items:read"] }, got \'yes\'',
        id="route auth wrong type",
    ),
    pytest.param(
        PAGE + '[[routes]]\npath = "x"\nhandler = "api:x"\n',
        "fluxlit.toml:5:8: routes[0].path: route paths start with '/', got 'x'",
        id="route path without slash",
    ),
    pytest.param(
        PAGE + '[[mounts]]\npath = "legacy"\napp = "a:b"\n',
        "fluxlit.toml:5:8: mounts[0].path: mount paths start with '/', got 'legacy'",
        id="mount path without slash",
    ),
    pytest.param(
        'pages = "home"\n',
        "fluxlit.toml:1:9: pages: expected an array, got 'home'",
        id="pages not an array",
    ),
    pytest.param(
        PAGE + 'title = "a"\ntitle = "b"\n',
        "fluxlit.toml:5:12: invalid TOML: Cannot overwrite a value",
        id="key given twice",
    ),
    pytest.param(
        PAGE + '[session_store]\nkind = "redis"\nurl = "redis://x"\n',
        "fluxlit.toml:4:1: session_store: kind = 'redis' needs url_env (the variable with the URL)"
        "\nfluxlit.toml:6:1: session_store.url: secrets are never written in the manifest;"
        " name the environment variable holding the Redis URL with url_env",
        id="inline redis url",
    ),
    pytest.param(
        PAGE + '[auth.jwt]\nissuer = "i"\naudience = "a"\nhs256_secret_env = "S"\n'
        "leeway_seconds = -5\n",
        "fluxlit.toml:8:18: auth.jwt.leeway_seconds: input should be greater than or equal to 0,"
        " got -5",
        id="negative leeway",
    ),
    pytest.param(
        PAGE + '[[routes]]\npath = "/x"\nhandler = "api:x"\nmethods = "GET"\n',
        "fluxlit.toml:7:11: routes[0].methods: expected an array, got 'GET'",
        id="methods not a list",
    ),
    pytest.param(
        PAGE + '[[routes]]\npath = "/x"\nhandler = "api:x"\nmethods = ["get"]\n',
        "fluxlit.toml:7:11: routes[0].methods[0]: expected one of 'GET', 'POST', 'PUT', 'PATCH',"
        " 'DELETE', 'HEAD' or 'OPTIONS', got 'get'",
        id="lower-case method",
    ),
    pytest.param(
        PAGE + '[[mounts]]\npath = "/s"\nstatic = "public"\nhtml = "yes"\n',
        "fluxlit.toml:7:8: mounts[0].html: input should be a valid boolean, got 'yes'",
        id="html not a boolean",
    ),
    pytest.param(
        PAGE + '[settings]\nruntime_mode = "fast"\n',
        "fluxlit.toml:5:16: settings.runtime_mode: expected one of 'auto', 'inprocess' or"
        " 'sidecar', got 'fast'",
        id="bad setting value",
    ),
    pytest.param(
        PAGE + "[settings]\nmax_request_body_bytes = -1\n",
        "fluxlit.toml:5:26: settings.max_request_body_bytes: input should be greater than or"
        " equal to 0, got -1",
        id="setting out of range",
    ),
    pytest.param(
        PAGE + '[pages.page_meta]\nlayot = "wide"\n',
        "fluxlit.toml:5:1: pages[0].page_meta.layot: unknown key 'layot' (did you mean 'layout'?)",
        id="misspelt page_meta key",
    ),
    pytest.param(
        'runtime_mode = "sidecar"\n' + PAGE,
        "fluxlit.toml:1:1: runtime_mode: 'runtime_mode' is a setting: move it under [settings]",
        id="setting at the top level",
    ),
    pytest.param(
        "pages = [1]\n",
        "fluxlit.toml:1:9: pages[0]: expected a table, got 1",
        id="page not a table",
    ),
    pytest.param(
        "navigation = 3\n" + PAGE,
        "fluxlit.toml:1:14: navigation: expected a table, got 3",
        id="navigation not a table",
    ),
    pytest.param(
        'api_mount_path = \'/x"""; import os; os.system("touch PWNED"); """\'\n' + PAGE,
        'fluxlit.toml:1:18: api_mount_path: \'/x"""; import os; os.system("touch PWNED"); """\' is not a URL path: use letters, digits and - . _ ~ between \'/\' (other characters percent-encoded)',
        id="code in api_mount_path",
    ),
    pytest.param(
        'root_path = "/a/../b"\n' + PAGE,
        "fluxlit.toml:1:13: root_path: '/a/../b' has a '.' or '..' segment",
        id="dot segment in root_path",
    ),
    pytest.param(
        PAGE + '[settings]\napi_mount_path = "/my api"\n',
        "fluxlit.toml:5:18: settings.api_mount_path: '/my api' is not a URL path: use letters, digits and - . _ ~ between '/' (other characters percent-encoded)",
        id="space in settings.api_mount_path",
    ),
    pytest.param(
        PAGE + "[session_store]\nttl_seconds = inf\n",
        "fluxlit.toml:5:15: session_store.ttl_seconds: expected a finite number, got inf (TOML's inf and nan are not accepted)",
        id="infinite ttl",
    ),
    pytest.param(
        PAGE + "[settings]\nproxy_read_timeout = -inf\nws_ping_interval_s = nan\n",
        "fluxlit.toml:5:22: settings.proxy_read_timeout: expected a finite number, got -inf (TOML's inf and nan are not accepted)"
        "\nfluxlit.toml:6:22: settings.ws_ping_interval_s: expected a finite number, got nan (TOML's inf and nan are not accepted)",
        id="non-finite settings",
    ),
    pytest.param(
        PAGE + '[[routes]]\npath = "/x"\nhandler = "api:x"\nmethods = ["GET", "GET"]\n',
        "fluxlit.toml:7:11: routes[0].methods: method GET is listed twice",
        id="method listed twice",
    ),
    pytest.param(
        PAGE
        + '[[mounts]]\npath = "/files"\nstatic = "a"\n[[mounts]]\npath = "/files/"\napp = "b:app"\n',
        "fluxlit.toml:8:8: mounts[1].path: duplicate mount path '/files' (also mounts[0])",
        id="duplicate mount path",
    ),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_each_mistake_is_reported_exactly(tmp_path: Path, text: str, expected: str) -> None:
    manifest = tmp_path / "fluxlit.toml"
    manifest.write_text(text, encoding="utf-8")
    with pytest.raises(ManifestError) as error:
        load_manifest(manifest)
    assert str(error.value) == expected
    assert all(p.line >= 1 and p.column >= 1 for p in error.value.problems)


def test_all_problems_are_reported_at_once(tmp_path: Path) -> None:
    manifest = tmp_path / "fluxlit.toml"
    manifest.write_text(
        'titel = "x"\ngateway_port = 0\n[[pages]]\npath = "/"\nhandlr = "a:b"\n'
        '[session_store]\nkind = "disk"\n[settings]\njwt_hs256_secret = "s"\n',
        encoding="utf-8",
    )
    with pytest.raises(ManifestError) as error:
        load_manifest(manifest)
    keys = [p.key_path for p in error.value.problems]
    assert keys == [
        "titel",
        "gateway_port",
        "pages[0].handlr",
        "session_store.kind",
        "settings.jwt_hs256_secret",
    ]
    assert [p.line for p in error.value.problems] == [1, 2, 5, 7, 9]


def test_pyproject_tool_table_locations(tmp_path: Path) -> None:
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text('[project]\nname = "x"\n\n[tool.fluxlit]\ntitle = 3\n', encoding="utf-8")
    with pytest.raises(ManifestError) as error:
        load_manifest(pyproject)
    assert str(error.value) == "pyproject.toml:5:9: title: input should be a valid string, got 3"


def test_type_errors_do_not_hide_other_mistakes() -> None:
    """A fixture with ten mistakes of different kinds yields ten problems, in file order."""
    with pytest.raises(ManifestError) as error:
        load_manifest(Path(__file__).parent / "manifests" / "many_mistakes.toml")
    assert str(error.value).splitlines() == [
        "many_mistakes.toml:1:1: titel: unknown key 'titel' (did you mean 'title'?)",
        "many_mistakes.toml:2:16: gateway_port: input should be less than or equal to 65535,"
        " got 80800",
        "many_mistakes.toml:6:1: settings.jwt_hs256_secret: secrets are never written in the"
        " manifest; set FLUXLIT_JWT_HS256_SECRET in the environment",
        'many_mistakes.toml:10:11: pages[0].handler: expected "module:function",'
        " got 'myapp.pages.home' (did you mean 'myapp.pages:home'?)",
        "many_mistakes.toml:12:1: pages[1]: give exactly one of handler or script",
        "many_mistakes.toml:13:8: pages[1].path: page paths start with '/', got 'reports'",
        "many_mistakes.toml:18:9: navigation.order[1]: no page has the path '/admin'",
        "many_mistakes.toml:22:11: routes[0].methods[1]: expected one of 'GET', 'POST', 'PUT',"
        " 'PATCH', 'DELETE', 'HEAD' or 'OPTIONS', got 'FETCH'",
        "many_mistakes.toml:24:10: routes[0].auth.role: unknown key 'role' (did you mean 'roles'?)",
        "many_mistakes.toml:26:1: session_store: kind = 'redis' needs url_env"
        " (the variable with the URL)",
    ]


def test_a_manifest_that_is_not_utf8_is_located(tmp_path: Path) -> None:
    manifest = tmp_path / "fluxlit.toml"
    manifest.write_bytes('title = "Café'.encode() + b' \xe9"\n' + PAGE.encode())
    with pytest.raises(ManifestError) as error:
        load_manifest(manifest)
    assert str(error.value) == (
        "fluxlit.toml:1:15: not UTF-8 text: byte 0xe9 cannot be decoded (save as UTF-8)"
    )


def test_a_broken_pyproject_is_reported_not_skipped(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\nversion = \n')
    with pytest.raises(ManifestError) as error:
        find_manifest(tmp_path)
    assert str(error.value) == "pyproject.toml:3:11: invalid TOML: Invalid value"
