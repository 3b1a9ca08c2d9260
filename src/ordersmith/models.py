"""Import every area's models so ``metadata`` knows all tables (Alembic, checks)."""

from ordersmith.auth import models as auth_models
from ordersmith.billing import models as billing_models
from ordersmith.billing import provider_events  # noqa: F401  (payment_provider_events)
from ordersmith.billing import records as billing_records
from ordersmith.catalog import models as catalog_models
from ordersmith.customer_service import models as customer_service_models
from ordersmith.customers import models as customer_models
from ordersmith.forecasting import models as forecasting_models
from ordersmith.fulfillment import models as fulfillment_models
from ordersmith.idempotency import models as idempotency_models
from ordersmith.inventory import models as inventory_models
from ordersmith.notifications import models as notification_models
from ordersmith.numbering import NumberSeries
from ordersmith.orders import models as order_models
from ordersmith.outbox import models as outbox_models
from ordersmith.portal import models as portal_models
from ordersmith.purchasing import models as purchasing_models
from ordersmith.replenishment import models as replenishment_models
from ordersmith.returns import models as returns_models
from ordersmith.shipping import models as shipping_models
from ordersmith.staff import models as staff_models

__all__ = [
    "NumberSeries",
    "auth_models",
    "billing_models",
    "billing_records",
    "catalog_models",
    "customer_models",
    "customer_service_models",
    "forecasting_models",
    "fulfillment_models",
    "idempotency_models",
    "inventory_models",
    "notification_models",
    "order_models",
    "outbox_models",
    "portal_models",
    "purchasing_models",
    "replenishment_models",
    "returns_models",
    "shipping_models",
    "staff_models",
]
