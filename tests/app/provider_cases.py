"""Per provider: one valid update and the provider's documented error body for a status.

Used by the error-class matrix in test_errors.py, which runs every case through the
whole app against an `httpx.MockTransport` standing in for the provider.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from inboxgraph.domain.provider import Provider


@dataclass(frozen=True)
class ProviderCase:
    valid_input: dict[str, Any]
    error_body: Callable[[int], Any]


def _puffle_error(status: int) -> Any:
    return {"error": {401: "Unauthorized", 404: "Conversation not found"}.get(status, "Error")}


PROVIDER_CASES: dict[Provider, ProviderCase] = {
    Provider.PUFFLE: ProviderCase(
        valid_input={
            "puffle": {"id": "f11e8a2c-1234-4567-89ab-cdef01234567", "status": "ARCHIVED"}
        },
        error_body=_puffle_error,
    ),
    Provider.AYRSHARE: ProviderCase(
        valid_input={
            "ayrshare": {
                "platform": "INSTAGRAM",
                "conversationId": "aWdfZMTpIyzQw",
                "status": "ARCHIVED",
            }
        },
        # Only code 101 (missing or incorrect parameters) is documented; other errors carry none.
        error_body=lambda status: {
            "action": "request",
            "status": "error",
            **({"code": 101} if status == 400 else {}),
            "message": {
                400: "Missing or incorrect parameters. Please verify with the docs. "
                ".../ayrshare.com/rest-api/endpoints",
                401: "API Key not valid. Please verify your API Key.",
                403: "Profile Key not valid. Please verify the Profile Key.",
                404: "Conversation not found.",
                429: "Too many requests.",
            }.get(status, "Internal error."),
        },
    ),
    Provider.HIGHLEVEL: ProviderCase(
        valid_input={"highLevel": {"messageId": "ve9EPM428h8vShlRW1KT", "status": "READ"}},
        error_body=lambda status: {
            "statusCode": status,
            "message": {
                400: ["recipients must be an array", "emailMessageId must be a string"],
                401: "Invalid token: access token is invalid",
                403: "You do not have permission to access this resource",
                404: "Message not found",
                429: "Too many requests",
            }.get(status, "Service Unavailable"),
            "error": {
                400: "Bad Request",
                401: "Unauthorized",
                403: "Forbidden",
                404: "Not Found",
                429: "Too Many Requests",
            }.get(status, "Service Unavailable"),
        },
    ),
    Provider.VCITA: ProviderCase(
        valid_input={"vcita": {"uid": "89m2pnabgozdvd9f", "archived": True}},
        # vcita's API controllers answer a rejected token with coded `errors`; other
        # errors follow its documented `{"status": "Error", "error"}` convention.
        error_body=lambda status: (
            {"success": False, "errors": [{"code": "unauthorized", "message": "401 Unauthorized"}]}
            if status == 401
            else {
                "status": "Error",
                "error": {
                    400: "Invalid parameters",
                    403: "Forbidden",
                    404: "Conversation not found",
                    429: "Too many requests",
                }.get(status, "Service unavailable"),
            }
        ),
    ),
    Provider.EBAY: ProviderCase(
        valid_input={
            "ebay": {
                "conversationId": "1000000000001",
                "conversationType": "FROM_MEMBERS",
                "read": True,
            }
        },
        # Message API errorIds (355xxx, 335000) and eBay's common REST errors (1001, 1100, 2001).
        error_body=lambda status: {
            "errors": [
                dict(
                    zip(
                        ("errorId", "domain", "category", "message"),
                        {
                            400: (
                                355001,
                                "API_MESSAGE",
                                "REQUEST",
                                "Invalid conversationStatus value. "
                                "Please see documentation for valid values.",
                            ),
                            401: (1001, "OAuth", "REQUEST", "Invalid access token"),
                            403: (
                                1100,
                                "ACCESS",
                                "REQUEST",
                                "Access denied: Insufficient permissions to fulfill the request",
                            ),
                            404: (
                                355007,
                                "API_MESSAGE",
                                "REQUEST",
                                "Invalid or unrecognized conversation_id value.",
                            ),
                            429: (2001, "ACCESS", "REQUEST", "Too many requests"),
                        }.get(
                            status,
                            (
                                335000,
                                "API_MESSAGE",
                                "APPLICATION",
                                "Internal server error encountered.",
                            ),
                        ),
                        strict=True,
                    )
                )
            ]
        },
    ),
}
