"""The self-contained HTML report: `render(res)` gives one HTML string, `write(res, path)` writes
it (inline CSS and SVG, no script, no fetch)."""

from allocator.report.html.page import render, write

__all__ = ["render", "write"]
