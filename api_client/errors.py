"""What can go wrong, as a caller sees it.

    ClientError
     ├── SignInFailed        the server said no (wrong PIN, unknown staff ID)
 │    └── PinChangeRequired   right PIN, but a one-time one: choose a new one first
     ├── ServerUnreachable   no answer at all: network gone or backend down
     ├── SessionEnded        the server no longer accepts our token (401/403)
     ├── ServerTrouble       the server answered, but not usefully (5xx, 429, a
     │                       proxy's page, bad body): retry, after `retry_after`
     ├── NotSignedIn         an action that needs a session, with none held
     └── CannotWithdraw      a queued command already sent (or answered): it stays

Domain rejections (`domain.Rejected`) pass through `FloorClient.submit`
unchanged: they are the floor rules speaking, not the client.
"""

from __future__ import annotations

import ssl


class ClientError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class SignInFailed(ClientError):
    """The server refused the staff ID and PIN; the message says why."""


class PinChangeRequired(SignInFailed):
    """The PIN was right but given once: `FloorClient.change_pin` before anything else."""


class ServerUnreachable(ClientError):
    """The backend could not be reached; the message names the cause.

    `may_have_arrived` is False when the request never left (no connection was
    made), True when it was lost on the way or its answer was.
    """

    def __init__(self, message: str, *, may_have_arrived: bool = True) -> None:
        super().__init__(message)
        self.may_have_arrived = may_have_arrived


class SessionEnded(ClientError):
    """The token expired, was revoked, or the account may no longer sign in."""

    def __init__(self, message: str, *, forbidden: bool = False) -> None:
        super().__init__(message)
        self.forbidden = forbidden


class ServerTrouble(ClientError):
    """A 5xx, a 429, or a body we cannot read: worth a retry later, not the user's fault.

    `retry_after` is the wait the answer asked for (`Retry-After`), in seconds.
    """

    def __init__(self, message: str, *, status: int = 0, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after


class CannotWithdraw(ClientError):
    """The command is no longer only on this terminal: sent, answered, or needed by others."""


class NotSignedIn(ClientError):
    """`start()` or `submit()` was called before `sign_in()` or `restore()`."""


def certificate_problem(exc: BaseException) -> str | None:
    """Words for a refused server certificate, found anywhere in `exc`'s causes."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ssl.SSLCertVerificationError):
            why = seen.verify_message or seen.reason or "not trusted"
            return f"the server's certificate is not trusted ({why}); see --ca-bundle"
        seen = seen.__cause__ or seen.__context__
    return None
