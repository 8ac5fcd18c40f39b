"""Protected routes accept good tokens and refuse the rest."""

import os

os.environ.setdefault("FLUXLIT_JWT_HS256_SECRET", "test-secret-" + "x" * 32)

from fluxlit.auth import issue_hs256_access_token
from fluxlit.testing import FluxLitTestClient, assert_no_streamlit_exception

from app import app


def token(**claims: object) -> dict[str, str]:
    value = issue_hs256_access_token(
        subject="ada",
        issuer=os.environ["FLUXLIT_JWT_ISSUER"],
        audience=os.environ["FLUXLIT_JWT_AUDIENCE"],
        secret=os.environ["FLUXLIT_JWT_HS256_SECRET"],
        ttl_seconds=60,
        extra_claims=claims,
    )
    return {"Authorization": f"Bearer {value}"}


def test_public_and_protected_routes() -> None:
    client = FluxLitTestClient(app)
    assert client.api_get("/public").status_code == 200
    assert client.api_get("/me").status_code == 401
    assert client.api_get("/me", headers=token()).json() == {"sub": "ada"}
    assert client.api_get("/admin", headers=token()).status_code == 403
    assert client.api_get("/admin", headers=token(roles=["admin"])).status_code == 200


def test_page_signed_out_by_default() -> None:
    at = FluxLitTestClient(app).streamlit(target="app:app")
    assert_no_streamlit_exception(at)
    assert at.markdown[0].value == "Signed out"
