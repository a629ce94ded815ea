#!/usr/bin/env bash
# Sourced by the JMH scripts: builds tether-bench/target/tether-bench.jar, quietly unless the build fails.
log="$(mktemp)"
if ! mvn -q -B -f "$here/pom.xml" -DskipTests -pl tether-bench -am install > "$log" 2>&1; then
  cat "$log" >&2
  rm -f "$log"
  exit 1
fi
rm -f "$log"
