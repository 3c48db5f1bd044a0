#!/usr/bin/env bash
# The whole test suite: `npm test`. Builds first (tests import the built packages, like users do).
set -euo pipefail
cd "$(dirname "$0")/.."
npm run build
npx vitest run "$@"
