"""What each new PostgreSQL connection gets besides Django's own setup."""

from datetime import UTC
from functools import cache

from django.db.backends.signals import connection_created
from django.dispatch import receiver


@receiver(connection_created, dispatch_uid="core.timestamptz_loader")
def use_psycopg_timestamptz_loader(sender, connection, **kwargs) -> None:
    """Read ``timestamptz`` with psycopg's own loader where it returns what Django's does.

    Django registers a loader of its own, written in Python, that sets each value's tzinfo
    to the connection's time zone: about 6 µs a value, and a customer row has eleven. In a
    session whose time zone is UTC (Django sets the session to its own time zone, UTC with
    ``USE_TZ`` and no ``TIME_ZONE`` per database) psycopg's loader, in C, returns the same
    aware datetimes, tzinfo ``datetime.UTC``. Any other zone keeps Django's loader.
    """
    if connection.vendor != "postgresql" or connection.timezone is not UTC:
        return
    if connection.connection.info.parameter_status("TimeZone") != "UTC":
        return
    connection.connection.adapters.register_loader("timestamptz", utc_timestamptz_loader())


@cache
def utc_timestamptz_loader() -> type:
    import psycopg
    from psycopg.adapt import Loader
    from psycopg.pq import Format

    psycopgs = psycopg.adapters.get_loader(psycopg.adapters.types["timestamptz"].oid, Format.TEXT)

    class UTCTimestamptzLoader(Loader):
        """psycopg's loader (a C class, which cannot be subclassed) with the ``timezone``
        Django compares with its own on every cursor."""

        timezone = UTC

        def __init__(self, oid, context=None):
            super().__init__(oid, context)
            self._loader = psycopgs(oid, context)
            self.load = self._loader.load  # psycopg calls it directly: no Python frame a value

        def load(self, data):
            return self._loader.load(data)

    return UTCTimestamptzLoader
