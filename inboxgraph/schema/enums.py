from __future__ import annotations

from enum import Enum

import strawberry


@strawberry.enum
class Provider(Enum):
    AYRSHARE = "AYRSHARE"
    PUFFLE = "PUFFLE"
    HIGHLEVEL = "HIGHLEVEL"
    VCITA = "VCITA"
    EBAY = "EBAY"


@strawberry.enum
class UpdateErrorCode(Enum):
    INVALID_INPUT = strawberry.enum_value(
        "INVALID_INPUT",
        description="The input breaks a documented rule; nothing was sent to the provider.",
    )
    NOT_FOUND = strawberry.enum_value(
        "NOT_FOUND",
        description=(
            "The provider does not know the conversation/message, or it is not the caller's."
        ),
    )
    UNAUTHENTICATED = strawberry.enum_value(
        "UNAUTHENTICATED", description="The provider rejected the credentials."
    )
    FORBIDDEN = strawberry.enum_value(
        "FORBIDDEN", description="The provider refused the operation for these credentials."
    )
    RATE_LIMITED = strawberry.enum_value(
        "RATE_LIMITED",
        description="The provider (or the client-side pacing) says: too many requests.",
    )
    UPSTREAM_ERROR = strawberry.enum_value(
        "UPSTREAM_ERROR", description="The provider answered with an error not covered above."
    )
    UPSTREAM_UNAVAILABLE = strawberry.enum_value(
        "UPSTREAM_UNAVAILABLE", description="The provider could not be reached or answered 5xx."
    )
    TIMEOUT = strawberry.enum_value("TIMEOUT", description="The provider did not answer in time.")
    NOT_CONFIGURED = strawberry.enum_value(
        "NOT_CONFIGURED",
        description="No credentials/endpoint are configured for this provider.",
    )


@strawberry.enum
class AyrsharePlatform(Enum):
    FACEBOOK = "facebook"
    INSTAGRAM = "instagram"
    TWITTER = "twitter"


@strawberry.enum
class AyrshareConversationStatus(Enum):
    ACTIVE = "active"
    ARCHIVED = "archived"


@strawberry.enum
class PuffleConversationStatus(Enum):
    ACTIVE = "active"
    ARCHIVED = "archived"


@strawberry.enum
class HighLevelMessageStatus(Enum):
    DELIVERED = "delivered"
    FAILED = "failed"
    PENDING = "pending"
    READ = "read"


@strawberry.enum
class EbayConversationType(Enum):
    FROM_MEMBERS = "FROM_MEMBERS"
    FROM_EBAY = "FROM_EBAY"


@strawberry.enum
class EbayConversationStatus(Enum):
    ACTIVE = "ACTIVE"
    ARCHIVE = "ARCHIVE"
    DELETE = "DELETE"
