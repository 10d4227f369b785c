#!/usr/bin/env bash
# Installs the Debian packages that tests and benchmarks run against (real peers and
# protocol clients). Idempotent: packages already present are not fetched again, and
# `apt-get update` runs only when a package is missing.
set -euo pipefail

# chromium: the headless browser the console e2e tests (tests/e2e) drive with playwright-core.
packages=(prometheus victoria-metrics prometheus-node-exporter chromium)
if [ "$#" -gt 0 ]; then packages=("$@"); fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ "${#missing[@]}" -eq 0 ] && exit 0

SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# --no-install-recommends keeps the install small; policy-rc.d stops the packages'
# own services from starting: the tests start every peer themselves on loopback ports.
printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
$SUDO chmod +x /usr/sbin/policy-rc.d
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
$SUDO rm -f /usr/sbin/policy-rc.d
