#!/usr/bin/env bash
# Cluster presence at scale (./tether bench cluster): Tether nodes sharing one port (--reuse-port) over a real
# redis-server, 100,000 reconnecting clients from several load processes and loopback source addresses, and
# one node hung (SIGSTOP) and then killed. docs/CLUSTER.md, Scale run. Every argument is passed on, e.g.
#   bench/cluster.sh --nodes 7 --clients 100000
# Needs redis-server (Debian's package; ./test installs it) and, for 100,000 connections, a wide local port
# range and somaxconn (docs/PERFORMANCE.md): each process stays under the open-files limit of 20,000.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
command -v redis-server >/dev/null || { echo "cluster: redis-server is not installed (apt-get install redis-server)" >&2; exit 1; }
echo "cluster: $(redis-server --version | cut -d' ' -f1-3); ip_local_port_range $(cat /proc/sys/net/ipv4/ip_local_port_range | tr '\t' '-'), somaxconn $(cat /proc/sys/net/core/somaxconn), open files $(ulimit -n)"
exec "$here/tether" bench cluster "$@"
