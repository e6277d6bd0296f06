#!/bin/sh
# Type-check and lint the package and the command line, as configured in pyproject.toml
# ([tool.mypy], [tool.ruff]). Run from anywhere; uses the tools on PATH (pip install -e '.[test]').
set -eu
cd "$(dirname "$0")/.."
status=0
mypy inliner cli || status=1
ruff check inliner cli || status=1
exit "$status"
