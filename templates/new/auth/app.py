"""A FluxLit app with JWT auth: a public route, a protected one, and a role check.

Development reads FLUXLIT_JWT_HS256_SECRET from the generated .env; in production set
FLUXLIT_JWT_ISSUER, FLUXLIT_JWT_AUDIENCE and FLUXLIT_JWT_HS256_SECRET (or
FLUXLIT_JWT_JWKS_URL for RS256/ES256 tokens from your identity provider).
"""

import os
from typing import Any

from fastapi import Depends

from fluxlit import FluxLit
from fluxlit.auth import RequireRoles, StandardClaims, prepare_streamlit_api_client

os.environ.setdefault("FLUXLIT_JWT_ISSUER", "__SLUG__-dev")
os.environ.setdefault("FLUXLIT_JWT_AUDIENCE", "__SLUG__")

app = FluxLit(title="__TITLE__", import_target="app:app")
bearer = app.make_jwt_bearer()


@app.api.get("/public")
def public() -> dict[str, str]:
    return {"hello": "everyone"}


@app.api.get("/me")
async def me(user: StandardClaims = Depends(bearer)) -> dict[str, Any]:
    return {"sub": user.sub}


@app.api.get("/admin", dependencies=[Depends(RequireRoles(bearer, "admin"))])
async def admin() -> dict[str, str]:
    return {"area": "admin"}


@app.page("/", title="Home")
def home(st: Any, client: Any) -> None:
    st.title("__TITLE__")
    authed = prepare_streamlit_api_client(st)
    response = authed.get("/me")
    st.write(
        "Signed in as " + response.json()["sub"] if response.status_code == 200 else "Signed out"
    )
