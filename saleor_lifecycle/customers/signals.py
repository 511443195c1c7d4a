from django.dispatch import Signal

#: A customer changed stage. Sent inside the transaction that recorded it, so receivers'
#: writes (e.g. enrolling in a scenario) commit with it. Arguments: ``customer``
#: (``models.Customer``) and ``transition`` (``models.StageTransition``).
stage_changed = Signal()

#: A customer's personal data was erased (CUSTOMER_DELETED or a GDPR request). Receivers
#: remove what they keep about the person; anonymous counts stay. Argument: ``customer``.
customer_erased = Signal()
