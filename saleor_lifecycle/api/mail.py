"""Email for staff: the templates, a preview with the shop's branding, and the mail settings.

Templates and previews need MANAGE_USERS (like scenarios); the settings are settings
(MANAGE_USERS or MANAGE_APPS). Previews are rendered by ``mail.compose.compose_preview``
with a sample customer, never a real one.
"""

import graphene
from django.utils import timezone

from ..core.validation import InvalidInput
from ..mail.actions import do_update_mail_settings
from ..mail.catalogue import LANGUAGES, LAYOUTS, TEMPLATES, template_summary
from ..mail.compose import compose_preview
from ..mail.models import MailSettings as MailSettingsModel
from ..mail.render import RenderError, pick_language
from ..scenarios.definitions import DefinitionError, parse_offer
from .customers import clean_text
from .errors import BadUserInput
from .permissions import MANAGE_LIFECYCLE_SETTINGS, READ_SCENARIOS, require
from .scenarios import OfferKind, ScenarioOfferInput, offer_data
from .types import LifecycleError


class EmailTemplate(graphene.ObjectType):
    """An email a scenario step can send, written in every language listed."""

    key = graphene.String(required=True, description="What a step's `template` names.")
    name = graphene.String(required=True, description="Its heading, as a customer without a name reads it.")
    description = graphene.String(required=True, description="Its preheader: the line inboxes show after the subject.")
    languages = graphene.List(graphene.NonNull(graphene.String), required=True)
    offer_kind = OfferKind(description="The kind of offer it is written for; null: none.")
    cart = graphene.String(description="How it shows the cart: lines, pictures, or null.")
    recommendations = graphene.Boolean(required=True, description="It is written to show recommended products.")


class EmailPreview(graphene.ObjectType):
    template = graphene.String(required=True)
    language = graphene.String(required=True)
    subject = graphene.String(required=True)
    preheader = graphene.String(required=True)
    html = graphene.String(required=True, description="The whole HTML document, as email clients get it.")
    text = graphene.String(required=True, description="The plain-text part.")


class MailSettings(graphene.ObjectType):
    """The shop's sender, branding, language and consent rules for every email."""

    from_email = graphene.String(required=True, description='The sender ("Shop <shop@example.com>"); empty: the app\'s default.')
    reply_to = graphene.String(required=True)
    shop_name = graphene.String(required=True)
    logo_url = graphene.String(required=True, description="Shown instead of the shop name when set.")
    primary_color = graphene.String(required=True, description='Buttons and accents, "#rrggbb".')
    footer_address = graphene.String(required=True, description="The shop's postal address, in every footer.")
    storefront_url = graphene.String(required=True)
    checkout_url_pattern = graphene.String(
        required=True, description="Where cart reminders link to; {storefront} and {token} are filled in."
    )
    default_language = graphene.String(
        required=True, description=f"For customers whose language has no copy ({', '.join(LANGUAGES)})."
    )
    consent_metadata_key = graphene.String(
        required=True, description="The Saleor user metadata key that says whether they agreed to marketing email."
    )
    mail_without_consent = graphene.Boolean(required=True, description="Also mail customers who never said either way.")


class MailSettingsInput(graphene.InputObjectType):
    """Only the fields sent change; "" clears a text that may be empty."""

    from_email = graphene.String()
    reply_to = graphene.String()
    shop_name = graphene.String()
    logo_url = graphene.String(description="An http(s) URL.")
    primary_color = graphene.String(description='"#rgb" or "#rrggbb".')
    footer_address = graphene.String()
    storefront_url = graphene.String(description="An http(s) URL.")
    checkout_url_pattern = graphene.String()
    default_language = graphene.String()
    consent_metadata_key = graphene.String()
    mail_without_consent = graphene.Boolean()


class UpdateMailSettings(graphene.Mutation):
    """Change the shop's sender, branding, language or consent rules; the next email uses them."""

    class Arguments:
        input = MailSettingsInput(required=True)

    mail_settings = graphene.Field(MailSettings)
    errors = graphene.List(graphene.NonNull(LifecycleError), required=True)

    @staticmethod
    def mutate(root, info, input):
        viewer = require(info.context.viewer, MANAGE_LIFECYCLE_SETTINGS)
        try:
            settings = do_update_mail_settings(viewer.installation, dict(input))
        except InvalidInput as exc:
            return UpdateMailSettings(errors=[LifecycleError.from_problem(p) for p in exc.problems])
        return UpdateMailSettings(mail_settings=settings, errors=[])


class MailQueries(graphene.ObjectType):
    email_templates = graphene.List(
        graphene.NonNull(EmailTemplate),
        required=True,
        language=graphene.String(description="The language of names and descriptions (default: the shop's)."),
        description="The emails scenario steps can send. Requires MANAGE_USERS.",
    )
    email_preview = graphene.Field(
        EmailPreview,
        required=True,
        template=graphene.String(required=True),
        language=graphene.String(description=f"{', '.join(LANGUAGES)} (default: the shop's)."),
        offer=ScenarioOfferInput(description="Show this offer (a step's) instead of the sample one."),
        description="A template with the shop's branding and a sample customer. Requires MANAGE_USERS.",
    )
    mail_settings = graphene.Field(MailSettings, required=True, description="Requires MANAGE_USERS or MANAGE_APPS.")

    @staticmethod
    def resolve_email_templates(root, info, language=None):
        viewer = require(info.context.viewer, READ_SCENARIOS)
        settings = MailSettingsModel.for_installation(viewer.installation)
        language = _language(language, settings)
        templates = []
        for key in TEMPLATES:
            name, description = template_summary(key, language, settings.shop_name)
            layout = LAYOUTS[key]
            templates.append(
                EmailTemplate(
                    key=key,
                    name=name,
                    description=description,
                    languages=list(LANGUAGES),
                    offer_kind=layout.offer,
                    cart=layout.cart,
                    recommendations=layout.recommendations,
                )
            )
        return templates

    @staticmethod
    def resolve_email_preview(root, info, template, language=None, offer=None):
        viewer = require(info.context.viewer, READ_SCENARIOS)
        template = clean_text(template, argument="template", max_length=64)
        if template not in TEMPLATES:
            raise BadUserInput(f"No email template {template!r}; see emailTemplates.")
        language = _language(language, MailSettingsModel.for_installation(viewer.installation))
        step_offer = None
        if offer is not None:
            try:
                step_offer = parse_offer(offer_data(offer))
            except DefinitionError as exc:
                raise BadUserInput(f"Argument `offer`: {str(exc).removeprefix('offer: ')}.") from None
        try:
            email = compose_preview(viewer.installation, template, now=timezone.now(), language=language, offer=step_offer)
        except RenderError as exc:
            raise BadUserInput(str(exc)) from None
        return EmailPreview(
            template=template,
            language=language,
            subject=email.subject,
            preheader=email.preheader,
            html=email.html,
            text=email.text,
        )

    @staticmethod
    def resolve_mail_settings(root, info):
        viewer = require(info.context.viewer, MANAGE_LIFECYCLE_SETTINGS)
        return MailSettingsModel.for_installation(viewer.installation)


def _language(language: str | None, settings: MailSettingsModel) -> str:
    if language is None:
        return pick_language(None, settings.default_language)
    language = clean_text(language, argument="language", max_length=8)
    if language not in LANGUAGES:
        raise BadUserInput(f"No email copy in {language!r}; languages: {', '.join(LANGUAGES)}.")
    return language


class MailMutations(graphene.ObjectType):
    update_mail_settings = UpdateMailSettings.Field()
