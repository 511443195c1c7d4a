"""Render lifecycle emails with sample data, to look at them before a customer does.

    manage.py preview_email cart_reminder --language pl > cart_reminder.pl.html
    manage.py preview_email welcome_back --format text --no-name
    manage.py preview_email --all --output-dir artifacts/emails
"""

from dataclasses import replace
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ...render import (
    LANGUAGES,
    TEMPLATES,
    Branding,
    RenderError,
    build_message,
    mjml_to_html,
    render_email,
    render_mjml,
    sample_branding,
    sample_context,
)

FORMATS = ("html", "text", "mjml", "links")


class Command(BaseCommand):
    help = "Render a lifecycle email (or all of them) with sample data."

    def add_arguments(self, parser):
        parser.add_argument("template", nargs="?", choices=TEMPLATES, help="the template key")
        parser.add_argument("--all", action="store_true", help="every template in every language (with --output-dir)")
        parser.add_argument("--language", choices=LANGUAGES, help="default: en (with --all: every language)")
        parser.add_argument("--format", choices=FORMATS, default="html")
        parser.add_argument("--output-dir", type=Path, help="write <template>.<language>.html and .txt here")
        parser.add_argument("--first-name", help="the customer's first name (default: the sample's)")
        parser.add_argument("--no-name", action="store_true", help="a customer without a first name")
        parser.add_argument("--logo", action="store_true", help="show the sample logo instead of the shop name")
        parser.add_argument("--shop-name")
        parser.add_argument("--primary-color")
        parser.add_argument("--storefront-url")

    def handle(self, *args, **options):
        if options["all"] == bool(options["template"]):
            raise CommandError("give one template, or --all")
        if options["all"] and not options["output_dir"]:
            raise CommandError("--all writes files: give --output-dir")
        branding = self.branding(options)
        templates = TEMPLATES if options["all"] else (options["template"],)
        if options["language"]:
            languages = (options["language"],)
        else:
            languages = LANGUAGES if options["all"] else ("en",)
        for template in templates:
            for language in languages:
                context = sample_context(template)
                if options["no_name"]:
                    context.pop("first_name")
                elif options["first_name"] is not None:
                    context["first_name"] = options["first_name"]
                try:
                    self.preview(template, language, context, branding, options)
                except RenderError as exc:
                    raise CommandError(f"{template} ({language}): {exc}") from exc

    def branding(self, options) -> Branding:
        branding = sample_branding(logo=options["logo"])
        overrides = {
            field: options[option]
            for field, option in (("shop_name", "shop_name"), ("primary_color", "primary_color"),
                                  ("storefront_url", "storefront_url"))
            if options[option]
        }
        return replace(branding, **overrides)

    def preview(self, template: str, language: str, context: dict, branding: Branding, options) -> None:
        output_dir: Path | None = options["output_dir"]
        if output_dir is not None:
            output_dir.mkdir(parents=True, exist_ok=True)
            email = render_email(template, language=language, context=context, branding=branding)
            (output_dir / f"{template}.{language}.html").write_text(email.html, encoding="utf-8")
            (output_dir / f"{template}.{language}.txt").write_text(
                f"Subject: {email.subject}\nPreheader: {email.preheader}\n\n{email.text}", encoding="utf-8"
            )
            self.stdout.write(f"{template}.{language}: {email.subject}")
            return
        if options["format"] == "mjml":
            message = build_message(template, language=language, context=context, branding=branding)
            self.stdout.write(render_mjml(message))
            return
        if options["format"] == "html":
            message = build_message(template, language=language, context=context, branding=branding)
            html, warnings = mjml_to_html(render_mjml(message))
            for warning in warnings:
                self.stderr.write(f"mrml: {warning}")
            self.stdout.write(html)
            return
        email = render_email(template, language=language, context=context, branding=branding)
        if options["format"] == "links":
            self.stdout.write("\n".join(email.links))
        else:
            self.stdout.write(f"Subject: {email.subject}\nPreheader: {email.preheader}\n\n{email.text}")
