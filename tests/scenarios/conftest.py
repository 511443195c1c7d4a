from datetime import UTC, datetime


NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)  # a Monday, 10:00 UTC: outside quiet hours
