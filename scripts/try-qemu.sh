#!/usr/bin/env bash
# Tries the README's QEMU command lines ("With a simulator") for real: builds the small firmware
# in examples/qemu-uart with clang for QEMU's mps2-an385 (Cortex-M3), runs it with the module's
# UART on a TCP server, on a Unix socket and on a pty, and connects or attaches the emulator. The
# firmware copies UART0 (the module) to UART1 (a file) and sends "AT" once it sees Console active:
# each case passes when the file holds the boot and the answer AT-S.OK. Needs qemu-system-arm,
# clang and ld.lld (scripts/install-deps.sh). Waits poll files against a deadline.
#   scripts/try-qemu.sh [path/to/spwf04emu]      (default: build/emulator/spwf04emu)
set -euo pipefail
cd "$(dirname "$0")/.."
emulator=$(realpath "${1:-build/emulator/spwf04emu}")
work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

clang --target=thumbv7m-none-eabi -mcpu=cortex-m3 -Os -ffreestanding -nostdlib \
  -fno-unwind-tables -fuse-ld=lld -Wl,-T,examples/qemu-uart/link.ld \
  -o "$work/firmware.elf" examples/qemu-uart/uart_bridge.c
qemu=(qemu-system-arm -M mps2-an385 -display none -monitor none -kernel "$work/firmware.elf")

# Polls until `file` contains `text` or `seconds` have passed.
wait_for() {
  local file=$1 text=$2 deadline=$((SECONDS + $3))
  until grep -qF -- "$text" "$file" 2>/dev/null; do
    [ "$SECONDS" -lt "$deadline" ] || return 1
    sleep 0.1
  done
}
# Ends the case's QEMU and emulator.
stop_case() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  pids=()
}
check() {
  local name=$1 log=$2
  if wait_for "$log" "AT-S.OK" 20 && grep -qF "+WIND:0:Console active" "$log"; then
    echo "try-qemu: $name: OK (the firmware got the boot and the answer to AT)"
  else
    echo "try-qemu: $name: FAIL; UART1 got:" >&2
    cat -A "$log" >&2 || true
    sed 's/^/  emulator: /' "$work/$name.emulator" >&2 || true
    exit 1
  fi
  stop_case
}
start_emulator() {
  local name=$1
  shift
  "$emulator" --boot instant --state-dir "$work/$name-state" "$@" >"$work/$name.emulator" 2>&1 &
  pids+=($!)
}

port=$((20000 + RANDOM % 20000))
"${qemu[@]}" -serial "tcp:127.0.0.1:$port,server=on,wait=on" -serial "file:$work/tcp.uart1" \
  >"$work/tcp.qemu" 2>&1 &
pids+=($!)
wait_for "$work/tcp.qemu" "waiting for connection" 10
start_emulator tcp --connect "127.0.0.1:$port"
check tcp "$work/tcp.uart1"

"${qemu[@]}" -chardev "socket,id=wifi,path=$work/wifi.sock,server=on,wait=on" \
  -serial chardev:wifi -serial "file:$work/unix.uart1" >"$work/unix.qemu" 2>&1 &
pids+=($!)
wait_for "$work/unix.qemu" "waiting for connection" 10
start_emulator unix --connect "unix:$work/wifi.sock"
check unix "$work/unix.uart1"

"${qemu[@]}" -serial pty -serial "file:$work/pty.uart1" >"$work/pty.qemu" 2>&1 &
pids+=($!)
wait_for "$work/pty.qemu" "char device redirected to" 10
pty=$(grep -m1 -o '/dev/pts/[0-9]*' "$work/pty.qemu")
start_emulator pty --attach "$pty"
check pty "$work/pty.uart1"
