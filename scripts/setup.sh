#!/usr/bin/env bash
# Sets up a fresh clone with nothing but Node >= 20 and npm: pnpm, dependencies,
# and (where apt is available) Debian's Chromium for the viewer's browser tests and
# PostgreSQL for @tracewire/opentelemetry's pg tests and the demo's database.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt 20 ]; then
  echo "tracewire needs Node.js >= 20 (found $(node --version))." >&2
  exit 1
fi

pnpm_version=$(node -p 'require("./package.json").packageManager.split("@")[1]')
if ! command -v pnpm >/dev/null 2>&1 || [ "$(pnpm --version)" != "$pnpm_version" ]; then
  echo "==> installing pnpm $pnpm_version with npm"
  npm install --global --no-fund --no-audit "pnpm@$pnpm_version" >/dev/null
fi

echo "==> pnpm install"
pnpm install --frozen-lockfile

if [ "${TRACEWIRE_SKIP_BROWSER:-}" != "1" ] && [ ! -x /usr/bin/chromium ] && command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = "0" ]; then
  echo "==> installing Debian's chromium for the viewer's browser tests"
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi

if [ "${TRACEWIRE_SKIP_POSTGRES:-}" != "1" ] && ! compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null && command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = "0" ]; then
  echo "==> installing Debian's postgresql for the OpenTelemetry bridge's pg tests"
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >/dev/null
fi
