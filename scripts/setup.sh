#!/usr/bin/env bash
# Installs what the build needs, builds dist/vfio-doctor.mjs and checks this host with it. Arguments go
# to `check` (for example --device 0000:01:00.0). Run it as root or as a user: root is used only to
# install missing packages (through sudo when there is one) and to read the host in full.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/common.sh

ensure_node
npm ci --no-audit --no-fund
npm run build

# A user's check still runs: the report says what it could not read without root.
cli=(node dist/vfio-doctor.mjs check "$@")
if [ "$(id -u)" -eq 0 ]; then
  exec "${cli[@]}"
elif command -v sudo >/dev/null 2>&1; then
  say "(not root: checking with sudo, so every source of the host can be read)"
  exec sudo "${cli[@]}"
else
  say "(not root and no sudo: checking as $(id -un); the report names what could not be read)"
  exec "${cli[@]}"
fi
