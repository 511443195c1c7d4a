.PHONY: demo test bench

# Run the app on the embedded default (SQLite, no Redis) with a worker, beat and the fake
# Saleor, register it and ingest signed webhooks. Ctrl-C stops everything.
demo:
	bin/bootstrap
	bin/build-extension
	DEBUG=1 .venv/bin/python manage.py migrate --noinput
	DEBUG=1 .venv/bin/python manage.py demo

# The whole test suite on SQLite, then on PostgreSQL + Redis.
test:
	bin/test

# Every benchmark (about ten minutes): each prints its figures, the last line `name: value unit`.
bench:
	bin/bootstrap
	.venv/bin/python bench/webhook_ingest.py
	.venv/bin/python bench/stages.py
	.venv/bin/python bench/scheduler.py
	.venv/bin/python bench/send.py
	.venv/bin/python bench/clv_fit.py
