"""Query limits: depth and cost, checked before anything runs (a graphql-core validation rule).

Cost model (an upper estimate of the rows and lookups a query causes):

* every field costs 1, or its entry in ``FIELD_COSTS`` when it does queries of its own;
* below a connection, the selection's cost is multiplied by ``first``/``last`` (variables
  and their defaults included; a missing size counts as the page maximum);
* below a plain list, by its expected size in ``LIST_SIZES`` (1 if not listed).

Introspection (``__schema``, ``__type``) is left out of depth and cost, since the standard
introspection query is deeper than any real one. It costs ``INTROSPECTION_COST`` per
occurrence and may nest at most ``INTROSPECTION_MAX_LISTS`` lists (the standard query
needs 3: types, fields, args), so it cannot multiply into a huge answer.

Fragments are costed once each (memoised), so a document cannot blow up the checker
with fragments spread in fragments; cycles and unknown names are left to the standard
rules that report them.
"""

from collections.abc import Mapping
from typing import Any

from graphql import (
    FieldNode,
    FragmentSpreadNode,
    GraphQLNamedType,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    ValidationContext,
    ValidationRule,
    VariableNode,
    get_named_type,
    get_nullable_type,
    is_list_type,
)
from graphql.type.introspection import SchemaMetaFieldDef, TypeMetaFieldDef

from .errors import QueryLimitError

#: Fields that do queries of their own, by (type, field).
FIELD_COSTS: dict[tuple[str, str], int] = {
    ("Customer", "explain"): 10,
    ("Customer", "history"): 2,
    ("Customer", "offers"): 2,
    ("Customer", "enrollments"): 2,
    ("Customer", "messages"): 2,
    # every active enrollment, its version and the frequency budget
    ("Customer", "nextPlannedStep"): 10,
    ("StorefrontCustomer", "offers"): 2,
    ("Query", "stageCounts"): 5,
    ("Query", "segmentCounts"): 5,
    ("Query", "stageFlows"): 5,
    ("Query", "scenarios"): 3,
    ("Query", "scenario"): 3,
    ("Scenario", "activeEnrollments"): 2,
    # counts over the shop's customers or checkouts
    ("Scenario", "dryRun"): 20,
    ("Query", "emailTemplates"): 5,
    # renders MJML to HTML
    ("Query", "emailPreview"): 50,
    # several aggregates per scenario, over every enrollment of the period
    ("Query", "scenarioReports"): 100,
    ("Query", "scenarioReportsCsv"): 100,
}
#: Expected length of lists that are not paginated, by (type, field).
LIST_SIZES: dict[tuple[str, str], int] = {
    ("Customer", "history"): 10,
    ("Customer", "offers"): 5,
    ("Customer", "enrollments"): 10,
    ("Customer", "messages"): 20,
    ("StorefrontCustomer", "offers"): 5,
    ("Query", "stageCounts"): 6,
    ("Query", "segmentCounts"): 9,
    ("Query", "stageFlows"): 30,
    ("Query", "scenarios"): 10,
    ("Scenario", "steps"): 10,
    ("Query", "emailTemplates"): 20,
    ("Query", "scenarioReports"): 10,
    ("ScenarioReport", "steps"): 10,
}
INTROSPECTION_COST = 1000
INTROSPECTION_MAX_LISTS = 3
PAGE_ARGUMENTS = ("first", "last")


def query_limits_rule(
    variables: Mapping[str, Any] | None, *, max_depth: int, max_cost: int, max_page_size: int
) -> type[ValidationRule]:
    """A validation rule class bound to this request's variables and the limits."""

    class QueryLimits(ValidationRule):
        def enter_operation_definition(self, node: OperationDefinitionNode, *_args: Any) -> None:
            schema = self.context.schema
            root = {
                OperationType.QUERY: schema.query_type,
                OperationType.MUTATION: schema.mutation_type,
                OperationType.SUBSCRIPTION: schema.subscription_type,
            }.get(node.operation)
            if root is None:
                return  # the standard rules report an operation the schema lacks
            walk = _Walk(self.context, _with_defaults(node, variables or {}), max_page_size)
            cost, depth = walk.selection_set(node.selection_set, root)
            if depth > max_depth:
                self.report_error(
                    QueryLimitError(f"The query is nested {depth} levels deep; at most {max_depth} are allowed.", nodes=[node])
                )
            if cost > max_cost:
                self.report_error(
                    QueryLimitError(f"The query exceeds the maximum cost of {max_cost}. Actual cost is {cost}.", nodes=[node])
                )
            for problem in walk.introspection_problems:
                self.report_error(QueryLimitError(problem, nodes=[node]))

    return QueryLimits


def _with_defaults(operation: OperationDefinitionNode, variables: Mapping[str, Any]) -> dict[str, Any]:
    values = {}
    for definition in operation.variable_definitions or ():
        name = definition.variable.name.value
        if name in variables:
            values[name] = variables[name]
        elif isinstance(definition.default_value, IntValueNode):
            values[name] = int(definition.default_value.value)
    return values


class _Walk:
    def __init__(self, context: ValidationContext, variables: Mapping[str, Any], max_page_size: int) -> None:
        self.context = context
        self.variables = variables
        self.max_page_size = max_page_size
        self.introspection_problems: list[str] = []
        self._fragments: dict[str, tuple[int, int]] = {}
        self._list_fragments: dict[str, int] = {}
        self._visiting: set[str] = set()

    # --- cost and depth

    def selection_set(self, selection_set: SelectionSetNode | None, parent: GraphQLNamedType | None) -> tuple[int, int]:
        """(cost, depth) of a selection below ``parent``."""
        cost = depth = 0
        for selection in selection_set.selections if selection_set else ():
            if isinstance(selection, FieldNode):
                c, d = self.field(selection, parent)
            elif isinstance(selection, InlineFragmentNode):
                c, d = self.selection_set(selection.selection_set, self._condition(selection, parent))
            elif isinstance(selection, FragmentSpreadNode):
                c, d = self.fragment(selection.name.value)
            else:
                c, d = 0, 0
            cost += c
            depth = max(depth, d)
        return cost, depth

    def field(self, node: FieldNode, parent: GraphQLNamedType | None) -> tuple[int, int]:
        name = node.name.value
        if name == "__typename":
            return 0, 0
        if name in ("__schema", "__type"):
            definition = SchemaMetaFieldDef if name == "__schema" else TypeMetaFieldDef
            lists = self.list_nesting(node.selection_set, get_named_type(definition.type))
            if lists > INTROSPECTION_MAX_LISTS:
                self.introspection_problems.append(
                    f"Introspection nests {lists} lists; at most {INTROSPECTION_MAX_LISTS} are allowed."
                )
            return INTROSPECTION_COST, 0
        definition = getattr(parent, "fields", {}).get(name)
        if definition is None:
            return 1, 1  # an unknown field: FieldsOnCorrectTypeRule reports it
        key = (parent.name, name)
        own = FIELD_COSTS.get(key, 1)
        if not node.selection_set:
            return own, 1
        child_cost, child_depth = self.selection_set(node.selection_set, get_named_type(definition.type))
        if any(argument in definition.args for argument in PAGE_ARGUMENTS):
            multiplier = self.page_size(node)
        else:
            multiplier = LIST_SIZES.get(key, 1)
        return own + multiplier * child_cost, 1 + child_depth

    def fragment(self, name: str) -> tuple[int, int]:
        if name in self._fragments:
            return self._fragments[name]
        fragment = self.context.get_fragment(name)
        if fragment is None or name in self._visiting:
            return 0, 0  # unknown or cyclic: the standard rules report it
        self._visiting.add(name)
        result = self.selection_set(fragment.selection_set, self.context.schema.get_type(fragment.type_condition.name.value))
        self._visiting.discard(name)
        self._fragments[name] = result
        return result

    def page_size(self, node: FieldNode) -> int:
        sizes = []
        for argument in node.arguments:
            if argument.name.value not in PAGE_ARGUMENTS:
                continue
            value = argument.value
            if isinstance(value, IntValueNode):
                sizes.append(int(value.value))
            elif isinstance(value, VariableNode) and isinstance(self.variables.get(value.name.value), int):
                sizes.append(self.variables[value.name.value])
            else:
                sizes.append(self.max_page_size)
        return max([0, *sizes]) if sizes else self.max_page_size

    def _condition(self, node: InlineFragmentNode, parent: GraphQLNamedType | None) -> GraphQLNamedType | None:
        if node.type_condition is None:
            return parent
        return self.context.schema.get_type(node.type_condition.name.value)

    # --- introspection: how many lists nest

    def list_nesting(self, selection_set: SelectionSetNode | None, parent: GraphQLNamedType | None) -> int:
        deepest = 0
        for selection in selection_set.selections if selection_set else ():
            if isinstance(selection, FieldNode):
                definition = getattr(parent, "fields", {}).get(selection.name.value)
                if definition is None or not selection.selection_set:
                    continue
                inner = self.list_nesting(selection.selection_set, get_named_type(definition.type))
                deepest = max(deepest, inner + (1 if is_list_type(get_nullable_type(definition.type)) else 0))
            elif isinstance(selection, InlineFragmentNode):
                deepest = max(deepest, self.list_nesting(selection.selection_set, self._condition(selection, parent)))
            elif isinstance(selection, FragmentSpreadNode):
                deepest = max(deepest, self.list_fragment(selection.name.value))
        return deepest

    def list_fragment(self, name: str) -> int:
        if name in self._list_fragments:
            return self._list_fragments[name]
        fragment = self.context.get_fragment(name)
        if fragment is None or name in self._visiting:
            return 0
        self._visiting.add(name)
        result = self.list_nesting(fragment.selection_set, self.context.schema.get_type(fragment.type_condition.name.value))
        self._visiting.discard(name)
        self._list_fragments[name] = result
        return result
