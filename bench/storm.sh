#!/usr/bin/env bash
# Reconnect storm (./tether bench storm): a server with 19,000 connected clients is restarted, and the
# time until every client is back online is measured, with the kernel's listen-queue counters.
# As root it runs in a private network namespace of its own (loopback only), where it can raise
# net.core.somaxconn without touching the host: the kernel holds at most that many connections waiting
# to be accepted, and a herd larger than the queue is dropped (ListenOverflows) and retried a second later.
# Every argument is passed on, e.g.  bench/storm.sh --clients 19000
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
somaxconn="${SOMAXCONN:-32768}"
"$here/tether" --version >/dev/null # build first, outside the namespace
if [[ "$(id -u)" == 0 ]] && command -v unshare >/dev/null && command -v ip >/dev/null; then
  exec unshare --net bash -c 'ip link set lo up && sysctl -qw net.core.somaxconn="$1" && shift &&
    echo "storm: private network namespace, net.core.somaxconn=$(cat /proc/sys/net/core/somaxconn)" &&
    exec "$@"' storm "$somaxconn" "$here/tether" bench storm "$@"
fi
echo "storm: host network namespace, net.core.somaxconn=$(cat /proc/sys/net/core/somaxconn) (not root: left as it is)"
exec "$here/tether" bench storm "$@"
