"""Shared CLI plumbing: settings, the database, the actor, printing errors, CSV imports.

The consoles never read markup: stored data (SKUs, names, reasons) is printed as it is,
so a value such as ``[/b]`` shows as text instead of breaking the command. Our own words
are styled with ``rich.text.Text`` (see ``styled``).
"""

from __future__ import annotations

import csv
import getpass
import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.text import Text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from ordersmith.config import Settings, load_settings
from ordersmith.errors import ConfigurationError, FieldError, OmsError, ValidationFailed
from ordersmith.runtime import open_database
from ordersmith.uow import Database
from ordersmith.validation import whole_number

console = Console(markup=False, highlight=False)
err_console = Console(stderr=True, markup=False, highlight=False, soft_wrap=True)


PIPED_WIDTH = 200
"""The width of output that goes to a pipe or a file: Rich would cut it to 80 columns,
and a number, id or SKU cut short with "…" cannot be copied into the next command."""


def fit_consoles_to_terminal() -> None:
    """Use COLUMNS (or the terminal's own width) as it is now, not as it was at import:
    one process may run many commands (tests, shells embedding the CLI). Output that is
    not a terminal is ``PIPED_WIDTH`` wide."""
    columns = os.environ.get("COLUMNS", "")
    for each in (console, err_console):
        each.width = None  # type: ignore[assignment]  # measure the terminal again
        width = whole_number(columns, maximum=10_000)
        if width:
            each.width = width
        elif not each.is_terminal:
            each.width = PIPED_WIDTH


def styled(*parts: str | tuple[str, str]) -> Text:
    """A line of plain text, with our own words styled: ``styled(("ok", "green"), " x")``."""
    return Text.assemble(*parts)


def safe_url(url: str) -> str:
    """A database URL fit to print: the password hidden."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):  # unparsable: never echo it, it may hold a password
        return "(unparsable URL)"


def cli_settings() -> Settings:
    """The settings, with a database URL SQLAlchemy can use (its dialect and driver exist)."""
    settings = load_settings()
    try:
        make_url(settings.effective_database_url).get_dialect().import_dbapi()
    except (ArgumentError, ValueError, ImportError) as exc:
        raise ConfigurationError(
            f"ORDERSMITH_DATABASE_URL is not a usable database URL: {exc}",
            code="invalid_settings",
        ) from exc
    return settings


def cli_actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except Exception:  # no user name in some containers
        return "cli"


@contextmanager
def database() -> Iterator[Database]:
    db = open_database(cli_settings())
    try:
        yield db
    finally:
        db.dispose()


CsvRow = tuple[int, dict[str, str]]


def read_csv(
    path: Path, required: Sequence[str], optional: Sequence[str]
) -> tuple[list[CsvRow], list[FieldError]]:
    """The data rows of a UTF-8 CSV file with a header row, each with its line number,
    and the problems found in the file's structure. Raises ValidationFailed when the
    header itself is wrong."""
    rows: list[CsvRow] = []
    problems: list[FieldError] = []
    try:
        with path.open(newline="", encoding="utf-8-sig") as file:
            reader = csv.DictReader(file)
            header = [name.strip().lower() for name in reader.fieldnames or []]
            _check_header(header, required, optional)
            reader.fieldnames = header
            for row in reader:
                if None in row:
                    problems.append(
                        FieldError(f"line {reader.line_num}", "more cells than columns")
                    )
                    continue
                rows.append((reader.line_num, {k: (v or "").strip() for k, v in row.items()}))
    except UnicodeDecodeError as exc:
        raise ValidationFailed(f"{path} is not UTF-8 text", code="invalid_csv") from exc
    except csv.Error as exc:
        raise ValidationFailed(f"{path} is not valid CSV: {exc}", code="invalid_csv") from exc
    except OSError as exc:
        raise ValidationFailed(
            f"{path} cannot be read: {exc.strerror or exc}", code="unreadable_file"
        ) from exc
    return rows, problems


def _check_header(header: list[str], required: Sequence[str], optional: Sequence[str]) -> None:
    missing = [c for c in required if c not in header]
    unknown = [c for c in header if c not in required and c not in optional]
    repeated = sorted({c for c in header if header.count(c) > 1})
    fields = [FieldError("header", f"missing column {c!r}") for c in missing]
    fields += [FieldError("header", f"unknown column {c!r}") for c in unknown]
    fields += [FieldError("header", f"column {c!r} appears twice") for c in repeated]
    if fields:
        raise ValidationFailed(
            f"the header row must have the columns {', '.join(required)} and may have "
            f"{', '.join(optional)}",
            code="invalid_csv",
            fields=fields,
        )


def row_errors(line: int, error: OmsError) -> list[FieldError]:
    """An error about one CSV row, as lines of the import's answer."""
    where = f"line {line}"
    if error.fields:
        return [FieldError(where, f"{f.field}: {f.message}") for f in error.fields]
    return [FieldError(where, error.detail)]


def reject(problems: list[FieldError], total: int) -> ValidationFailed:
    bad = len({p.field for p in problems})
    return ValidationFailed(
        f"{bad} of {total} rows are not valid; nothing was imported",
        code="import_rejected",
        fields=sorted(problems, key=lambda p: int(p.field.split()[-1])),
    )


@contextmanager
def progress_bar(label: str) -> Iterator[Callable[[int, int], None]]:
    """A progress bar for long CLI work: yields ``report(done, total)``."""
    with Progress(
        TextColumn(label),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    ) as bar:
        task = bar.add_task(label, total=None)

        def report(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield report
