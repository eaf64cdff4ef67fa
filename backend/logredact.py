"""Keep session tokens out of the server's logs, whatever the log level.

At debug level uvicorn's websocket layer logs every handshake header, the
`Authorization: Bearer ...` one included, and the request line, which holds a
token when a misconfigured terminal puts it in the URL. A log file outlives
the session and is read by more people than the floor's terminals: the
token is replaced before any handler writes the line.
"""

from __future__ import annotations

import logging
import re

REDACTED = "[redacted]"
_SECRETS = (
    re.compile(r"(?i)(\bbearer\s+)[^\s\"',]+"),
    re.compile(r"(?i)([?&](?:access_)?token=)[^&\s\"']+"),
)


def redact(text: str) -> str:
    for pattern in _SECRETS:
        text = pattern.sub(lambda m: m.group(1) + REDACTED, text)
    return text


class RedactSecrets(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            return True  # a broken format string is logging's problem, not a secret
        clean = redact(message)
        if clean != message:
            record.msg, record.args = clean, None
        return True


def install(
    logger_names: tuple[str, ...] = ("uvicorn", "uvicorn.error", "uvicorn.access", ""),
) -> None:
    """Redact on these loggers and on every handler they have (records propagate)."""
    secret_filter = RedactSecrets()
    for name in logger_names:
        logger = logging.getLogger(name)
        logger.addFilter(secret_filter)
        for handler in logger.handlers:
            handler.addFilter(secret_filter)
