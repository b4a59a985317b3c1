#!/usr/bin/env bash
# Install what the test suite needs from outside PyPI when it is missing:
# - Debian packages: Chromium (browser tests), a PostgreSQL server (shared-gradebook tests),
#   python3-venv (the hub tests build the learners' environment from Debian's python3,
#   which every account can run);
# - configurable-http-proxy from npm (the hub tests run a real JupyterHub; node is needed).
set -euo pipefail
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
if ! command -v initdb >/dev/null 2>&1 && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  need+=(postgresql)
fi
if ! /usr/bin/python3 -c "import ensurepip, venv" >/dev/null 2>&1; then
  need+=(python3-venv)
fi
if ! command -v npm >/dev/null 2>&1; then
  need+=(nodejs npm)
fi
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "error: missing Debian packages: ${need[*]} (install them with apt-get as root)" >&2
    exit 1
  fi
  echo "installing ${need[*]} with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
if ! command -v configurable-http-proxy >/dev/null 2>&1; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "error: configurable-http-proxy is missing (npm install -g configurable-http-proxy as root)" >&2
    exit 1
  fi
  echo "installing configurable-http-proxy with npm"
  npm install --global --silent configurable-http-proxy >/dev/null
  command -v configurable-http-proxy >/dev/null
fi
