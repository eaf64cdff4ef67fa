"""The `/openapi.json` the server publishes, made to say what it really accepts.

pydantic lists a field with a default as optional, so every command's `type`
(a `Literal` with a default) came out optional, yet the command union is
discriminated on it and a body without it is refused. Client generators and
fuzzers read the description: a tag marked required there keeps them honest.
Bodies that are not JSON at all get 400 from the framework, and any body over
`MAX_BODY_BYTES` gets 413 before a route sees it (`backend.bodylimit`): both are
listed on every operation that takes a body.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from domain.protocol import MAX_BODY_BYTES, Problem

# what any operation with a body may answer before the route itself reads it
BODY_ANSWERS = {
    "400": "the body could not be read as JSON",
    "413": f"the body is larger than {MAX_BODY_BYTES // 1024} KiB",
}


def require_tags(schema: dict[str, Any]) -> None:
    """Mark every `type` property with a `const` value as required (a union's tag)."""
    for component in schema.get("components", {}).get("schemas", {}).values():
        tag = component.get("properties", {}).get("type")
        if isinstance(tag, dict) and "const" in tag:
            required = component.setdefault("required", [])
            if "type" not in required:
                required.insert(0, "type")


def document_body_answers(schema: dict[str, Any]) -> None:
    content = {"application/json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for methods in schema.get("paths", {}).values():
        for operation in methods.values():
            if "requestBody" in operation:
                responses = operation.setdefault("responses", {})
                for status, description in BODY_ANSWERS.items():
                    responses.setdefault(status, {"description": description, "content": content})


def install(app: FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title,
                version=app.version,
                summary=app.summary,
                routes=app.routes,
            )
            schema.setdefault("components", {}).setdefault("schemas", {}).setdefault(
                "Problem", Problem.model_json_schema(ref_template="#/components/schemas/{model}")
            )
            require_tags(schema)
            document_body_answers(schema)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
