"""Request bodies: JSON read into a schema model, or 400 InvalidInput saying what is wrong."""

from __future__ import annotations

from typing import TypeVar

from fastapi import Request
from pydantic import BaseModel, ValidationError

from amazon_connector.sandbox.errors import invalid_input

INVALID_INPUT = "Invalid Input"
M = TypeVar("M", bound=BaseModel)


async def parsed(request: Request, model: type[M], message: str = INVALID_INPUT) -> M:
    try:
        raw = await request.json()
    except ValueError:
        raise invalid_input(message, "The request body is not JSON.") from None
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        details = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'body'}: {e['msg']}" for e in exc.errors()
        )
        raise invalid_input(message, details) from None
