#!/usr/bin/env bash
# Borrow + return throughput of the Tether keeper against Apache commons-pool2, 1 and 2 threads, same run.
# Usage: bench/keeper-vs-commons-pool.sh [measurement iterations, default 5]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=bench/build-benchmarks.sh
. "$here/bench/build-benchmarks.sh"
exec java -Dtether.log.level=WARN -cp "$here/tether-bench/target/tether-bench.jar" io.tether.bench.KeeperVsCommonsPool "${1:-5}"
