# Sourced by the set-up scripts: running a command as root, and finding a Node.js that can build.
# Works the same from a root shell (a fresh Debian has no sudo) and from a user shell with sudo.

# The oldest Node.js major version the build and the tests run on. The built package itself runs on an
# older one (package.json "engines", the guard in scripts/bundle.mjs); test/setup/scripts.test.ts holds
# the three together.
MIN_NODE_MAJOR=20

say() { printf '%s\n' "$*" >&2; }

# Runs a command as root: directly when root, through sudo when it exists; otherwise says what could not
# be run and fails, so the caller stops instead of half-installing.
as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    say "(not root: running with sudo: $*)"
    sudo "$@"
  else
    say "needs root, and this is not a root shell and there is no sudo: $*"
    say "run this script again as root (su -), or install sudo"
    return 1
  fi
}

node_major() {
  node -p 'process.versions.node.split(".")[0]' 2>/dev/null
}

# Makes sure node (>= MIN_NODE_MAJOR) and npm are on PATH, installing Debian's packages when they are
# missing and apt-get exists; says exactly what is missing otherwise.
ensure_node() {
  if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    if command -v apt-get >/dev/null 2>&1; then
      say "node or npm not found: installing the distribution's nodejs and npm packages"
      as_root apt-get update -qq || return 1
      local pkgs=()
      command -v node >/dev/null 2>&1 || pkgs+=(nodejs)
      command -v npm >/dev/null 2>&1 || pkgs+=(npm)
      as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >/dev/null || return 1
    else
      say "node and npm are needed (Node.js >= $MIN_NODE_MAJOR) and there is no apt-get to install them"
      return 1
    fi
  fi
  local major
  major="$(node_major)"
  if [ -z "$major" ] || [ "$major" -lt "$MIN_NODE_MAJOR" ]; then
    say "Node.js $(node --version 2>/dev/null || echo '(unknown)') is too old to build vfio-doctor: it needs >= $MIN_NODE_MAJOR"
    say "(Debian 12 ships 18: install a newer one from https://nodejs.org or NodeSource, or use the single binary, see README)"
    return 1
  fi
}
