#!/usr/bin/env bash
# JMH: the heartbeat path piece by piece (frame codec, detector updates) and whole (a PING through a real
# server on 127.0.0.1), each with its allocation per operation (-prof gc: gc.alloc.rate.norm, bytes/op).
# Usage: bench/heartbeat-path.sh [extra JMH options, e.g. -f 1 -wi 3 -i 5]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
log="$(mktemp)"
if ! mvn -q -B -f "$here/pom.xml" -DskipTests -pl tether-bench -am install > "$log" 2>&1; then
  cat "$log" >&2
  rm -f "$log"
  exit 1
fi
rm -f "$log"
# Benchmark threads are Netty FastThreadLocalThreads, as event loops are (FastThreadLocalExecutor), and the
# forks run with Netty's leak detector off, as ./tether runs the server.
exec java -Djmh.executor=CUSTOM -Djmh.executor.class=io.tether.bench.FastThreadLocalExecutor \
  -jar "$here/tether-bench/target/benchmarks.jar" 'HeartbeatPathBenchmark|ServerPingBenchmark' \
  -prof gc -f 1 -wi 3 -w 2s -i 5 -r 2s -jvmArgsAppend "-Dio.netty.leakDetection.level=disabled" "$@"
