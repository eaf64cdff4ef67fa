"""Where the session token lives: the system keyring, or memory only.

A token is never written to a plain file. Where the keyring has no real
backend (a headless floor terminal) or only a plaintext one (keyrings.alt
stores base64 in a file), the token is kept in memory for this process and
the user is told why they will sign in again after a restart.

`keyring` is imported only when the system keyring is first used: loading its
backends costs a start-up that a terminal with a token store of its own, or
with no stored sign-in yet, need not pay.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from keyring.backend import KeyringBackend

log = logging.getLogger(__name__)

SERVICE = "floorline"


class TokenStoreError(Exception):
    """The store refused or failed (a locked or broken keyring)."""


class TokenStore(Protocol):
    """Raises `TokenStoreError` when the store cannot do what is asked."""

    def get(self, account: str) -> str | None: ...
    def put(self, account: str, token: str) -> None: ...
    def delete(self, account: str) -> None: ...


class MemoryTokenStore:
    """Tokens for the life of this process only."""

    def __init__(self) -> None:
        self._tokens: dict[str, str] = {}

    def get(self, account: str) -> str | None:
        return self._tokens.get(account)

    def put(self, account: str, token: str) -> None:
        self._tokens[account] = token

    def delete(self, account: str) -> None:
        self._tokens.pop(account, None)


class KeyringTokenStore:
    """Tokens in the system keyring under service "floorline"."""

    def __init__(self, backend: KeyringBackend | None = None) -> None:
        import keyring

        self._backend = backend or keyring.get_keyring()

    def get(self, account: str) -> str | None:
        from keyring.errors import KeyringError

        try:
            return self._backend.get_password(SERVICE, account)
        except KeyringError as exc:
            raise TokenStoreError(str(exc)) from exc

    def put(self, account: str, token: str) -> None:
        from keyring.errors import KeyringError

        try:
            self._backend.set_password(SERVICE, account, token)
        except KeyringError as exc:
            raise TokenStoreError(str(exc)) from exc

    def delete(self, account: str) -> None:
        from keyring.errors import KeyringError, PasswordDeleteError

        try:
            self._backend.delete_password(SERVICE, account)
        except PasswordDeleteError:
            pass  # already gone
        except KeyringError as exc:
            raise TokenStoreError(str(exc)) from exc


def account_for(staff_id: str, server: str) -> str:
    return f"{staff_id}@{server}"


def keyring_problem(backend: KeyringBackend) -> str | None:
    """Why `backend` must not hold a token, or None when it is a real keyring."""
    from keyring.backends import chainer, fail, null

    if isinstance(backend, fail.Keyring | null.Keyring):
        return "no system keyring"
    if isinstance(backend, chainer.ChainerBackend):
        members = list(backend.backends)
        if not members:
            return "no system keyring"
        problems = [keyring_problem(m) for m in members]
        # the chainer writes to the first member that takes it: one plaintext
        # member is enough to put a token in a file
        plaintext = next((p for p in problems if p and "plaintext" in p), None)
        if plaintext or all(problems):
            return plaintext or problems[0]
        return None
    module = type(backend).__module__
    name = type(backend).__name__.lower()
    if module.startswith("keyrings.alt") or "plaintext" in name:
        return "only a plaintext keyring file"
    return None


def default_token_store() -> tuple[TokenStore, str | None]:
    """The keyring when it is safe, else memory; with the warning to show."""
    import keyring

    try:
        backend = keyring.get_keyring()
    except Exception as exc:  # a broken keyring configuration must not stop sign-in
        log.warning("keyring unavailable: %s", exc)
        backend = None
    problem = "no usable system keyring" if backend is None else keyring_problem(backend)
    if problem is not None:
        return MemoryTokenStore(), f"{problem}: the sign-in is kept in memory only"
    return KeyringTokenStore(backend), None
