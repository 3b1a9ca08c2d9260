"""Lint: no floats in Ordersmith's code (money is Decimal, quantities are int).

Flags float literals and uses of the name ``float`` under src/ordersmith, except
``isinstance(x, float)`` (that is how input floats are refused). A line may opt out
with ``# float-ok: <why>``; a module whose floats are not amounts (the demo data's
seasonality weights) opts out whole with a ``# float-ok-module: <why>`` line.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path


def _isinstance_checks(tree: ast.AST) -> set[int]:
    allowed: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "isinstance":
            allowed.update(id(n) for arg in node.args[1:] for n in ast.walk(arg))
    return allowed


def offences(path: Path) -> list[str]:
    source = path.read_text()
    if "# float-ok-module:" in source:
        return []
    lines = source.splitlines()
    tree = ast.parse(source, filename=str(path))
    allowed = _isinstance_checks(tree)
    found = []
    for node in ast.walk(tree):
        is_float = (isinstance(node, ast.Constant) and isinstance(node.value, float)) or (
            isinstance(node, ast.Name) and node.id == "float" and id(node) not in allowed
        )
        if is_float and "# float-ok" not in lines[node.lineno - 1]:
            found.append(f"{path}:{node.lineno}: a float in Ordersmith code (use Decimal or int)")
    return sorted(set(found))


def main() -> int:
    root = Path(sys.argv[1] if len(sys.argv) > 1 else "src/ordersmith")
    problems = [p for path in sorted(root.rglob("*.py")) for p in offences(path)]
    print("\n".join(problems) or "no floats")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
