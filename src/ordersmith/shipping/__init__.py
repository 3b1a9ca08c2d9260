"""Shipping: shipments, carriers, labels, track-and-trace and signed carrier webhooks."""
