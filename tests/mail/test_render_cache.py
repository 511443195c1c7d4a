"""Filling a cached layout gives exactly the email a full render gives."""

import pytest

from saleor_lifecycle.mail.render import (
    LANGUAGES,
    TEMPLATES,
    build_message,
    mjml_to_html,
    render_html,
    render_mjml,
    sample_branding,
    sample_context,
)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("template", TEMPLATES)
def test_a_filled_layout_equals_a_full_render(template, language):
    context = sample_context(template)
    for first_name in ("Anna", """<script>alert('x')</script> & "Co" lcslot00000x""", ""):
        message = build_message(
            template, language=language, context={**context, "first_name": first_name}, branding=sample_branding()
        )
        full = mjml_to_html(render_mjml(message))[0]
        # mrml writes a non-breaking space inside aria-label as the text "\u{a0}"; a filled
        # layout keeps the character itself, which is what the attribute should say.
        # Lines are wrapped at structural tags, so compare without line breaks.
        filled = render_html(message)[0]
        assert filled.replace("\n", "") == full.replace("\\u{a0}", "\xa0").replace("\n", "")
        assert max(len(line.encode()) for line in filled.split("\n")) < 998


def test_customers_share_a_layout_but_not_their_words():
    context = sample_context("cart_last_chance")
    first = build_message("cart_last_chance", language="en", context={**context, "first_name": "Anna"}, branding=sample_branding())
    second = build_message("cart_last_chance", language="en", context={**context, "first_name": "Piotr"}, branding=sample_branding())
    assert "Anna" in render_html(first)[0] and "Anna" not in render_html(second)[0]
