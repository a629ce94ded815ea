#!/usr/bin/env bash
# Runs the hostile-load scenario (./tether bench hostile): a real server process under resets, garbage,
# mutated frames, slow dribbles and request floods while healthy clients ping it. Every argument is passed
# on, e.g.
#   bench/hostile.sh --duration 60s --healthy 50
#   bench/hostile.sh --attacks request-flood --duration 30s     # the 2-connection REQUEST flood alone
# Prints key=value figures and exits 1 when an invariant broke (a ghost, an event out of order, a healthy
# client lost).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
exec "$here/tether" bench hostile "$@"
