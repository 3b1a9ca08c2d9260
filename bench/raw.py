"""The same-run raw baseline: the place-order transaction as plain SQL, no Ordersmith code.

Same database, same tables, same data, same order specs as the Ordersmith phases.

PostgreSQL (psycopg 3, the anchors' L2 "set-based" level): two statements + COMMIT
(psycopg sends its BEGIN as a round trip of its own, so 4 round trips):

1. one CTE: the order's stock rows (SKU -> product by a join) locked in key order
   (``ORDER BY warehouse_id, product_id FOR UPDATE``), then ``reserved`` raised by a
   conditional ``UPDATE ... WHERE on_hand - reserved >= qty``; it returns how many rows
   it updated. Fewer than the lines (unknown SKU, not enough stock): ROLLBACK.
2. one statement writing, from the lines joined to their products: the order header
   (totals summed from the lines), the lines, one ``order_reservations`` row and one
   ``stock_movements`` (reservation) row per line.

SQLite (sqlite3, in-process): ``BEGIN IMMEDIATE`` and one statement per row: per line
a product look-up and a conditional stock update, then the header, then per line the
line, reservation and ledger inserts; COMMIT.

The raw orders are valid Ordersmith rows (status ``placed``, list prices, totals that
add up, reservations and ledger rows that match), so ``ordersmith check`` covers them
and they stay in the database. What the raw path does NOT do that Ordersmith does:
customer profile and default addresses, price lists, warehouse choice (it is told W01
for unpinned lines, which is what Ordersmith's planner picks here), duplicate check
(advisory lock + query), order-number series, order history row, outbox events, stock
threshold events.
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading
import uuid
from datetime import UTC, datetime
from typing import Any

import psycopg

from bench.databases import Target
from bench.dataset import Dataset
from bench.recorder import PLACE, Recorder
from bench.workload import OrderMaker, OrderSpec, Placed, timed_place

ACTOR = "bench:raw"

PG_RESERVE = """
WITH req AS (
    SELECT r.wh, p.id AS product_id, r.qty
    FROM unnest(%(skus)s::text[], %(whs)s::uuid[], %(qtys)s::bigint[]) AS r(sku, wh, qty)
    JOIN products p ON p.sku = r.sku
), locked AS MATERIALIZED (
    SELECT s.warehouse_id, s.product_id, req.qty
    FROM stock_levels s
    JOIN req ON s.warehouse_id = req.wh AND s.product_id = req.product_id
    ORDER BY s.warehouse_id, s.product_id
    FOR UPDATE OF s
), upd AS (
    UPDATE stock_levels s SET reserved = s.reserved + l.qty, updated_at = %(now)s
    FROM locked l
    WHERE s.warehouse_id = l.warehouse_id AND s.product_id = l.product_id
      AND s.on_hand - s.reserved >= l.qty
    RETURNING s.product_id
)
SELECT count(*) FROM upd
"""

PG_WRITE = """
WITH l AS (
    SELECT r.line_no, r.wh, r.qty, p.id AS product_id, p.sku, p.name, p.price, p.tax_rate,
           round(r.qty * p.price, 2) AS net,
           round(round(r.qty * p.price, 2) * p.tax_rate, 2) AS tax
    FROM unnest(%(skus)s::text[], %(whs)s::uuid[], %(qtys)s::bigint[])
         WITH ORDINALITY AS r(sku, wh, qty, line_no)
    JOIN products p ON p.sku = r.sku
), o AS (
    INSERT INTO orders (id, number, channel, external_ref, customer_id, status,
        backorder_policy, currency, billing_address, shipping_address, subtotal,
        discount_total, tax_total, shipping_total, total, units, notes, lines_fingerprint,
        created_by, created_at, updated_at)
    SELECT %(id)s, %(number)s, %(channel)s, %(ref)s, %(customer)s, 'placed', 'reject', 'EUR',
        '{}', '{}', sum(net), 0, sum(tax), 0, sum(net) + sum(tax), sum(qty), '', %(fp)s,
        %(actor)s, %(now)s, %(now)s
    FROM l
    RETURNING id
), lines AS (
    INSERT INTO order_lines (id, order_id, line_no, product_id, sku, name, quantity,
        reserved_quantity, backordered_quantity, warehouse_id, unit_price, discount,
        tax_rate, net_amount, tax_amount, price_source, order_created_at)
    SELECT gen_random_uuid(), o.id, l.line_no, l.product_id, l.sku, l.name, l.qty, l.qty, 0,
        l.wh, l.price, 0, l.tax_rate, l.net, l.tax, 'list_price', %(now)s
    FROM l, o
), res AS (
    INSERT INTO order_reservations (order_id, warehouse_id, product_id, quantity)
    SELECT o.id, l.wh, l.product_id, l.qty FROM l, o
)
INSERT INTO stock_movements (id, warehouse_id, product_id, kind, on_hand_delta,
    reserved_delta, reason, source_type, source_id, actor, created_at)
SELECT gen_random_uuid(), l.wh, l.product_id, 'reservation', 0, l.qty, '', 'order',
    %(number)s, %(actor)s, %(now)s
FROM l
"""


def fingerprint(spec: OrderSpec) -> str:
    totals: dict[str, int] = {}
    for sku, qty, _wh in spec.lines:
        totals[sku] = totals.get(sku, 0) + qty
    canonical = ";".join(f"{sku}:{qty}" for sku, qty in sorted(totals.items()))
    return hashlib.sha256(canonical.encode()).hexdigest()


SQLITE_WRITER = threading.Lock()
"""Raw SQLite writers of this process queue here before ``BEGIN IMMEDIATE``: SQLite has
one writer at a time, and its busy handler (sleeps of 1 ms growing to 100 ms between
retries) lets waiting writers starve for seconds at 8 clients. Queueing in-process is the
best one process can do, so the baseline uses it (see docs/performance.md)."""


class RawClient:
    """One connection, one thread: places orders with plain SQL."""

    def __init__(self, target: Target, data: Dataset, maker: OrderMaker, number_tag: str) -> None:
        self.target, self.maker = target, maker
        self.warehouse_ids = dict(data.warehouses)
        self.preferred = data.warehouses[0][1]
        self._tag, self._seq = number_tag, 0
        self.pg: psycopg.Connection[Any] | None = None
        self.lite: sqlite3.Connection | None = None
        if target.is_sqlite:
            self.lite = sqlite3.connect(
                target.sqlite_path, isolation_level=None, timeout=30, check_same_thread=False
            )
            for pragma in ("busy_timeout = 30000", "journal_mode = WAL", "synchronous = FULL"):
                self.lite.execute(f"PRAGMA {pragma}")
            self.lite.execute("PRAGMA foreign_keys = ON")
        else:
            self.pg = psycopg.connect(target.libpq_url)

    def close(self) -> None:
        if self.pg is not None:
            self.pg.close()
        if self.lite is not None:
            self.lite.close()

    def step(self, mode: str, rec: Recorder) -> None:
        spec = self.maker.next()
        self._seq += 1
        number = f"RAW-{self._tag}-{self.maker.client}-{self._seq}"
        timed_place(rec, spec, lambda: self._attempt(spec, number, rec))

    def _attempt(self, spec: OrderSpec, number: str, rec: Recorder) -> Placed:
        order_id = uuid.uuid4()
        try:
            placed = (
                self._place_sqlite(spec, order_id, number)
                if self.lite is not None
                else self._place_pg(spec, order_id, number)
            )
        except Exception as exc:
            return rec.error(PLACE, f"raw: {exc!r}"), None, ""
        if placed:
            return "ok", order_id, "placed"
        if spec.bad:
            return "refused_as_expected", None, ""
        return rec.error(PLACE, "raw: not enough stock"), None, ""

    def _warehouse(self, code: str | None) -> uuid.UUID:
        return self.warehouse_ids[code] if code else self.preferred

    def _place_pg(self, spec: OrderSpec, order_id: uuid.UUID, number: str) -> bool:
        assert self.pg is not None
        now = datetime.now(UTC)
        arrays = {
            "skus": [sku for sku, _q, _w in spec.lines],
            "whs": [self._warehouse(wh) for _s, _q, wh in spec.lines],
            "qtys": [qty for _s, qty, _w in spec.lines],
            "now": now,
        }
        conn = self.pg
        try:
            row = conn.execute(PG_RESERVE, arrays).fetchone()
            if row is None or row[0] != len(spec.lines):
                conn.rollback()
                return False
            conn.execute(
                PG_WRITE,
                {
                    **arrays,
                    "id": order_id,
                    "number": number,
                    "channel": spec.channel.value,
                    "ref": spec.external_ref,
                    "customer": spec.customer_id,
                    "fp": fingerprint(spec),
                    "actor": ACTOR,
                },
            )
            conn.commit()
            return True
        except BaseException:
            conn.rollback()
            raise

    def _place_sqlite(self, spec: OrderSpec, order_id: uuid.UUID, number: str) -> bool:
        conn = self.lite
        assert conn is not None
        now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
        oid = order_id.hex
        with SQLITE_WRITER:
            return self._write_sqlite(conn, spec, oid, number, now)

    def _write_sqlite(
        self, conn: sqlite3.Connection, spec: OrderSpec, oid: str, number: str, now: str
    ) -> bool:
        conn.execute("BEGIN IMMEDIATE")
        try:
            lines = []
            for sku, qty, code in spec.lines:
                product = conn.execute(
                    "SELECT id, name, price, tax_rate FROM products WHERE sku = ?", (sku,)
                ).fetchone()
                if product is None:
                    conn.execute("ROLLBACK")
                    return False
                wh = self._warehouse(code).hex
                updated = conn.execute(
                    "UPDATE stock_levels SET reserved = reserved + ?, updated_at = ? "
                    "WHERE warehouse_id = ? AND product_id = ? AND on_hand - reserved >= ?",
                    (qty, now, wh, product[0], qty),
                ).rowcount
                if updated != 1:
                    conn.execute("ROLLBACK")
                    return False
                net = (qty * product[2] + 50) // 100 * 100  # scaled by 10^4, cents half up
                tax = (net * product[3] + 500_000) // 1_000_000 * 100
                lines.append((sku, qty, wh, product, net, tax))
            net_sum, tax_sum = sum(ln[4] for ln in lines), sum(ln[5] for ln in lines)
            conn.execute(
                "INSERT INTO orders (id, number, channel, external_ref, customer_id, status, "
                "backorder_policy, currency, billing_address, shipping_address, subtotal, "
                "discount_total, tax_total, shipping_total, total, units, notes, "
                "lines_fingerprint, created_by, created_at, updated_at) VALUES "
                "(?, ?, ?, ?, ?, 'placed', 'reject', 'EUR', '{}', '{}', "
                "?, 0, ?, 0, ?, ?, '', ?, ?, ?, ?)",
                (
                    oid,
                    number,
                    spec.channel.value,
                    spec.external_ref,
                    spec.customer_id.hex,
                    net_sum,
                    tax_sum,
                    net_sum + tax_sum,
                    sum(ln[1] for ln in lines),
                    fingerprint(spec),
                    ACTOR,
                    now,
                    now,
                ),
            )
            for n, (sku, qty, wh, (pid, name, price, rate), net, tax) in enumerate(lines, 1):
                conn.execute(
                    "INSERT INTO order_lines (id, order_id, line_no, product_id, sku, name, "
                    "quantity, reserved_quantity, backordered_quantity, warehouse_id, unit_price, "
                    "discount, tax_rate, net_amount, tax_amount, price_source, order_created_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, 0, ?, ?, ?, 'list_price', ?)",
                    (
                        uuid.uuid4().hex,
                        oid,
                        n,
                        pid,
                        sku,
                        name,
                        qty,
                        qty,
                        wh,
                        price,
                        rate,
                        net,
                        tax,
                        now,
                    ),
                )
                conn.execute(
                    "INSERT INTO order_reservations (order_id, warehouse_id, product_id, "
                    "quantity) VALUES (?, ?, ?, ?)",
                    (oid, wh, pid, qty),
                )
                conn.execute(
                    "INSERT INTO stock_movements (id, warehouse_id, product_id, kind, "
                    "on_hand_delta, reserved_delta, reason, source_type, source_id, actor, "
                    "created_at) VALUES (?, ?, ?, 'reservation', 0, ?, '', 'order', ?, ?, ?)",
                    (uuid.uuid4().hex, wh, pid, qty, number, ACTOR, now),
                )
            conn.execute("COMMIT")
            return True
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
