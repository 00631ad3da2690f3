#!/bin/bash
# Container health: is the TCP console listening? It looks the port up in the kernel's socket
# table instead of connecting, because a connection would *be* the console's host: it would take
# the boot indications kept for the first real host, or count as a busy second host.
# Usage: spwf04emu-healthcheck [PORT]   (default: $SPWF_CONSOLE_PORT, else 5000)
set -u
port="${1:-${SPWF_CONSOLE_PORT:-5000}}"
port_hex="$(printf '%04X' "$port")"
# Fields: "sl local_address rem_address st"; 0A is LISTEN.
for table in /proc/net/tcp /proc/net/tcp6; do
  [ -r "$table" ] || continue
  while read -r _ local _ state _; do
    if [ "${local##*:}" = "$port_hex" ] && [ "$state" = "0A" ]; then exit 0; fi
  done < "$table"
done
echo "spwf04emu console port $port is not listening" >&2
exit 1
