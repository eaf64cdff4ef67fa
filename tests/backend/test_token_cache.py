"""Checked tokens are remembered briefly, never past a sign-out, and a storm costs one query."""

from __future__ import annotations

import asyncio

import pytest

from backend.auth import AuthError
from backend.token_cache import TokenCache


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_a_storm_of_one_token_costs_one_lookup() -> None:
    cache: TokenCache[str] = TokenCache()
    lookups = 0

    async def lookup() -> str:
        nonlocal lookups
        lookups += 1
        await asyncio.sleep(0.01)
        return "session"

    answers = await asyncio.gather(*(cache.get("digest", lookup) for _ in range(300)))
    assert answers == ["session"] * 300 and lookups == 1


async def test_distinct_tokens_query_a_few_at_a_time() -> None:
    cache: TokenCache[str] = TokenCache(concurrency=2)
    running = most = 0

    async def lookup() -> str:
        nonlocal running, most
        running += 1
        most = max(most, running)
        await asyncio.sleep(0.005)
        running -= 1
        return "session"

    await asyncio.gather(*(cache.get(f"digest-{n}", lookup) for n in range(50)))
    assert most == 2


async def test_trusted_for_the_ttl_then_asked_again() -> None:
    clock = Clock()
    cache: TokenCache[str] = TokenCache(ttl=5.0, clock=clock)
    answers = iter(["valid", "revoked elsewhere"])

    async def lookup() -> str:
        return next(answers)

    assert await cache.get("digest", lookup) == "valid"
    clock.now += 4.9
    assert await cache.get("digest", lookup) == "valid"
    clock.now += 0.2
    assert await cache.get("digest", lookup) == "revoked elsewhere"


async def test_a_sign_out_is_not_remembered_past() -> None:
    cache: TokenCache[str] = TokenCache()
    revoked = False

    async def lookup() -> str:
        if revoked:
            raise AuthError("this session was signed out; sign in again")
        return "session"

    assert await cache.get("digest", lookup) == "session"
    revoked = True
    cache.forget("digest")
    for _ in range(2):  # a refusal is not cached either
        with pytest.raises(AuthError):
            await cache.get("digest", lookup)
