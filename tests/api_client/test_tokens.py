from __future__ import annotations

from collections.abc import Iterator

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import chainer, fail, null

from api_client.tokens import (
    KeyringTokenStore,
    MemoryTokenStore,
    default_token_store,
    keyring_problem,
)


class VaultKeyring(KeyringBackend):
    """A real keyring backend that keeps secrets in this process (like a system vault)."""

    # below every real backend: keyring must never pick it on its own, only set_keyring
    priority = -5

    def __init__(self) -> None:
        super().__init__()
        self.secrets: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.secrets.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.secrets[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.secrets.pop((service, username), None) is None:
            raise keyring.errors.PasswordDeleteError(username)


class PlaintextKeyring(VaultKeyring):
    """Named like keyrings.alt's file backend: base64 in a file, not a vault."""


@pytest.fixture
def restore_keyring() -> Iterator[None]:
    before = keyring.get_keyring()
    yield
    keyring.set_keyring(before)


def test_no_keyring_means_memory_only_with_a_warning(restore_keyring: None) -> None:
    keyring.set_keyring(fail.Keyring())
    store, warning = default_token_store()
    assert isinstance(store, MemoryTokenStore)
    assert warning == "no system keyring: the sign-in is kept in memory only"


@pytest.mark.parametrize("backend", [null.Keyring(), PlaintextKeyring()])
def test_null_and_plaintext_backends_are_not_trusted(backend: KeyringBackend) -> None:
    assert keyring_problem(backend) is not None


class EmptyChainer(chainer.ChainerBackend):
    backends = ()  # what a headless terminal's chainer finds
    priority = -5


class ChainerWithPlaintext(chainer.ChainerBackend):
    backends = (VaultKeyring(), PlaintextKeyring())
    priority = -5


def test_chainers_with_nothing_usable_are_not_trusted() -> None:
    assert keyring_problem(EmptyChainer()) == "no system keyring"
    # the chainer writes to whichever member takes the token first
    assert keyring_problem(ChainerWithPlaintext()) == "only a plaintext keyring file"


def test_a_real_keyring_keeps_and_forgets_the_token(restore_keyring: None) -> None:
    vault = VaultKeyring()
    keyring.set_keyring(vault)
    store, warning = default_token_store()
    assert isinstance(store, KeyringTokenStore) and warning is None
    store.put("h1@https://floor", "secret-token")
    assert vault.secrets[("floorline", "h1@https://floor")] == "secret-token"
    store.delete("h1@https://floor")
    store.delete("h1@https://floor")  # already gone: fine
    assert store.get("h1@https://floor") is None
