"""The records a fresh sandbox holds, exactly as `SANDBOX.md` lists them.

Each function returns new objects, so every emulator instance starts from the same state.
"""

from __future__ import annotations

from typing import Any

Record = dict[str, Any]

PUFFLE_SANDBOX_USER_ID = "11111111-1111-1111-1111-111111111111"
PUFFLE_OTHER_USER_ID = "22222222-2222-2222-2222-222222222222"


#: The one Ayrshare user profile (besides the primary profile) the sandbox knows.
AYRSHARE_SANDBOX_PROFILE_KEY = "SBX7K2Q-4MNP8RT-W3XY6ZA-B9CD5EF"


def ayrshare_conversations() -> list[Record]:
    """Records without `profile_key` belong to the primary profile."""
    return [
        {"platform": "instagram", "id": "aWdfZMTpIyzQw", "status": "active"},
        {"platform": "facebook", "id": "fbConv0001", "status": "active"},
        {
            "platform": "twitter",
            "id": "1470000000000000001-1500000000000000002",
            "status": "active",
            "profile_key": AYRSHARE_SANDBOX_PROFILE_KEY,
        },
    ]


def ayrshare_messages() -> list[Record]:
    return [
        {
            "id": "aWdfZMTpIyzQw-m1",
            "conversationId": "aWdfZMTpIyzQw",
            "platform": "instagram",
            "action": "received",
            "senderId": "17841400000000001",
            "senderDetails": {"name": "Jane Doe"},
            "recipientId": "17841400000000099",
            "message": "Is the spring collection out yet?",
            "created": "2026-04-22T09:12:00.000Z",
        },
        {
            "id": "aWdfZMTpIyzQw-m2",
            "conversationId": "aWdfZMTpIyzQw",
            "platform": "instagram",
            "action": "sent",
            "senderId": "17841400000000099",
            "senderDetails": {"name": "Sandbox Shop"},
            "recipientId": "17841400000000001",
            "message": "It launches on Friday!",
            "created": "2026-04-22T09:15:00.000Z",
        },
        {
            "id": "fbConv0001-m1",
            "conversationId": "fbConv0001",
            "platform": "facebook",
            "action": "received",
            "senderId": "7101149746568444",
            "senderDetails": {"name": "John Smith"},
            "recipientId": "106638148652444",
            "message": "How is the weather?",
            "created": "2026-04-21T08:00:00.000Z",
        },
        {
            "id": "1470000000000000001-m1",
            "conversationId": "1470000000000000001-1500000000000000002",
            "platform": "twitter",
            "action": "received",
            "senderId": "1470000000000000001",
            "senderDetails": {"name": "Sam Lee"},
            "recipientId": "1500000000000000002",
            "message": "Thanks for the follow!",
            "created": "2026-04-20T15:00:00.000Z",
        },
    ]


def puffle_conversations() -> list[Record]:
    return [
        {
            "id": "f11e8a2c-1234-4567-89ab-cdef01234567",
            "user_id": PUFFLE_SANDBOX_USER_ID,
            "account_id": "aaaa1111-1111-1111-1111-111111111111",
            "channel": "linkedin",
            "status": "active",
            "external_id": "unipile_chat_abc123",
            "participant_name": "Jane Doe",
            "participant_email": None,
            "participant_linkedin_url": "https://linkedin.com/in/jane",
            "last_message_at": "2026-04-22T09:12:00Z",
            "unread_count": 3,
            "created_at": "2026-04-20T15:00:00Z",
            "updated_at": "2026-04-22T10:00:00Z",
        },
        {
            "id": "0d9f5c2e-7b1a-4c3d-9e8f-aa0000000002",
            "user_id": PUFFLE_OTHER_USER_ID,
            "account_id": "bbbb2222-2222-2222-2222-222222222222",
            "channel": "email",
            "status": "active",
            "external_id": "agentmail_thread_xyz789",
            "participant_name": "John Roe",
            "participant_email": "john@example.com",
            "participant_linkedin_url": None,
            "last_message_at": "2026-04-21T08:00:00Z",
            "unread_count": 1,
            "created_at": "2026-04-19T12:00:00Z",
            "updated_at": "2026-04-21T08:00:00Z",
        },
    ]


def puffle_messages() -> list[Record]:
    return [
        {
            "id": "5a0c7c1e-0000-4000-8000-000000000001",
            "conversation_id": "f11e8a2c-1234-4567-89ab-cdef01234567",
            "direction": "inbound",
            "body": "Hi! Thanks for reaching out.",
            "sent_at": "2026-04-22T09:12:00Z",
        }
    ]


def highlevel_messages() -> list[Record]:
    return [
        {
            "id": "ve9EPM428h8vShlRW1KT",
            "conversationId": "ABC12h2F6uBrIkfXYazb",
            "locationId": "ve9EPM428h8vShlRW1KT",
            "contactId": "9VEmS0si86GW6gXWU89b",
            "status": "pending",
            "direction": "outbound",
            "messageType": "TYPE_EMAIL",
            "dateAdded": "2026-04-22T09:12:00.000Z",
        }
    ]


def highlevel_conversations() -> list[Record]:
    return [
        {
            "id": "ABC12h2F6uBrIkfXYazb",
            "contactId": "9VEmS0si86GW6gXWU89b",
            "locationId": "ve9EPM428h8vShlRW1KT",
            "unreadCount": 0,
            "starred": False,
            "deleted": False,
        }
    ]


def vcita_conversations() -> list[Record]:
    return [
        {
            "uid": "89m2pnabgozdvd9f",
            "archived": False,
            "spam": False,
            "business_unread": False,
            "deleted": False,
            "merged_into": None,
        },
        {
            "uid": "mrg0000000000001",
            "archived": False,
            "spam": False,
            "business_unread": False,
            "deleted": False,
            "merged_into": "89m2pnabgozdvd9f",
        },
    ]


def ebay_conversations() -> list[Record]:
    return [
        {
            "conversationId": "1000000000001",
            "conversationType": "FROM_MEMBERS",
            "conversationStatus": "ACTIVE",
            "read": False,
        },
        {
            "conversationId": "1000000000002",
            "conversationType": "FROM_EBAY",
            "conversationStatus": "ACTIVE",
            "read": False,
        },
    ]
