"""Shared API types: money as strings, pages of items, addresses."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, field_validator

from ordersmith import validation
from ordersmith.money import money_str

T = TypeVar("T")


def _decimal_str(value: Decimal) -> str:
    return money_str(value)


DecimalStr = Annotated[Decimal, PlainSerializer(_decimal_str, return_type=str, when_used="json")]
"""A Decimal in, a string out (``"12.50"``); never a float."""


class Input(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = Field(None, description="pass as ?cursor= for the next page")


class AddressIn(Input):
    name: str = Field("", max_length=200)
    line1: str = Field(..., min_length=1, max_length=200)
    line2: str = Field("", max_length=200)
    city: str = Field(..., min_length=1, max_length=120)
    region: str = Field("", max_length=120)
    postcode: str = Field("", max_length=20)
    country: str = Field(..., pattern="^[A-Z]{2}$", description="ISO 3166-1 alpha-2")

    @field_validator("name", "line1", "line2", "city", "region", "postcode", "country")
    @classmethod
    def _no_control_characters(cls, value: str) -> str:
        # the shared text rule: a NUL cannot even be stored on PostgreSQL
        return validation.no_control_characters(value)
