#!/usr/bin/env bash
# The whole test suite: `npm test`. Builds first (tests import the built packages, like users do).
set -euo pipefail
cd "$(dirname "$0")/.."
# Real Buildbot 3.7 master + worker for test/e2e-buildbot*.test.ts (Debian packages; buildbot runs on /usr/bin/python3).
[ -x /usr/bin/buildbot ] && [ -x /usr/bin/buildbot-worker ] || (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends buildbot buildbot-worker)
# OpenSSH sshd + client for test/gerrit*.test.ts (sshd stands in for Gerrit's SSH daemon).
[ -x /usr/sbin/sshd ] && command -v ssh >/dev/null && command -v ssh-keygen >/dev/null || (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends openssh-server openssh-client)
# ngircd for test/irc*.test.ts (a real IRC server).
command -v ngircd >/dev/null || (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ngircd)
# systemd-analyze for test/deploy-examples.test.ts (verifies examples/systemd/bbreporters.service; nothing is started).
[ -x /usr/bin/systemd-analyze ] || (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends systemd)
# util-linux's `script` for test/cli-logs.test.ts (runs the command on a terminal; bsdutils is essential, so rarely missing).
command -v script >/dev/null || (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends bsdutils)
# redis-server for test/scale-out*.test.ts (several instances sharing one Redis; the test starts its own on a free port).
command -v redis-server >/dev/null || (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends redis-server)
# Mosquitto for test/mqtt.test.ts (a real MQTT broker; the test starts its own on a free port) and mosquitto_passwd.
command -v /usr/sbin/mosquitto >/dev/null || (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends mosquitto)
# Chromium for test/console.test.ts (the web console in a real browser, driven by playwright-core).
[ -x /usr/bin/chromium ] || (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium)
# Lint first (ESLint + Prettier): fast, and a style or lint error fails the suite like a test.
npm run lint
npm run build
# Test code is type-checked too (the build leaves tests out; vitest only strips types).
npm run typecheck:tests
npx vitest run "$@"
