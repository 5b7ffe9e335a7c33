"""Errors the simulator answers with, in Zendesk's JSON error shape."""

from __future__ import annotations


class ApiError(Exception):
    """Becomes an HTTP answer `{"error": error, "description": description, ...extra}`."""

    def __init__(self, status: int, error: str, description: str, **extra):
        super().__init__(description)
        self.status = status
        self.error = error
        self.description = description
        self.extra = extra
        self.headers: dict[str, str] = {}

    def body(self) -> dict:
        return {"error": self.error, "description": self.description, **self.extra}


def not_found(what: str) -> ApiError:
    return ApiError(404, "RecordNotFound", f"{what} not found")


def record_invalid(field: str, message: str) -> ApiError:
    return ApiError(422, "RecordInvalid", "Record validation errors",
                    details={field: [{"description": message}]})


def too_many_values(parameter: str, limit: int) -> ApiError:
    return ApiError(400, "TooManyValues", f"Parameter {parameter} cannot specify more than {limit} values",
                    max_count=limit)
