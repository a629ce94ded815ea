#!/usr/bin/env bash
# JMH: the heartbeat path piece by piece (frame codec, detector updates) and whole (a PING through a real
# server on 127.0.0.1), each with its allocation per operation (-prof gc: gc.alloc.rate.norm, bytes/op).
# Usage: bench/heartbeat-path.sh [JMH run options, replacing the default -f 1 -wi 3 -w 2s -i 5 -r 2s]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=bench/build-benchmarks.sh
. "$here/bench/build-benchmarks.sh"
# Benchmark threads are Netty FastThreadLocalThreads, as event loops are (FastThreadLocalExecutor), and the
# forks run with Netty's leak detector off, as ./tether runs the server, and log warnings only.
runs=(-f 1 -wi 3 -w 2s -i 5 -r 2s)
if [[ $# -gt 0 ]]; then runs=("$@"); fi
exec java -Djmh.executor=CUSTOM -Djmh.executor.class=io.tether.bench.FastThreadLocalExecutor \
  -cp "$here/tether-bench/target/tether-bench.jar" org.openjdk.jmh.Main 'HeartbeatPathBenchmark|ServerPingBenchmark' \
  -prof gc -jvmArgsAppend "-Dio.netty.leakDetection.level=disabled -Dtether.log.level=WARN" "${runs[@]}"
