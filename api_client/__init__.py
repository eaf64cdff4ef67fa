"""The client half of floorline's sync protocol: no UI, usable from any script.

`FloorClient` signs in, keeps a local replica of the floor and a durable
outbox, and syncs both with the backend in the background.

    ClientError
     ├── SignInFailed
     ├── ServerUnreachable
     ├── SessionEnded
     ├── ServerTrouble
     └── NotSignedIn
"""

from api_client.client import FloorClient
from api_client.contract import Changes, Conflict, ConnectionStatus, Link, PendingCommand
from api_client.errors import (
    ClientError,
    NotSignedIn,
    ServerTrouble,
    ServerUnreachable,
    SessionEnded,
    SignInFailed,
)
from api_client.summaries import incident_label
from api_client.tokens import KeyringTokenStore, MemoryTokenStore, TokenStore, TokenStoreError

__all__ = [
    "Changes",
    "ClientError",
    "Conflict",
    "ConnectionStatus",
    "FloorClient",
    "KeyringTokenStore",
    "Link",
    "MemoryTokenStore",
    "NotSignedIn",
    "PendingCommand",
    "ServerTrouble",
    "ServerUnreachable",
    "SessionEnded",
    "SignInFailed",
    "TokenStore",
    "TokenStoreError",
    "incident_label",
]
