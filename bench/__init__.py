"""The Ordersmith benchmark: an order-entry workload against the database's own limit.

``python -m bench run ...`` and ``python -m bench growth ...``; see docs/performance.md.
Not part of the test run (a short smoke of it is: tests/e2e/test_bench_smoke.py).
"""
