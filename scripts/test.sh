#!/usr/bin/env bash
# Installs the test dependencies (the Debian packages the tests compare against, and the npm packages)
# and runs the tests. Run it as root or as a user with sudo: root is used only for apt-get.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/common.sh

scripts/install-system-deps.sh
ensure_node
npm ci --no-audit --no-fund
npm test
