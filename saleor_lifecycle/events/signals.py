from django.dispatch import Signal

#: Sent once a delivery's body is parsed, inside the transaction that marks it processed.
#: Arguments: ``installation`` and ``event`` (a ``types.LifecycleEvent``). Receivers
#: must be idempotent (Saleor delivers at least once) and raise to have it retried.
lifecycle_event = Signal()
