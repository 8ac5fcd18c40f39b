"""RedisSessionStore against a real redis-server: TTLs, JSON, and two replicas sharing it."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from fluxlit.model import SessionStoreModel
from fluxlit.redis_store import RedisSessionStore, session_store_from_model
from fluxlit.url_session import InMemorySessionStore, ensure_url_session, hydrate_url_session
from tests.helpers.servers import redis_server

pytestmark = [pytest.mark.live, pytest.mark.slow]


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with redis_server(tmp_path_factory.mktemp("redis")) as (url, _):
        yield url


def test_round_trip_and_ttl(redis_url: str) -> None:
    store = RedisSessionStore(redis_url, default_ttl_seconds=0.3)
    store.set("a", {"n": 1, "nested": {"x": [1, 2]}, "odd": object()})
    got = store.get("a")
    assert got is not None and got["n"] == 1 and got["nested"] == {"x": [1, 2]}
    assert isinstance(got["odd"], str)
    store.set("keep", {"k": True}, ttl_seconds=0)
    time.sleep(0.5)
    assert store.get("a") is None, "default TTL expired the key"
    assert store.get("keep") == {"k": True}, "ttl 0 means no expiry"
    store.delete("keep")
    assert store.get("keep") is None


def test_two_replicas_share_sessions(redis_url: str, fake_st) -> None:
    replica_a = RedisSessionStore(redis_url)
    replica_b = RedisSessionStore(redis_url)
    first = fake_st()
    sid = ensure_url_session(first, replica_a, initial={"cart": ["lamp"]})
    reloaded_elsewhere = fake_st({"fluxlit_sid": sid})
    assert hydrate_url_session(reloaded_elsewhere, replica_b) == sid
    assert reloaded_elsewhere.session_state["cart"] == ["lamp"]


def test_store_from_model(redis_url: str, monkeypatch) -> None:
    assert isinstance(session_store_from_model(SessionStoreModel()), InMemorySessionStore)
    model = SessionStoreModel(kind="redis", url_env="MY_REDIS")
    with pytest.raises(ValueError, match=r"\$MY_REDIS"):
        session_store_from_model(model)
    monkeypatch.setenv("MY_REDIS", redis_url)
    assert isinstance(session_store_from_model(model), RedisSessionStore)
    with pytest.raises(ValueError, match="url="):
        RedisSessionStore()
