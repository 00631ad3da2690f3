#!/usr/bin/env python3
"""Plays the host firmware: talks AT to the emulated SPWF04SA over its TCP console.

It does what a device's driver does after power-on: waits for the console, checks it with AT,
waits for the Wi-Fi link, opens a TCP socket to the test server, writes, reads the echo and
closes. Exit 0 when every answer was as expected. Every wait has a deadline.

Environment: SPWF_CONSOLE (host:port, default emulator:5000), ECHO_HOST (default test-server),
ECHO_PORT (default 7777).
"""

import os
import re
import socket
import sys
import time

console_host, console_port = os.environ.get("SPWF_CONSOLE", "emulator:5000").rsplit(":", 1)
echo_host = os.environ.get("ECHO_HOST", "test-server")
echo_port = int(os.environ.get("ECHO_PORT", "7777"))


class Module:
    """The UART: everything received is kept; expect() waits for a pattern after the last send."""

    def __init__(self, host, port, timeout=30.0):
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.sock = socket.create_connection((host, int(port)), timeout=2.0)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        self.received = b""
        self.mark = 0

    def send(self, data):
        self.mark = len(self.received)
        self.sock.sendall(data)

    def expect(self, pattern, timeout=10.0, anywhere=False):
        start = 0 if anywhere else self.mark
        deadline = time.monotonic() + timeout
        while True:
            match = re.compile(pattern).search(self.received, start)
            if match:
                return match
            if re.search(rb"AT-S\.ERROR[^\r]*\r\n", self.received[start:]):
                raise RuntimeError(f"module error: {self.received[start:]!r}")
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"no {pattern!r}; got {self.received[start:][-200:]!r}")
            self.sock.settimeout(remaining)
            try:
                chunk = self.sock.recv(4096)
            except socket.timeout:
                continue
            if not chunk:
                raise ConnectionError("console closed")
            self.received += chunk


def open_socket(module, host, port, attempts=20):
    """AT+S.SOCKON, retried while the server is not up yet (it may start after the firmware)."""
    for attempt in range(1, attempts + 1):
        module.send(f"AT+S.SOCKON={host},{port},NULL,t\r".encode())
        try:
            return module.expect(rb"AT-S\.On:[0-9.]+:(\d+)\r\nAT-S\.OK\r\n").group(1).decode()
        except RuntimeError:  # AT-S.ERROR:74: refused, the server is not listening yet
            if attempt == attempts:
                raise
            print(f"firmware: {host}:{port} not up yet, again in 0.5 s", flush=True)
            time.sleep(0.5)


def main():
    module = Module(console_host, console_port)
    module.expect(rb"\+WIND:0:Console active\r\n", anywhere=True)
    print("firmware: console active", flush=True)
    module.send(b"AT\r")
    module.expect(rb"AT-S\.OK\r\n")
    module.expect(rb"\+WIND:24:WiFi Up:0:[0-9.]+\r\n", timeout=60, anywhere=True)
    print("firmware: Wi-Fi up", flush=True)

    socket_id = open_socket(module, echo_host, echo_port)
    print(f"firmware: socket {socket_id} open to {echo_host}:{echo_port}", flush=True)
    payload = b"hello from the firmware"
    module.send(f"AT+S.SOCKW={socket_id},{len(payload)}\r".encode() + payload)
    module.expect(rb"AT-S\.OK\r\n")
    module.expect(rf"\+WIND:55:Pending Data::{socket_id}:\d+:{len(payload)}\r\n".encode())
    module.send(f"AT+S.SOCKR={socket_id},0\r".encode())
    echoed = module.expect(rb"AT-S\.Reading:(\d+):\d+\r\n").end()
    module.expect(rb"AT-S\.OK\r\n")
    data = module.received[echoed:echoed + len(payload)]
    if data != payload:
        raise RuntimeError(f"echo mismatch: {data!r}")
    print(f"firmware: echoed {data!r}", flush=True)
    module.send(f"AT+S.SOCKC={socket_id}\r".encode())
    module.expect(rb"AT-S\.OK\r\n")
    print("firmware: all good", flush=True)


if __name__ == "__main__":
    try:
        main()
    except Exception as error:  # a CI job wants one clear line and a non-zero status
        print(f"firmware: FAILED: {error}", file=sys.stderr, flush=True)
        sys.exit(1)
