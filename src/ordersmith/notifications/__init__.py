"""Customer communications: messages queued from domain events, sent by the worker."""
