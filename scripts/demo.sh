#!/usr/bin/env bash
# One command on a fresh clone: set up, build, and run the multi-service demo.
# Extra arguments go to the demo (e.g. --once).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
TRACEWIRE_SKIP_BROWSER=1 bash scripts/setup.sh
pnpm run build
pnpm run demo "$@"
