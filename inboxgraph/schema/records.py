"""GraphQL object types whose values are the domain's plain records."""

from __future__ import annotations

from enum import Enum
from typing import Any, ClassVar, Protocol, TypeVar

from graphql import GraphQLError, GraphQLResolveInfo

from inboxgraph.domain.provider import Conversation, ConversationRef


class RecordView:
    """A GraphQL type whose values are instances of the plain record class `record`.

    Resolvers return domain records; GraphQL reads their attributes, and unions and
    interfaces tell the record's GraphQL type by its class.
    """

    record: ClassVar[type]

    @classmethod
    def is_type_of(cls, obj: Any, info: GraphQLResolveInfo[Any]) -> bool:
        return isinstance(obj, cls.record)


class ReadsConversations(Protocol):
    """What entity references need from the request context: the batched reader."""

    async def read(self, ref: ConversationRef) -> Conversation | None: ...


EnumT = TypeVar("EnumT", bound=Enum)


def enum_member(enum: type[EnumT], name: str) -> EnumT:
    """An enum member from its GraphQL name, as entity representations carry it."""
    try:
        return enum[name]
    except KeyError:
        raise GraphQLError(
            f"{name!r} is not a {enum.__name__} value", extensions={"code": "BAD_USER_INPUT"}
        ) from None
