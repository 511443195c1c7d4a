"""Email: templates, consent, unsubscribe, tracking, GDPR."""
