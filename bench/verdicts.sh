#!/usr/bin/env bash
# A burst of verdicts: a server holds live peers that ping once a second and silent peers that all stop at
# the same moment; 3 s later the server must declare every silent one offline (TIMEOUT) while it keeps
# answering the live ones. Measured from outside by the independent C load generator hbload (one thread,
# epoll; it is not part of this repository: pass its source with --hbload-source FILE or HBLOAD_SOURCE),
# live and silent peers in separate processes, so one process's own closes never delay the pongs it reads.
#
# Prints, per round, as key=value lines (and keeps them in DIR/round-N/summary.txt):
#   verdict_excess_*  how long past the 3 s timeout the server judged each silent peer, from its events
#                     (--events jsonl: an OFFLINE TIMEOUT's detail reads "no bytes for N ms (...)", N - 3000)
#   detect_*          hbload's view: from a silent peer's last ping to the server's GOAWAY and close
#   live_rtt_*        the live peers' round trips from 1 s after the silence until the end, across the burst
#   cpu_us_per_verdict  the server's CPU (utime + stime) in the burst window, from 0.1 s before the first
#                     verdict to 1.2 s after the last (the linger after GOAWAY is 1 s), less what the same
#                     length costs with live pings alone (measured between the silence and the first verdict,
#                     when the silent peers send nothing and are not judged yet), divided by the verdicts;
#                     cpu_us_per_verdict_{loops,events,jit,gc,other} split it by kind of server thread
#
# As root each round runs in a private network namespace of its own (loopback only), with a wide local port
# range and a deep listen queue, so no round inherits the previous one's TIME_WAIT ports and the host's
# settings stay as they are. Otherwise it warns when net.ipv4.ip_local_port_range is too narrow.
#
# Usage: bench/verdicts.sh --hbload-source FILE [--live 9000] [--silent 10000] [--rounds 1] [--out DIR]
#                          [--port 7300] [--silence-after 12] [--warm-verdicts 300] [--jfr]
#   --warm-verdicts N  a first, small burst of N silent peers 2 s in, so that the measured burst finds the
#          verdict path compiled, as on a server that has been up a while (0: the measured burst is the first)
#   --jfr  records the server with Java Flight Recorder (settings=profile) into DIR/round-N/server.jfr; the
#          burst window's epoch milliseconds are in the summary (burst_from_ms, burst_to_ms).
# Extra JVM options for the server: TETHER_JAVA_OPTS, as for ./tether.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
self="$here/bench/verdicts.sh"

live=9000 silent=10000 warm=300 rounds=1 out="" port=7300 silence_after=12 jfr=0 one_round=""
hbload_source="${HBLOAD_SOURCE:-}"
die() { echo "verdicts: $*" >&2; exit 2; }
while [[ $# -gt 0 ]]; do
  case "$1" in
    --live) live="$2"; shift 2 ;;
    --silent) silent="$2"; shift 2 ;;
    --warm-verdicts) warm="$2"; shift 2 ;;
    --rounds) rounds="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --port) port="$2"; shift 2 ;;
    --silence-after) silence_after="$2"; shift 2 ;;
    --hbload-source) hbload_source="$2"; shift 2 ;;
    --jfr) jfr=1; shift ;;
    --one-round) one_round="$2"; shift 2 ;; # internal: runs round N in the current network namespace
    -h|--help) sed -n '2,/^set -euo/p' "$self" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option $1 (see --help)" ;;
  esac
done
for n in live silent warm rounds port silence_after; do
  [[ "${!n}" =~ ^[0-9]+$ ]] || die "--${n//_/-} wants a whole number, got '${!n}'"
done
(( live >= 1 && silent >= 1 && rounds >= 1 && rounds <= 20 && silence_after >= 8 && silence_after <= 120 )) \
  || die "wants --live and --silent of 1 or more, --rounds 1..20, --silence-after 8..120 (seconds)"
timeout_ms=3000

# One round: server, two hbload processes, the CPU sampler; figures into $round_dir/summary.txt.
run_round() {
  local k="$1" dir="$out/round-$1"
  mkdir -p "$dir"
  local files
  files="$(ulimit -n)"
  (( files >= live + silent + warm + 500 )) \
    || die "the server would hold $((live + silent)) sockets but may open only $files files (ulimit -n)"
  local java_opts="${TETHER_JAVA_OPTS:-}"
  if (( jfr )); then
    java_opts+=" -XX:StartFlightRecording=filename=$dir/server.jfr,settings=profile,dumponexit=true"
  fi
  server_pid="" live_pid="" silent_pid="" warm_pid="" sampler_pid="" threads_pid="" # globals: the EXIT trap reads them
  # shellcheck disable=SC2317 # called by the trap
  stop_all() {
    local p
    for p in $sampler_pid $threads_pid $live_pid $silent_pid $warm_pid; do kill "$p" 2>/dev/null || true; done
    if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
      kill "$server_pid" 2>/dev/null || true
      for _ in $(seq 1 100); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
      kill -9 "$server_pid" 2>/dev/null || true
    fi
    wait 2>/dev/null || true
  }
  trap stop_all EXIT
  trap 'exit 130' INT TERM

  TETHER_JAVA_OPTS="$java_opts" "$here/tether" server --host 127.0.0.1 --port "$port" \
    --heartbeat-interval 1s --heartbeat-timeout 3s --events jsonl > "$dir/events.jsonl" 2> "$dir/server.log" &
  server_pid=$! # the launcher execs java: the same process
  for _ in $(seq 1 600); do
    grep -q "listening on" "$dir/server.log" 2>/dev/null && break
    kill -0 "$server_pid" 2>/dev/null || { cat "$dir/server.log" >&2; die "the server exited at start"; }
    sleep 0.1
  done
  grep -q "listening on" "$dir/server.log" || die "the server did not listen within 60 s"

  local s="$silence_after" end_s=$((silence_after + 7))
  local started="$EPOCHREALTIME"
  if (( warm > 0 )); then
    # A small burst first, 2 s in, so the verdict path is compiled before the measured one (its peers are
    # told apart by their hbload pid, as the live ones are).
    "$out/hbload" --proto tether --port "$port" -n "$warm" --ramp 4000 --interval-ms 1000 \
      --duration-s 7 --silence-after-s 2 --silence-count "$warm" > "$dir/warm.txt" &
    warm_pid=$!
  fi
  "$out/hbload" --proto tether --port "$port" -n "$live" --ramp 4000 --interval-ms 1000 \
    --duration-s "$end_s" --warmup-s $((s + 1)) > "$dir/live.txt" &
  live_pid=$! # hbload names its peers hbload-PID-INDEX: this pid tells a live peer's verdict (a false one)
  "$out/hbload" --proto tether --port "$port" -n "$silent" --ramp 4000 --interval-ms 1000 \
    --duration-s "$end_s" --silence-after-s "$s" --silence-count "$silent" > "$dir/silent.txt" &
  silent_pid=$!
  local live_name="hbload-$live_pid-"
  # Every 50 ms: "epoch-seconds server-utime server-stime machine-busy machine-total", in clock ticks (the
  # server's from fields 14 and 15 of /proc/PID/stat, the machine's from the cpu line of /proc/stat), so
  # what else ran on the machine meanwhile shows beside the figures.
  (
    f=() m=()
    while kill -0 "$silent_pid" 2>/dev/null && read -r -a f < "/proc/$server_pid/stat"; do
      read -r -a m < /proc/stat
      echo "$EPOCHREALTIME ${f[13]} ${f[14]} $((m[1] + m[2] + m[3] + m[6] + m[7] + m[8])) \
$((m[1] + m[2] + m[3] + m[4] + m[5] + m[6] + m[7] + m[8]))"
      sleep 0.05
    done
  ) > "$dir/cpu.txt" &
  sampler_pid=$!
  # Every 100 ms, the server's CPU by kind of thread, in clock ticks: "epoch-seconds loops events jit gc
  # other" (loops: the event loops that pass verdicts and close; events: presence delivery, its log line and
  # JSONL; jit: the compiler threads; gc: the collector's).
  (
    while kill -0 "$silent_pid" 2>/dev/null && [[ -d "/proc/$server_pid/task" ]]; do
      cat /proc/"$server_pid"/task/*/stat 2>/dev/null | awk -v now="$EPOCHREALTIME" '
        { match($0, /.*\)/); name = substr($0, index($0, "(") + 1, RLENGTH - index($0, "(") - 1)
          split(substr($0, RLENGTH + 2), f, " "); ticks = f[12] + f[13]
          if (name ~ /^tether-server/) g["loops"] += ticks
          else if (name ~ /^tether-events/) g["events"] += ticks
          else if (name ~ /Compiler/) g["jit"] += ticks
          else if (name ~ /Shenandoah|GC|G1|ZGC|VM Thread/) g["gc"] += ticks
          else g["other"] += ticks }
        END { printf "%s %d %d %d %d %d\n", now, g["loops"], g["events"], g["jit"], g["gc"], g["other"] }'
      sleep 0.1
    done
  ) > "$dir/threads.txt" &
  threads_pid=$!
  # hbload stops itself after --duration-s; 30 s more and it is stopped.
  for _ in $(seq 1 $(((end_s + 30) * 10))); do
    kill -0 "$live_pid" 2>/dev/null || kill -0 "$silent_pid" 2>/dev/null || break
    sleep 0.1
  done
  wait "$live_pid" || die "the live hbload failed (exit $?)"
  live_pid=""
  wait "$silent_pid" || die "the silent hbload failed (exit $?)"
  silent_pid=""
  wait "$sampler_pid" || true
  wait "$threads_pid" || true
  if [[ -n "$warm_pid" ]]; then wait "$warm_pid" || true; fi
  local warm_name="hbload-${warm_pid:-none}-"
  sampler_pid="" threads_pid=""
  # Every verdict written (the events thread may still be writing), at most 10 s more.
  for _ in $(seq 1 100); do
    (( $(grep -c '"reason":"TIMEOUT"' "$dir/events.jsonl" || true) >= silent + warm )) && break
    sleep 0.1
  done
  stop_all
  server_pid=""
  trap - EXIT INT TERM

  local silenced_at
  silenced_at="$(awk -v t="$started" -v s="$s" 'BEGIN { printf "%.3f", t + s }')"
  summarize "$dir" "$silenced_at" "$live_name" "$warm_name" | tee "$dir/summary.txt"
}

# Figures of one round from its files.
summarize() {
  local dir="$1" silenced_at="$2" live_name="$3" warm_name="$4"
  echo "round=${dir##*/round-}"
  echo "live=$live silent=$silent warm_verdicts=$warm timeout_ms=$timeout_ms"
  # Verdicts: every OFFLINE TIMEOUT but the warm-up's, its excess past the timeout and when it was passed
  # (epoch ms).
  grep '"event":"OFFLINE"' "$dir/events.jsonl" | grep '"reason":"TIMEOUT"' | grep -v "\"clientId\":\"$warm_name" \
    | sed -n 's/.*"clientId":"\([^"]*\)".*"detail":"no bytes for \([0-9]*\) ms.*"at":\([0-9]*\).*/\1 \2 \3/p' \
    > "$dir/verdicts.txt" || true
  sort -k2,2n "$dir/verdicts.txt" | awk -v timeout="$timeout_ms" '
    { n++; excess[n] = $2 - timeout; at = $3 + 0
      if (n == 1 || at < first) first = at; if (n == 1 || at > last) last = at
      if (excess[n] > 20) over++ }
    END {
      if (n == 0) { print "verdicts=0"; exit }
      printf "verdicts=%d\nverdict_excess_p50_ms=%d\nverdict_excess_p99_ms=%d\nverdict_excess_max_ms=%d\n",
        n, excess[int((n - 1) * 0.50) + 1], excess[int((n - 1) * 0.99) + 1], excess[n]
      printf "verdicts_over_20ms=%d\nverdicts_spread_ms=%d\nburst_from_ms=%.0f\nburst_to_ms=%.0f\n",
        over + 0, last - first, first - 100, last + 1200
    }' > "$dir/verdicts.kv"
  cat "$dir/verdicts.kv"
  # A verdict on a live peer is a false one (counted in verdicts above too).
  echo "false_verdicts=$(grep -c "^$live_name" "$dir/verdicts.txt" || true)"
  # hbload's own view.
  sed -n 's/^\(detect_[a-z0-9]*_ms\|closed_silenced\|connected\|connect_failed\)=/silent_&/p' "$dir/silent.txt" \
    | sed 's/^silent_detect_/detect_/'
  awk -F= -v t="$timeout_ms" '/^detect_(p50|p99|max)_ms=/ { sub(/_ms$/, "", $1); printf "%s_excess_ms=%d\n", $1, $2 - t }' \
    "$dir/silent.txt"
  awk -F= '
    /^rtt_(p50|p99|p999|max)_us=/ { sub(/^rtt_/, "live_rtt_", $1); sub(/_us$/, "_ms", $1); printf "%s=%.3f\n", $1, $2 / 1000 }
    /^(missing_pongs|pongs|closed_live|connected|connect_failed)=/ { printf "live_%s=%s\n", $1, $2 }' "$dir/live.txt"
  # The server's CPU: burst window minus the same length at the rate of live pings alone.
  local first_ms last_ms
  first_ms="$(sed -n 's/^burst_from_ms=//p' "$dir/verdicts.kv")"
  last_ms="$(sed -n 's/^burst_to_ms=//p' "$dir/verdicts.kv")"
  local verdicts
  verdicts="$(sed -n 's/^verdicts=//p' "$dir/verdicts.kv")"
  [[ -n "$first_ms" && "${verdicts:-0}" -gt 0 ]] || return 0
  awk -v hz="$(getconf CLK_TCK)" -v quiet_from="$silenced_at" -v burst_from="$first_ms" -v burst_to="$last_ms" \
      -v verdicts="$verdicts" '
    { t[NR] = $1; c[NR] = ($2 + $3) / hz; busy[NR] = $4; total[NR] = $5 }
    # CPU seconds at time x, interpolated between the samples around it.
    function cpu(x,   i) {
      if (x <= t[1]) return c[1]
      for (i = 2; i <= NR; i++) if (t[i] >= x) return c[i - 1] + (c[i] - c[i - 1]) * (x - t[i - 1]) / (t[i] - t[i - 1])
      return -1
    }
    # Share of the machine busy from a to b (nearest samples), in percent of all its cores.
    function machine(a, b,   i, j) {
      for (i = 1; i < NR && t[i] < a; i++);
      for (j = i; j < NR && t[j] < b; j++);
      return total[j] > total[i] ? 100 * (busy[j] - busy[i]) / (total[j] - total[i]) : -1
    }
    END {
      bf = burst_from / 1000; bt = burst_to / 1000
      qf = quiet_from + 0.2; qt = bf - 0.1 # live pings only: the silent peers stopped and are not judged yet
      if (qt - qf < 0.5) { print "cpu_note=too short a quiet window before the burst"; exit }
      if (cpu(bt) < 0) { print "cpu_note=the CPU samples end before the burst window"; exit }
      quiet_rate = (cpu(qt) - cpu(qf)) / (qt - qf)
      burst = cpu(bt) - cpu(bf)
      printf "cpu_quiet_ms_per_s=%.1f\ncpu_burst_window_s=%.2f\ncpu_burst_ms=%.1f\n", quiet_rate * 1000, bt - bf, burst * 1000
      printf "cpu_us_per_verdict=%.1f\n", (burst - quiet_rate * (bt - bf)) / verdicts * 1e6
      printf "machine_busy_quiet_pct=%.0f\nmachine_busy_burst_pct=%.0f\n", machine(qf, qt), machine(bf, bt)
    }' "$dir/cpu.txt"
  # The same, by kind of thread: where a verdict's CPU goes.
  awk -v hz="$(getconf CLK_TCK)" -v quiet_from="$silenced_at" -v burst_from="$first_ms" -v burst_to="$last_ms" \
      -v verdicts="$verdicts" '
    { t[NR] = $1; for (k = 2; k <= 6; k++) c[k, NR] = $k / hz }
    function at(k, x,   i) {
      if (x <= t[1]) return c[k, 1]
      for (i = 2; i <= NR; i++) if (t[i] >= x) return c[k, i - 1] + (c[k, i] - c[k, i - 1]) * (x - t[i - 1]) / (t[i] - t[i - 1])
      return -1
    }
    END {
      if (NR < 2) exit
      bf = burst_from / 1000; bt = burst_to / 1000; qf = quiet_from + 0.2; qt = bf - 0.1
      if (qt - qf < 0.5 || at(2, bt) < 0) exit
      split("loops events jit gc other", name, " ")
      for (k = 2; k <= 6; k++) {
        rate = (at(k, qt) - at(k, qf)) / (qt - qf)
        printf "cpu_us_per_verdict_%s=%.1f\n", name[k - 1], (at(k, bt) - at(k, bf) - rate * (bt - bf)) / verdicts * 1e6
      }
    }' "$dir/threads.txt"
}

if [[ -n "$one_round" ]]; then
  [[ -n "$out" ]] || die "--one-round wants --out"
  run_round "$one_round"
  exit 0
fi

# The outer run: build, compile hbload, check the limits, then each round.
[[ -n "$hbload_source" ]] \
  || die "wants the hbload load generator's C source: --hbload-source FILE or HBLOAD_SOURCE=FILE (it is not in this repository)"
[[ -f "$hbload_source" ]] || die "no hbload source at $hbload_source"
command -v gcc > /dev/null || die "wants gcc to compile hbload"
out="${out:-$(mktemp -d -t verdicts.XXXXXX)}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
"$here/tether" --version > /dev/null # builds when needed, before any timing starts
gcc -O2 -o "$out/hbload" "$hbload_source"

ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
(( $(ulimit -n) >= live + silent + 500 )) \
  || die "the server holds $((live + silent)) sockets, but a process may open only $(ulimit -n) files: lower --live/--silent or raise ulimit -n"
args=(--live "$live" --silent "$silent" --warm-verdicts "$warm" --port "$port" --silence-after "$silence_after" --out "$out"
      --hbload-source "$hbload_source")
(( jfr )) && args+=(--jfr)
netns=0
if [[ "$(id -u)" == 0 ]] && command -v unshare > /dev/null && command -v ip > /dev/null \
    && unshare --net true 2> /dev/null; then
  netns=1
  echo "verdicts: each round in a private network namespace (loopback only, local ports 1024-65000)" >&2
else
  read -r lo hi < /proc/sys/net/ipv4/ip_local_port_range
  need=$((live + silent + (rounds > 1 ? live : 0)))
  if (( hi - lo + 1 < need )); then
    echo "verdicts: WARNING: net.ipv4.ip_local_port_range is $lo-$hi ($((hi - lo + 1)) ports) but a round needs" \
      "$((live + silent)), and the live peers' TIME_WAIT ports stay taken for 60 s after a round: widen it" \
      "(sysctl -w net.ipv4.ip_local_port_range='1024 65000') or run as root" >&2
  fi
fi
echo "verdicts: results in $out" >&2
for k in $(seq 1 "$rounds"); do
  echo "verdicts: round $k of $rounds (about $((silence_after + 20)) s)" >&2
  if (( netns )); then
    unshare --net bash -c 'ip link set lo up && sysctl -qw net.ipv4.ip_local_port_range="1024 65000" \
      && sysctl -qw net.core.somaxconn=32768 && exec "$@"' verdicts "$self" --one-round "$k" "${args[@]}"
  else
    "$self" --one-round "$k" "${args[@]}"
  fi
done

# One table across the rounds.
keys=(verdicts verdict_excess_p50_ms verdict_excess_p99_ms verdict_excess_max_ms verdicts_over_20ms false_verdicts
      detect_p50_excess_ms detect_p99_excess_ms detect_max_excess_ms live_rtt_p99_ms live_rtt_max_ms
      live_missing_pongs cpu_us_per_verdict machine_busy_quiet_pct machine_busy_burst_pct)
echo
printf '%-24s' figure; for k in $(seq 1 "$rounds"); do printf '%12s' "round $k"; done; echo
for key in "${keys[@]}"; do
  printf '%-24s' "$key"
  for k in $(seq 1 "$rounds"); do
    printf '%12s' "$(sed -n "s/^$key=//p" "$out/round-$k/summary.txt" 2>/dev/null | head -1)"
  done
  echo
done
