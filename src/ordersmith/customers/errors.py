"""Customer errors, each with a stable code."""

from __future__ import annotations

from ordersmith.errors import Conflict, NotFound


class CustomerNotFound(NotFound):
    code = "customer_not_found"
    title = "Customer not found"


class CustomerMerged(Conflict):
    """The customer was merged into another: act on the surviving record instead."""

    code = "customer_merged"
    title = "Customer merged into another"


class MergeNotAllowed(Conflict):
    code = "merge_not_allowed"
    title = "These customers cannot be merged"


class CustomerMergeNotFound(NotFound):
    code = "customer_merge_not_found"
    title = "Customer merge not found"


class UnmergeConflict(Conflict):
    """Undoing the merge would leave records linked across the two customers."""

    code = "unmerge_conflict"
    title = "The merge cannot be undone"


class LoyaltyTierNotFound(NotFound):
    code = "loyalty_tier_not_found"
    title = "Loyalty tier not found"


class LoyaltyTierInUse(Conflict):
    code = "loyalty_tier_in_use"
    title = "Loyalty tier in use"


class ContactNotFound(NotFound):
    code = "contact_not_found"
    title = "Contact not found"


class AddressNotFound(NotFound):
    """No such address of this customer (another customer's address is not found either)."""

    code = "address_not_found"
