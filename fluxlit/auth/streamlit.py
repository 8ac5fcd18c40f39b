"""Streamlit helpers for the BFF login: exchange ``?auth_code=`` and call the API with it.

Tokens live in ``st.session_state`` only; nothing here logs them.
"""

from __future__ import annotations

import contextlib
from typing import Any

from fluxlit.client import ApiClient

DEFAULT_SESSION_KEY = "fluxlit_access_token"


def bearer_headers_from_session(
    st_module: Any, *, session_key: str = DEFAULT_SESSION_KEY
) -> dict[str, str]:
    """``{"Authorization": "Bearer ..."}`` from session state, or ``{}`` when signed out."""
    token = st_module.session_state.get(session_key)
    return {"Authorization": f"Bearer {token}"} if token else {}


def exchange_auth_code_from_query(
    st_module: Any,
    client: ApiClient,
    *,
    exchange_path: str = "/auth/exchange",
    query_key: str = "auth_code",
    session_key: str = DEFAULT_SESSION_KEY,
) -> str | None:
    """Trade ``?auth_code=`` for an access token, keep it in session, drop it from the URL.

    Returns the token when a code was exchanged, else ``None``. HTTP errors from the
    exchange endpoint raise ``httpx.HTTPStatusError``.
    """
    code = st_module.query_params.get(query_key)
    if isinstance(code, list):
        code = code[0] if code else None
    if not code:
        return None
    with contextlib.suppress(KeyError, AttributeError):
        del st_module.query_params[query_key]
    response = client.post(exchange_path, json={"code": code})
    response.raise_for_status()
    token = str(response.json()["access_token"])
    st_module.session_state[session_key] = token
    return token


def prepare_streamlit_api_client(
    st_module: Any,
    *,
    exchange_path: str = "/auth/exchange",
    session_key: str = DEFAULT_SESSION_KEY,
    **client_options: Any,
) -> ApiClient:
    """Exchange a pending ``auth_code`` and return an ``ApiClient`` (with the bearer if any)."""
    with ApiClient(**client_options) as anonymous:
        exchange_auth_code_from_query(
            st_module, anonymous, exchange_path=exchange_path, session_key=session_key
        )
    token = st_module.session_state.get(session_key)
    if token:
        return ApiClient.for_fluxlit(bearer_token=str(token), **client_options)
    return ApiClient(**client_options)
