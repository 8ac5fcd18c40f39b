#!/usr/bin/env bash
# Install the OpenID provider used by the auth integration tests (npm package oidc-provider).
set -euo pipefail
cd "$(dirname "$0")/../oidc_provider"
if [ -f package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
else
  npm install --no-audit --no-fund --loglevel=error
fi
