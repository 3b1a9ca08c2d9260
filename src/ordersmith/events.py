"""Domain events: frozen dataclasses named in the past tense.

A service records events on the unit of work; the unit of work writes them to the
outbox table in the same transaction (ordersmith.outbox), and the worker delivers them.
"""

from __future__ import annotations

import dataclasses
import uuid
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any, ClassVar


@dataclasses.dataclass(frozen=True, kw_only=True)
class DomainEvent:
    aggregate_type: ClassVar[str] = ""
    aggregate_id: uuid.UUID

    @classmethod
    def event_type(cls) -> str:
        """Dotted name: ``OrderPlaced`` with aggregate ``order`` is ``order.placed``
        (worked out once per class: every event written asks)."""
        name = _EVENT_TYPES.get(cls)
        if name is None:
            snake = _snake(cls.__name__).removeprefix(f"{cls.aggregate_type}_")
            name = _EVENT_TYPES[cls] = f"{cls.aggregate_type}.{snake}"
        return name

    def payload(self) -> dict[str, Any]:
        return _fields_of(self)


def _fields_of(instance: Any) -> dict[str, Any]:
    """A dataclass instance's fields as JSON values, nested dataclasses as objects (what
    ``dataclasses.asdict`` gives, without its deep copy: this runs for every event)."""
    names = _FIELD_NAMES.get(type(instance))
    if names is None:
        names = _FIELD_NAMES[type(instance)] = tuple(f.name for f in dataclasses.fields(instance))
    return {name: _jsonable(getattr(instance, name)) for name in names}


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}
_EVENT_TYPES: dict[type, str] = {}


def _snake(name: str) -> str:
    out: list[str] = []
    for i, ch in enumerate(name):
        if ch.isupper() and i:
            out.append("_")
        out.append(ch.lower())
    return "".join(out)


def _jsonable(value: Any) -> Any:
    if isinstance(value, uuid.UUID | Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _fields_of(value)
    return value
