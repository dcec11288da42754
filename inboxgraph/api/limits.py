"""Limits that cost O(document) to check, whatever the document.

- `document_limits_rule`: a validation rule measuring each operation's depth (below
  introspection fields, which the schema bounds), aliases and fields with fragments
  expanded, visiting each fragment once (its cost is
  memoized by name; counts saturate at the limit), so nested fragments spreading each
  other cannot make the check itself exponential. Validation results are cached per
  document, so the rule is built once per schema.
- `UpstreamBudget`: before execution, with the variables known, counts the provider
  calls the operation can cause (update inputs across every aliased mutation field,
  refs of `conversation(s)`, `_entities` representations) and refuses the operation
  when they exceed the budget, before any resolver runs.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, cast

from graphql import (
    ExecutionResult,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    ListValueNode,
    NullValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationRule,
    VariableNode,
)
from graphql.language import DocumentNode
from graphql.validation import ASTValidationRule
from strawberry.extensions import SchemaExtension

from inboxgraph.config import Limits

MAX_TOKENS_EXCEEDED = "MAX_TOKENS_EXCEEDED"
MAX_DEPTH_EXCEEDED = "MAX_DEPTH_EXCEEDED"
MAX_ALIASES_EXCEEDED = "MAX_ALIASES_EXCEEDED"
MAX_FIELDS_EXCEEDED = "MAX_FIELDS_EXCEEDED"
UPSTREAM_BUDGET_EXCEEDED = "UPSTREAM_BUDGET_EXCEEDED"

#: Root fields that call providers: the argument listing one call per item, or None
#: for one call. `startBulkUpdate` is not here: its items are sent by a job, after the
#: request, and capped by INBOXGRAPH_MAX_JOB_ITEMS instead.
UPSTREAM_CALLS: Mapping[str, str | None] = {
    "updateConversation": None,
    "updateConversations": "inputs",
    "applyConversationAction": None,
    "applyConversationActions": "items",
    "conversation": None,
    "conversations": "refs",
    "_entities": "representations",
}


@dataclass(frozen=True)
class Cost:
    depth: int = 0
    aliases: int = 0
    fields: int = 0


def document_limits_rule(limits: Limits) -> type[ASTValidationRule]:
    """A validation rule enforcing `limits`' depth, aliases and fields."""

    class DocumentLimits(ValidationRule):
        def enter_document(self, node: DocumentNode, *_: Any) -> Any:
            measure = _Measure(
                node, cap=max(limits.max_depth, limits.max_aliases, limits.max_fields) + 1
            )
            for definition in node.definitions:
                if isinstance(definition, OperationDefinitionNode):
                    for error in _over_limits(
                        measure.selection_set(definition.selection_set), limits, definition
                    ):
                        self.report_error(error)
            return self.BREAK

    return DocumentLimits


def _over_limits(
    cost: Cost, limits: Limits, node: OperationDefinitionNode
) -> Iterator[GraphQLError]:
    name = f"'{node.name.value}'" if node.name else "The operation"
    checks = (
        (
            cost.depth,
            limits.max_depth,
            "nests fields deeper than",
            "INBOXGRAPH_MAX_DEPTH",
            MAX_DEPTH_EXCEEDED,
        ),
        (
            cost.aliases,
            limits.max_aliases,
            "has more aliases than",
            "INBOXGRAPH_MAX_ALIASES",
            MAX_ALIASES_EXCEEDED,
        ),
        (
            cost.fields,
            limits.max_fields,
            "selects more fields than",
            "INBOXGRAPH_MAX_FIELDS",
            MAX_FIELDS_EXCEEDED,
        ),
    )
    for value, limit, what, variable, code in checks:
        if value > limit:
            yield GraphQLError(
                f"{name} {what} {limit} (fragments expanded; {variable})",
                node,
                extensions={"code": code},
            )


class _Measure:
    """Costs of selection sets, each fragment measured once."""

    def __init__(self, document: DocumentNode, *, cap: int) -> None:
        self._fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        self._cap = cap
        self._costs: dict[str, Cost] = {}
        self._measuring: set[str] = set()

    def selection_set(self, node: SelectionSetNode | None) -> Cost:
        depth = aliases = fields = 0
        for selection in node.selections if node is not None else ():
            if isinstance(selection, FieldNode):
                inner = self.selection_set(selection.selection_set)
                # Introspection is as deep as the schema's types, never deeper: its
                # fields still count, its nesting does not.
                nesting = 0 if selection.name.value.startswith("__") else inner.depth + 1
                depth = max(depth, nesting)
                aliases += inner.aliases + (selection.alias is not None)
                fields += inner.fields + 1
            else:
                inner = (
                    self.fragment(selection.name.value)
                    if isinstance(selection, FragmentSpreadNode)
                    else self.selection_set(cast("InlineFragmentNode", selection).selection_set)
                )
                depth = max(depth, inner.depth)
                aliases += inner.aliases
                fields += inner.fields
        cap = self._cap
        return Cost(min(depth, cap), min(aliases, cap), min(fields, cap))

    def fragment(self, name: str) -> Cost:
        cost = self._costs.get(name)
        if cost is not None:
            return cost
        definition = self._fragments.get(name)
        if definition is None or name in self._measuring:
            return Cost()  # unknown or cyclic: other validation rules report it
        self._measuring.add(name)
        cost = self._costs[name] = self.selection_set(definition.selection_set)
        self._measuring.discard(name)
        return cost


def upstream_calls(
    document: DocumentNode,
    operation_name: str | None,
    variables: Mapping[str, Any],
    *,
    cap: int,
) -> int:
    """The provider calls the operation can cause (at most `cap`), each fragment counted once."""
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    chosen = [
        o
        for o in operations
        if operation_name is None or (o.name and o.name.value == operation_name)
    ]
    if not chosen:
        return 0
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    counted: dict[str, int] = {}

    def selection_set(node: SelectionSetNode, seen: frozenset[str]) -> int:
        calls = 0
        for selection in node.selections:
            if isinstance(selection, FieldNode):
                calls += _field_calls(selection, variables)
            elif isinstance(selection, InlineFragmentNode):
                calls += selection_set(selection.selection_set, seen)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                if name not in counted and name in fragments and name not in seen:
                    counted[name] = selection_set(fragments[name].selection_set, seen | {name})
                calls += counted.get(name, 0)
        return min(calls, cap)

    return selection_set(chosen[0].selection_set, frozenset())


def _field_calls(field: FieldNode, variables: Mapping[str, Any]) -> int:
    name = field.name.value
    if name not in UPSTREAM_CALLS:
        return 0
    listing = UPSTREAM_CALLS[name]
    if listing is None:
        return 1
    argument = next((a for a in field.arguments or () if a.name.value == listing), None)
    value = None if argument is None else argument.value
    if isinstance(value, ListValueNode):
        return len(value.values)
    if isinstance(value, VariableNode):
        given = variables.get(value.name.value)
        return len(given) if isinstance(given, list) else int(given is not None)
    return int(value is not None and not isinstance(value, NullValueNode))


class UpstreamBudget(SchemaExtension):
    """Refuses, before execution, an operation that could cause too many provider calls."""

    def __init__(self, max_calls: int) -> None:
        self._max_calls = max_calls

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        if document is not None and context.result is None:
            calls = upstream_calls(
                document,
                context.operation_name,
                context.variables or {},
                cap=self._max_calls + 1,
            )
            if calls > self._max_calls:
                context.result = ExecutionResult(
                    data=None,
                    errors=[
                        GraphQLError(
                            f"This operation could make more than {self._max_calls} provider calls; "
                            f"one request may make at most {self._max_calls} (INBOXGRAPH_MAX_UPSTREAM_CALLS). "
                            "Split it into several requests, or queue the updates as a job "
                            "with startBulkUpdate (not counted here).",
                            extensions={"code": UPSTREAM_BUDGET_EXCEEDED},
                        )
                    ],
                )
        yield
