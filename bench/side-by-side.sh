#!/usr/bin/env bash
# Runs the same heartbeat load (tether bench load) against four servers in turn, on this machine:
#   Tether (./tether server, the launcher's default JVM settings), Mosquitto, redis-server, and a minimal
#   Netty IdleStateHandler server. Prints one table and, with --chart FILE, draws CPU per ping and memory
#   per connection as a PNG. Installs the Debian packages mosquitto and redis-server when missing.
# Usage: bench/side-by-side.sh [--connections N] [--warmup 15s] [--duration 30s] [--out DIR] [--chart FILE]
#        [--only tether,mosquitto,redis,netty,tether-metrics] [--rounds N] [--tls]
# tether-metrics is Tether with its admin port open and /metrics scraped every second for the whole run (a
# scrape 15 times as often as Prometheus's default), to show what the meters cost the heartbeat path.
# With --tls the servers (Tether and Mosquitto: --only tether,mosquitto) listen with TLS, on a certificate
# the script makes with openssl, and the load connects over TLS 1.3; the results are named NAME-tls.
# With --rounds N the servers run in turn N times (a, b, a, b, ...): this machine's speed drifts within the
# hour, so only figures from the same round compare, and the ratios to Mosquitto are printed per round.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
connections=19000 warmup=15s duration=30s out="" chart="" only="tether,mosquitto,redis,netty" rounds=1 tls=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --connections) connections="$2"; shift 2 ;;
    --warmup) warmup="$2"; shift 2 ;;
    --duration) duration="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --chart) chart="$2"; shift 2 ;;
    --only) only="$2"; shift 2 ;;
    --rounds) rounds="$2"; shift 2 ;;
    --tls) tls="-tls"; shift ;;
    *) echo "side-by-side: unknown argument '$1'" >&2; exit 2 ;;
  esac
done
out="${out:-$(mktemp -d -t tether-side-by-side.XXXXXX)}"
mkdir -p "$out"

need=()
command -v mosquitto >/dev/null || [[ -x /usr/sbin/mosquitto ]] || need+=(mosquitto)
command -v redis-server >/dev/null || need+=(redis-server)
if [[ ${#need[@]} -gt 0 ]]; then
  echo "side-by-side: installing ${need[*]}" >&2
  sudo_cmd=(); [[ "$(id -u)" == 0 ]] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${need[@]}" >&2
fi
mosquitto_bin="$(command -v mosquitto || echo /usr/sbin/mosquitto)"
tls_load=()
if [[ -n "$tls" ]]; then
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$out/tls.key" \
    -out "$out/tls.pem" -days 1 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 2>/dev/null
  # Mosquitto started as root drops to its own user, which must be able to read them (a throwaway key).
  chmod 755 "$out" && chmod 644 "$out/tls.key" "$out/tls.pem"
  tls_load=(--tls --connect-rate 1000) # a TLS handshake costs both sides far more than a TCP connect
fi

echo "side-by-side: building" >&2
"$here/tether" --version >/dev/null
mvn -q -B -f "$here/pom.xml" -o -DskipTests -pl tether-bench -am install >/dev/null 2>&1 \
  || mvn -q -B -f "$here/pom.xml" -DskipTests -pl tether-bench -am install >&2

port=7400
server_pid=""
stop_server() {
  if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  server_pid=""
}
trap stop_server EXIT

wait_listening() {
  for _ in $(seq 1 300); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
    kill -0 "$server_pid" 2>/dev/null || { echo "side-by-side: the server exited; see $out" >&2; return 1; }
    sleep 0.1 # polling a port: there is nothing to wait on
  done
  echo "side-by-side: nothing listens on port $1 after 30 s" >&2
  return 1
}

run() { # name protocol command...
  local name="$1$tls$suffix" protocol="$2"; shift 2
  port=$((port + 1))
  echo "side-by-side: $name on 127.0.0.1:$port" >&2
  "$@" > "$out/$name.server.log" 2>&1 &
  server_pid=$!
  wait_listening "$port"
  "$here/tether" bench load --protocol "$protocol" --target "127.0.0.1:$port" --connections "$connections" \
    --warmup "$warmup" --duration "$duration" --server-pid "$server_pid" --json "$out/$name.json" "${tls_load[@]}" \
    | tee "$out/$name.load.txt" >&2
  stop_server
}

scrape() { # admin port: scrapes /metrics every second from when it answers until it stops (at most an hour)
  local answered=0
  for _ in $(seq 1 3600); do
    if curl -sf -o /dev/null "http://127.0.0.1:$1/metrics"; then
      answered=1
    elif [[ "$answered" == 1 ]]; then
      return 0
    fi
    sleep 1 # the scrape interval, not a wait for something
  done
}

cpu_per_ping() { sed -n 's/.*"cpuMicrosPerPing" *: *\([0-9.]*\).*/\1/p' "$1"; }

# Every server gets the same job: a 1 s ping on each connection, and a dead peer dropped after 3 s.
files=()
for round in $(seq 1 "$rounds"); do
suffix=""; [[ "$rounds" -gt 1 ]] && suffix="-$round"
for name in ${only//,/ }; do
  case "$name" in
    tether)
      run tether tether env TETHER_JAVA_OPTS= "$here/tether" server --host 127.0.0.1 --port $((port + 1)) \
        --heartbeat-interval 1s --heartbeat-timeout 3s ${tls:+--tls-cert "$out/tls.pem" --tls-key "$out/tls.key"} ;;
    tether-metrics)
      admin_port=$((port + 20001))
      scrape "$admin_port" &
      run tether-metrics tether env TETHER_JAVA_OPTS= "$here/tether" server --host 127.0.0.1 --port $((port + 1)) \
        --heartbeat-interval 1s --heartbeat-timeout 3s --admin-port "$admin_port" \
        ${tls:+--tls-cert "$out/tls.pem" --tls-key "$out/tls.key"}
      wait ;;
    mosquitto)
      printf 'listener %s 127.0.0.1\nallow_anonymous true\nmax_connections -1\npersistence false\nlog_dest stderr\nlog_type error\n' \
        $((port + 1)) > "$out/mosquitto.conf"
      [[ -z "$tls" ]] || printf 'certfile %s\nkeyfile %s\n' "$out/tls.pem" "$out/tls.key" >> "$out/mosquitto.conf"
      run mosquitto mqtt "$mosquitto_bin" -c "$out/mosquitto.conf" ;;
    redis|netty)
      [[ -z "$tls" ]] || { echo "side-by-side: $name has no TLS mode here; use --only tether,mosquitto" >&2; exit 2; } ;;&
    redis)
      run redis redis redis-server --port $((port + 1)) --bind 127.0.0.1 --save '' --appendonly no \
        --maxclients 19500 --timeout 3 --daemonize no --loglevel warning ;;
    netty)
      run netty frames java -cp "$here/tether-bench/target/tether-bench.jar" io.tether.bench.IdleStateHandlerServer \
        $((port + 1)) 3000 ;;
    *) echo "side-by-side: unknown server '$name'" >&2; exit 2 ;;
  esac
  files+=("$out/$name$tls$suffix.json")
done
if [[ -f "$out/mosquitto$tls$suffix.json" ]]; then
  mosquitto_cpu="$(cpu_per_ping "$out/mosquitto$tls$suffix.json")"
  for name in ${only//,/ }; do
    [[ "$name" == mosquitto ]] && continue
    awk -v n="$name$tls" -v r="$round" -v a="$(cpu_per_ping "$out/$name$tls$suffix.json")" -v m="$mosquitto_cpu" \
      'BEGIN { printf "round %s: %s CPU per ping / Mosquitto'"'"'s = %.2f\n", r, n, a / m }'
  done
fi
done
"$here/tether" bench compare ${chart:+--chart "$chart"} "${files[@]}"
echo "side-by-side: results in $out" >&2
