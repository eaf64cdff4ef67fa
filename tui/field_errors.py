"""A field's problem in a person's words: which field, and what it takes.

Pydantic's own messages ("String should have at most 60 characters") name
neither the field nor what was typed; the form shows these instead.
"""

from __future__ import annotations

from collections.abc import Sized

from pydantic_core import ErrorDetails


def in_words(error: ErrorDetails, label: str) -> str:
    """`location: at most 60 characters (65 typed)`."""
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    typed = error.get("input")
    count = f" ({len(typed)} typed)" if isinstance(typed, Sized) else ""
    if kind == "string_too_long":
        return f"{label}: at most {ctx.get('max_length')} characters{count}"
    if kind == "string_too_short":
        least = ctx.get("min_length", 1)
        return (
            f"{label}: cannot be empty" if least == 1 else f"{label}: at least {least} characters"
        )
    if kind == "too_long":
        return f"{label}: at most {ctx.get('max_length')} of them{count.replace('typed', 'given')}"
    if kind in ("greater_than_equal", "greater_than"):
        return f"{label}: {ctx.get('ge', ctx.get('gt'))} or more"
    if kind in ("less_than_equal", "less_than"):
        return f"{label}: {ctx.get('le', ctx.get('lt'))} or less"
    message = str(error.get("msg", "not valid")).removeprefix("Value error, ")
    return f"{label}: {message[:1].lower()}{message[1:]}"
