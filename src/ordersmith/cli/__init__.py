"""The `ordersmith` command line: one module per area, calling the same services."""
