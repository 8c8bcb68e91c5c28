"""One SP-API request past the generic layers, as a stateful operation's handler receives it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from starlette.requests import Request
from starlette.responses import Response

from amazon_connector.api.catalog import Operation
from amazon_connector.sandbox.context import Sandbox, own_url
from amazon_connector.sandbox.spapi.access import Identity
from amazon_connector.sandbox.spapi.errors import invalid_input
from amazon_connector.sandbox.spapi.inputs import Inputs

INVALID_INPUT = "Invalid Input"
M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True, slots=True)
class Call:
    """An authorised request whose parameters the model's checks passed."""

    operation: Operation
    identity: Identity
    sandbox: Sandbox
    request: Request
    inputs: Inputs

    def path(self, name: str) -> str:
        return self.inputs.path[name]

    def query(self, name: str, default: Any = None) -> Any:
        """A query parameter, read by its type (lists as lists); ``default`` when it is absent."""
        return self.inputs.query.get(name, default)

    def body(self, model: type[M], message: str = INVALID_INPUT) -> M:
        """The JSON body as a schema model; 400 InvalidInput if it does not fit."""
        try:
            return model.model_validate(self.inputs.body)
        except ValidationError as exc:
            details = "; ".join(
                f"{'.'.join(str(p) for p in e['loc']) or 'body'}: {e['msg']}" for e in exc.errors()
            )
            raise invalid_input(message, details) from None

    @property
    def data_elements(self) -> frozenset[str] | None:
        """The PII the token opens for this request (None for a plain access token)."""
        return self.identity.data_elements(self.request.method, self.request.url.path)

    @property
    def own_url(self) -> str:
        """The emulator's own address, the base of the document URLs it hands out."""
        return own_url(self.request.scope)


Handler = Callable[[Call], Awaitable[Response]]
"""Answers one stateful operation."""
