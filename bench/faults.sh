#!/usr/bin/env bash
# Runs the fault-injection harness (./tether bench faults); as root it first installs nftables when
# missing, which the cut-link scenario needs. Every argument is passed on, e.g.
#   bench/faults.sh --profile standard --write docs/DETECTION.md
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [[ "$(id -u)" == 0 ]] && ! command -v nft >/dev/null; then
  echo "faults: installing nftables for the cut-link scenario" >&2
  (apt-get install -y -qq nftables >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq nftables; }) >&2
fi
exec "$here/tether" bench faults "$@"
