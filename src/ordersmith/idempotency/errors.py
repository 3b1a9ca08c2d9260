from ordersmith.errors import Conflict, ValidationFailed


class IdempotencyKeyReused(ValidationFailed):
    code = "idempotency_key_reused"
    title = "Idempotency-Key was used with a different request"


class IdempotencyKeyInFlight(Conflict):
    code = "idempotency_key_in_flight"
    title = "A request with this Idempotency-Key is still being processed"


class IdempotencyKeyInvalid(ValidationFailed):
    code = "idempotency_key_invalid"
    title = "Invalid Idempotency-Key"
