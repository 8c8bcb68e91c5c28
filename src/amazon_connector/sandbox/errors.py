"""SP-API error answers: the ``{"errors": [...]}`` body for every failure, unknown paths included."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from amazon_connector.api.schemas import Error, ErrorList
from amazon_connector.sandbox.answers import answer

ACCESS_DENIED = "Access to requested resource is denied."


class SpApiError(Exception):
    """An SP-API request the emulator refuses, with Amazon's status, code, message and details."""

    def __init__(self, status: int, code: str, message: str, details: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details


def denied(details: str = "") -> SpApiError:
    """403 Unauthorized, as Amazon answers a missing, bad or insufficient token."""
    return SpApiError(403, "Unauthorized", ACCESS_DENIED, details)


def invalid_input(message: str, details: str = "") -> SpApiError:
    return SpApiError(400, "InvalidInput", message, details)


def error_response(status: int, code: str, message: str, details: str | None = None) -> JSONResponse:
    return answer(ErrorList(errors=[Error(code=code, message=message, details=details)]), status)


async def _spapi_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, SpApiError)
    return error_response(exc.status, exc.code, exc.message, exc.details)


async def _http_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    if exc.status_code in (404, 405):
        return error_response(404, "ResourceNotFound", "Cannot find resource by the given URI")
    return error_response(exc.status_code, "InvalidInput", str(exc.detail))


def install_error_handlers(app: FastAPI) -> None:
    """Answer SpApiError and the framework's refusals (no such route, unreadable body) with Amazon's
    error body."""
    app.add_exception_handler(SpApiError, _spapi_error)
    app.add_exception_handler(HTTPException, _http_error)
