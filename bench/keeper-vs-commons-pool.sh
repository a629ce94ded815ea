#!/usr/bin/env bash
# Borrow + return throughput of the Tether keeper against Apache commons-pool2, 1 and 2 threads, same run.
# Usage: bench/keeper-vs-commons-pool.sh [measurement iterations, default 5]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
log="$(mktemp)"
if ! mvn -q -B -f "$here/pom.xml" -DskipTests -pl tether-bench -am install > "$log" 2>&1; then
  cat "$log" >&2
  rm -f "$log"
  exit 1
fi
rm -f "$log"
exec java -cp "$here/tether-bench/target/benchmarks.jar" io.tether.bench.KeeperVsCommonsPool "${1:-5}"
