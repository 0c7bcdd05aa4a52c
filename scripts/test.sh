#!/usr/bin/env bash
# One command on a fresh clone: set up, then build, typecheck, lint, test and
# check the published package shapes.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh
pnpm run check
