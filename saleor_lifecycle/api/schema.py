"""The schema: root fields check who asks, then call the read functions and actions.

Storefront (a customer's access token): ``me``.
Staff (the dashboard's token with MANAGE_USERS, or the app token): ``stageCounts``,
``segmentCounts``, ``customers``, ``customer``, ``customerSetMessagesPaused``,
``lifecycleSettings`` and ``updateLifecycleSettings`` (MANAGE_USERS or MANAGE_APPS; see
permissions.py). Scenarios and the contact policy are in ``scenarios.py``, results and
stage flows in ``results.py``, templates, previews and mail settings in ``mail.py``.
"""

import graphene
from django.utils import timezone
from graphene import relay
from graphql import FieldNode, FragmentSpreadNode

from ..core.validation import ErrorCode, FieldProblem
from ..customers.actions import do_set_messages_paused
from ..customers.models import LifecycleSettings as LifecycleSettingsModel
from . import customers
from .actions import InvalidSettings, do_update_lifecycle_settings
from .mail import MailMutations, MailQueries
from .pagination import paginate
from .permissions import MANAGE_CUSTOMER_MESSAGES, MANAGE_LIFECYCLE_SETTINGS, READ_CUSTOMERS, require
from .results import ResultQueries
from .scenarios import ScenarioMutations, ScenarioQueries
from .types import (
    Customer,
    CustomerConnection,
    CustomerSortingInput,
    LifecycleError,
    LifecycleSettings,
    LifecycleSettingsInput,
    LifecycleStage,
    RfmSegment,
    SegmentCount,
    StageCount,
    StorefrontCustomer,
)


def _value(enum_member):
    return enum_member.value if enum_member is not None else None


def _selects(info, name: str) -> bool:
    """Does the query select a field called ``name`` anywhere below this one?"""
    pending = [node.selection_set for node in info.field_nodes]
    spread: set[str] = set()
    while pending:
        selection_set = pending.pop()
        for selection in selection_set.selections if selection_set else ():
            if isinstance(selection, FieldNode) and selection.name.value == name:
                return True
            if isinstance(selection, FragmentSpreadNode):
                fragment = info.fragments.get(selection.name.value)
                if fragment is not None and selection.name.value not in spread:
                    spread.add(selection.name.value)
                    pending.append(fragment.selection_set)
            else:
                pending.append(selection.selection_set)
    return False


class Query(ScenarioQueries, ResultQueries, MailQueries, graphene.ObjectType):
    me = graphene.Field(
        StorefrontCustomer,
        description="The signed-in customer's lifecycle (a customer's access token); null for anyone else.",
    )
    stage_counts = graphene.List(
        graphene.NonNull(StageCount), required=True, description="Customers in each stage. Requires MANAGE_USERS."
    )
    segment_counts = graphene.List(
        graphene.NonNull(SegmentCount),
        required=True,
        description="Customers in each RFM segment (customers without orders have none). Requires MANAGE_USERS.",
    )
    customers = relay.ConnectionField(
        CustomerConnection,
        stage=LifecycleStage(),
        segment=RfmSegment(),
        search=graphene.String(description="Words that must all appear in the email or name."),
        sort_by=CustomerSortingInput(description="Default: email, ascending."),
        description="The shop's customers, filtered and sorted. Requires MANAGE_USERS.",
    )
    customer = graphene.Field(
        Customer,
        id=graphene.ID(),
        saleor_user_id=graphene.ID(),
        email=graphene.String(),
        description="One customer, by exactly one of id, saleorUserId or email. Requires MANAGE_USERS.",
    )
    lifecycle_settings = graphene.Field(
        LifecycleSettings, required=True, description="Requires MANAGE_USERS or MANAGE_APPS."
    )

    @staticmethod
    def resolve_me(root, info):
        viewer = info.context.viewer
        if viewer.customer_user_id is None:
            return None
        return customers.storefront_customer(viewer.installation, viewer.customer_user_id)

    @staticmethod
    def resolve_stage_counts(root, info):
        viewer = require(info.context.viewer, READ_CUSTOMERS)
        return [StageCount(stage=stage, count=count) for stage, count in customers.stage_counts(viewer.installation)]

    @staticmethod
    def resolve_segment_counts(root, info):
        viewer = require(info.context.viewer, READ_CUSTOMERS)
        return [
            SegmentCount(segment=segment, count=count)
            for segment, count in customers.segment_counts(viewer.installation)
        ]

    @staticmethod
    def resolve_customers(root, info, stage=None, segment=None, search=None, sort_by=None, **page):
        viewer = require(info.context.viewer, READ_CUSTOMERS)
        matching = customers.find_customers(
            viewer.installation, stage=_value(stage), segment=_value(segment), search=search
        )
        ordering = customers.customer_ordering(
            _value(sort_by.field) if sort_by else customers.CustomerSortField.EMAIL,
            descending=bool(sort_by) and _value(sort_by.direction) == "desc",
        )
        rows = matching.select_related("installation")
        if _selects(info, "history"):
            rows = rows.prefetch_related("transitions")
        result = paginate(rows, ordering, connection="customers", **page)
        connection = CustomerConnection(
            edges=[
                CustomerConnection.Edge(node=row, cursor=cursor)
                for row, cursor in zip(result.rows, result.cursors, strict=True)
            ],
            page_info=relay.PageInfo(
                start_cursor=result.cursors[0] if result.cursors else None,
                end_cursor=result.cursors[-1] if result.cursors else None,
                has_next_page=result.has_next_page,
                has_previous_page=result.has_previous_page,
            ),
        )
        connection.matching = matching
        return connection

    @staticmethod
    def resolve_customer(root, info, id=None, saleor_user_id=None, email=None):
        viewer = require(info.context.viewer, READ_CUSTOMERS)
        return customers.find_customer(viewer.installation, id=id, saleor_user_id=saleor_user_id, email=email)

    @staticmethod
    def resolve_lifecycle_settings(root, info):
        viewer = require(info.context.viewer, MANAGE_LIFECYCLE_SETTINGS)
        return LifecycleSettingsModel.for_installation(viewer.installation)


class UpdateLifecycleSettings(graphene.Mutation):
    """Change the shop's lifecycle settings; stages are recomputed when a threshold changes."""

    class Arguments:
        input = LifecycleSettingsInput(required=True)

    lifecycle_settings = graphene.Field(LifecycleSettings)
    errors = graphene.List(graphene.NonNull(LifecycleError), required=True)

    @staticmethod
    def mutate(root, info, input):
        viewer = require(info.context.viewer, MANAGE_LIFECYCLE_SETTINGS)
        try:
            settings = do_update_lifecycle_settings(viewer.installation, dict(input))
        except InvalidSettings as exc:
            return UpdateLifecycleSettings(errors=[LifecycleError.from_problem(p) for p in exc.problems])
        return UpdateLifecycleSettings(lifecycle_settings=settings, errors=[])


class CustomerSetMessagesPaused(graphene.Mutation):
    """Pause or resume every email of this app to one customer.

    While paused, their scenarios go on but each email that falls due is skipped and
    recorded (status SKIPPED, reason "messages paused"); nothing skipped is sent on
    resuming. Saleor's own transactional mail is not this app's and is not affected.
    Requires MANAGE_USERS.
    """

    class Arguments:
        id = graphene.ID(required=True, description="The customer's id in this API.")
        paused = graphene.Boolean(required=True)

    customer = graphene.Field(Customer)
    errors = graphene.List(graphene.NonNull(LifecycleError), required=True)

    @staticmethod
    def mutate(root, info, id, paused):
        viewer = require(info.context.viewer, MANAGE_CUSTOMER_MESSAGES)
        customer = customers.find_customer(viewer.installation, id=id)
        if customer is None:
            problem = FieldProblem("id", ErrorCode.NOT_FOUND, f"The shop has no customer {id!r}.")
            return CustomerSetMessagesPaused(errors=[LifecycleError.from_problem(problem)])
        do_set_messages_paused(customer, paused, timezone.now())
        return CustomerSetMessagesPaused(customer=customer, errors=[])


class Mutation(ScenarioMutations, MailMutations, graphene.ObjectType):
    update_lifecycle_settings = UpdateLifecycleSettings.Field()
    customer_set_messages_paused = CustomerSetMessagesPaused.Field()


schema = graphene.Schema(query=Query, mutation=Mutation)
