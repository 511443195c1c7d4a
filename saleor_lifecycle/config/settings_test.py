"""Settings for the test suite: the production settings with a test environment.

The same environment variables still apply, so the suite runs on PostgreSQL + Redis when
DATABASE_URL and CELERY_BROKER_URL point there (see bin/test).
"""

import os

# Set before the settings read them: allow the development key, and keep the test run's
# files (SQLite, broker) away from a developer's own var/.
os.environ.setdefault("LIFECYCLE_TESTING", "1")
os.environ.setdefault("VAR_DIR", "/tmp/saleor-lifecycle-test-var")

from .settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
