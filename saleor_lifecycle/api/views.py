"""``/graphql/``: authenticate, check the query's depth and cost, then execute.

Built on graphene-django's GraphQLView; what differs:

* the caller is authenticated first (``auth.authenticate``) and a bad token is answered
  401 with nothing executed; the viewer is ``request.viewer`` for the resolvers;
* no CSRF: the API authenticates with bearer tokens, never cookies;
* documents are parsed with a token limit and validated with the depth and cost limits
  (``limits``) bound to this request's variables;
* GraphiQL is served only with DEBUG;
* errors nobody raised on purpose are logged and masked (``errors.format_error``).
"""

from django.conf import settings
from django.db import transaction
from django.http import HttpResponseBadRequest, HttpResponseNotAllowed, JsonResponse
from django.utils.decorators import method_decorator
from django.views.decorators.csrf import csrf_exempt
from graphene_django.settings import graphene_settings
from graphene_django.views import GraphQLView, HttpError
from graphql import (
    ExecutionResult,
    GraphQLError,
    OperationType,
    execute,
    get_operation_ast,
    parse,
    specified_rules,
    validate,
)

from .auth import AuthenticationError, authenticate
from .errors import format_error
from .limits import query_limits_rule
from .schema import schema

#: Longest document accepted, in lexical tokens (the standard introspection query has ~160).
MAX_QUERY_TOKENS = 5000


@method_decorator(csrf_exempt, name="dispatch")
class LifecycleGraphQLView(GraphQLView):
    def __init__(self, **kwargs):
        super().__init__(schema=schema, **kwargs)

    def dispatch(self, request, *args, **kwargs):
        self.graphiql = settings.DEBUG
        try:
            request.viewer = authenticate(request)
        except AuthenticationError as exc:
            response = JsonResponse({"errors": [exc.formatted()]}, status=401)
            response["WWW-Authenticate"] = 'Bearer error="invalid_token"'
            return response
        return super().dispatch(request, *args, **kwargs)

    @staticmethod
    def format_error(error):
        return format_error(error)

    def execute_graphql_request(self, request, data, query, variables, operation_name, show_graphiql=False):
        if not query:
            if show_graphiql:
                return None
            raise HttpError(HttpResponseBadRequest("Must provide query string."))
        if not isinstance(query, str):
            return ExecutionResult(errors=[GraphQLError("The query must be a string.")])
        if variables is not None and not isinstance(variables, dict):
            return ExecutionResult(errors=[GraphQLError("Variables must be a JSON object.")])
        if operation_name is not None and not isinstance(operation_name, str):
            return ExecutionResult(errors=[GraphQLError("The operation name must be a string.")])
        try:
            document = parse(query, max_tokens=MAX_QUERY_TOKENS)
        except GraphQLError as exc:
            return ExecutionResult(errors=[exc])

        operation = get_operation_ast(document, operation_name)
        if request.method.lower() == "get" and operation is not None and operation.operation != OperationType.QUERY:
            if show_graphiql:
                return None
            raise HttpError(
                HttpResponseNotAllowed(["POST"], f"Can only perform a {operation.operation.value} operation from a POST request.")
            )

        rules = [
            *specified_rules,
            query_limits_rule(
                variables,
                max_depth=settings.API_MAX_QUERY_DEPTH,
                max_cost=settings.API_MAX_QUERY_COST,
                max_page_size=settings.API_MAX_PAGE_SIZE,
            ),
        ]
        errors = validate(self.schema.graphql_schema, document, rules, graphene_settings.MAX_VALIDATION_ERRORS)
        if errors:
            return ExecutionResult(data=None, errors=errors)

        options = {
            "root_value": self.get_root_value(request),
            "context_value": self.get_context(request),
            "variable_values": variables,
            "operation_name": operation_name,
            "middleware": self.get_middleware(request),
        }
        if operation is not None and operation.operation == OperationType.MUTATION:
            with transaction.atomic():
                result = execute(self.schema.graphql_schema, document, **options)
                if result.errors:
                    transaction.set_rollback(True)  # a mutation that failed half way leaves nothing
                return result
        return execute(self.schema.graphql_schema, document, **options)


graphql_view = LifecycleGraphQLView.as_view()
