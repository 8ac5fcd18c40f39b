#!/usr/bin/env bash
# Install the real programs the test suite drives: Chromium (browser tests),
# Redis (shared session store), nginx (sticky replicas), Node.js (OpenID provider)
# wrk (the load generator of bench/gateway), Prometheus (scrapes /__fluxlit/metrics)
# and curl (docs/quickstart.md uses it; a test runs that page).
# Idempotent: does nothing when everything is already installed.
set -euo pipefail

need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need+=(nginx)
command -v node >/dev/null 2>&1 || need+=(nodejs)
command -v npm >/dev/null 2>&1 || need+=(npm)
command -v wrk >/dev/null 2>&1 || need+=(wrk)
command -v prometheus >/dev/null 2>&1 || need+=(prometheus)
command -v curl >/dev/null 2>&1 || need+=(curl)

if [ ${#need[@]} -gt 0 ]; then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || { echo "need root (or sudo) to apt-get install: ${need[*]}" >&2; exit 1; }
    sudo="sudo"
  fi
  echo "installing: ${need[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

here="$(cd "$(dirname "$0")" && pwd)"
if [ -f "$here/oidc_provider.sh" ]; then
  bash "$here/oidc_provider.sh"
fi
