"""Which operation a request is: its method and path matched against the catalog's path templates.

A path is split on ``/`` before its segments are decoded, so an ID with an encoded slash (``%2F``) stays
one segment; a greedy parameter (the Uploads API's ``resource``) takes the rest of the path. A literal
segment wins over a parameter in the same place.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from urllib.parse import unquote

from starlette.types import Scope

from amazon_connector.api.catalog import Operation, catalog
from amazon_connector.api.shapes import greedy_parameter


@dataclass(frozen=True, slots=True)
class Route:
    operation: Operation
    segments: tuple[str, ...]
    """Literal segments, and ``{name}`` for parameters."""
    greedy: str | None

    @property
    def precedence(self) -> tuple[bool, tuple[bool, ...]]:
        """Sorts before another route that could match the same path: not greedy, and a literal
        segment where the other has a parameter (left to right)."""
        return self.greedy is not None, tuple(s.startswith("{") for s in self.segments)

    def match(self, segments: list[str]) -> dict[str, str] | None:
        """The path parameters of ``segments`` (decoded), or None if they are not this route's."""
        fixed = len(self.segments) - (1 if self.greedy else 0)
        too_short = len(segments) < len(self.segments)
        if too_short or (not self.greedy and len(segments) != len(self.segments)):
            return None
        found: dict[str, str] = {}
        for template, given in zip(self.segments[:fixed], segments, strict=False):
            if template.startswith("{"):
                found[template[1:-1]] = unquote(given)  # empty: the parameter's check refuses it
            elif template != unquote(given):
                return None
        if self.greedy:
            found[self.greedy] = unquote("/".join(segments[fixed:]))
        return found


class Routes:
    """The operations by method, most literal segments first."""

    def __init__(self, operations: Iterable[Operation]) -> None:
        self._by_method: dict[str, list[Route]] = {}
        for op in operations:
            route = Route(op, tuple(op.path.removeprefix("/").split("/")), greedy_parameter(op))
            self._by_method.setdefault(op.method, []).append(route)
        for routes in self._by_method.values():
            routes.sort(key=lambda r: r.precedence)

    def match(self, method: str, raw_path: str) -> tuple[Operation, dict[str, str]] | None:
        """The operation a request is for and its path parameters; None for no operation."""
        segments = raw_path.removeprefix("/").split("/")
        for route in self._by_method.get(method.upper(), ()):
            params = route.match(segments)
            if params is not None:
                return route.operation, params
        return None


def raw_path(scope: Scope) -> str:
    """The request's path as sent (segments still encoded)."""
    raw: bytes | None = scope.get("raw_path")
    return raw.decode("latin-1") if raw else str(scope["path"])


def operation_of(scope: Scope) -> tuple[Operation, dict[str, str]] | None:
    """The operation an HTTP request is for, and its path parameters."""
    return routes().match(scope["method"], raw_path(scope))


@cache
def routes() -> Routes:
    """The routes of every operation of the catalog."""
    return Routes(catalog().operations)
