"""``python -m bench run|growth|profile|pages ...``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rich.console import Console

console = Console(width=None if sys.stdout.isatty() else 132)


def _say(message: str) -> None:
    console.print(f"[dim]. {message}[/dim]")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="the order-entry workload against the raw SQL baseline")
    run.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    run.add_argument("--via", choices=("service", "http"), default="service")
    run.add_argument("--warehouses", type=int, default=1)
    run.add_argument("--clients", type=int, default=8)
    run.add_argument("--seconds", type=float, default=40.0, help="place-order comparison time")
    run.add_argument("--skus", type=int, default=10_000)
    run.add_argument("--customers", type=int, default=300, help="per warehouse")
    run.add_argument("--history", type=int, default=1000, help="historical orders per warehouse")
    run.add_argument("--alternations", type=int, default=4)
    run.add_argument(
        "--fulfil-batch", type=int, default=10, help="orders per fulfil (TPC-C Delivery: 10)"
    )
    run.add_argument(
        "--opening-confirmed",
        type=int,
        default=200,
        help="orders confirmed before the run, per warehouse (fulfil's first work)",
    )
    run.add_argument(
        "--opening-invoiced",
        type=int,
        default=None,
        help="account customers owing an invoice at the start, per warehouse (default: all)",
    )
    run.add_argument("--seed", type=int, default=7)
    run.add_argument("--out", type=Path, default=None, help="JSON result file")
    run.add_argument("--quiet", action="store_true", help="no table, only the JSON path")

    growth = sub.add_parser("growth", help="query times at growing order counts")
    growth.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    growth.add_argument(
        "--sizes", default="10000,100000,1000000", help="order counts, comma-separated"
    )
    growth.add_argument("--queries", type=int, default=200, help="timed queries per size")
    growth.add_argument("--out", type=Path, default=None)

    profile = sub.add_parser("profile", help="pyinstrument profile of place-order, one thread")
    profile.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    profile.add_argument("--orders", type=int, default=2000)
    profile.add_argument("--skus", type=int, default=10_000)

    pages = sub.add_parser("pages", help="server time of every back-office page (make run first)")
    pages.add_argument("--url", default="http://127.0.0.1:8000", help="a running server")
    pages.add_argument("--email", default="admin@ordersmith.example")
    pages.add_argument("--password", default="demo-admin-pass")
    pages.add_argument("--portal-email", default="portal-demo@ordersmith.example", help="'' skips")
    pages.add_argument("--portal-password", default="demo-portal-pass")
    pages.add_argument("--rounds", type=int, default=20, help="visits per page")
    pages.add_argument("--out", type=Path, default=None)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "run":
        return _run(args)
    if args.command == "profile":
        return _profile(args)
    if args.command == "pages":
        return _pages(args)
    return _growth(args)


def _run(args: argparse.Namespace) -> int:
    from bench.report import print_table, write
    from bench.run import RunConfig, execute

    config = RunConfig(
        db=args.db,
        via=args.via,
        warehouses=args.warehouses,
        clients=args.clients,
        seconds=args.seconds,
        skus=args.skus,
        customers_per_warehouse=args.customers,
        history_per_warehouse=args.history,
        alternations=args.alternations,
        seed=args.seed,
        opening_confirmed_per_warehouse=args.opening_confirmed,
        opening_invoiced_per_warehouse=args.opening_invoiced,
        fulfil_batch=args.fulfil_batch,
    )
    doc = execute(config, _say if not args.quiet else lambda _m: None)
    path = write(doc, args.out)
    if not args.quiet:
        print_table(doc, console)
    console.print(f"result: {path}")
    return 0 if doc["consistency"]["verdict"] == "PASS" else 1


def _growth(args: argparse.Namespace) -> int:
    from bench.growth import GrowthConfig, print_curve, run_growth, write

    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    config = GrowthConfig(db=args.db, sizes=sorted(sizes), queries=args.queries)
    doc = run_growth(config, _say)
    path = write(doc, args.out)
    print_curve(doc, console)
    console.print(f"result: {path}")
    return 0


def _pages(args: argparse.Namespace) -> int:
    import httpx

    from bench.pages import PORTAL, STAFF, measure, print_table, write

    try:
        timings = measure(args.url, STAFF, args.email, args.password, rounds=args.rounds)
        if args.portal_email:
            timings += measure(
                args.url, PORTAL, args.portal_email, args.portal_password, rounds=args.rounds
            )
    except httpx.TransportError as exc:
        console.print(f"[red]no server answers at {args.url} ({exc}): start one with make run[/]")
        return 2
    path = write(timings, args.out, args.url)
    print_table(timings, console)
    console.print(f"result: {path}")
    return 0 if all(t.ok for t in timings) else 1


def _profile(args: argparse.Namespace) -> int:
    import json

    from bench.profile import run_profile

    result = run_profile(args.db, args.orders, args.skus, _say)
    console.print(result.pop("text"), markup=False, highlight=False)
    console.print_json(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
