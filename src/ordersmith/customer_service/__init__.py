"""Customer service: cases (tickets) with threaded notes and an SLA, and the order
timeline (ADR 0021)."""
