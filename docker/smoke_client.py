#!/usr/bin/env python3
"""Smoke test of a running spwf04emu over its TCP console (the AT dialogue a firmware would have).

Each step prints "ok   - <what>" or "FAIL - <what>: <why>"; a step whose prerequisite failed is
reported as failed too, so the count is always the same. Every wait has a deadline; nothing sleeps
to wait for readiness. Exit status: the number of failed steps (0 = all passed).

    docker/smoke_client.py --port 5000 [--host 127.0.0.1] [--echo-bind ADDRESS --echo-host NAME]

The echo server listens on --echo-bind (default 127.0.0.1: a module sharing the host's network);
the module connects to it as --echo-host (default: the bind address). A container on a bridge
network reaches the host as its gateway: --echo-bind 10.88.0.1 --echo-host host.containers.internal.

Dialogue (factory settings, echo on; the echoed command lines are skipped):
    (connect)                            +WIND:0:Console active
    AT                                   AT-S.OK
    (second connection)                  spwf04emu: console busy
    (default network joins)              +WIND:24:WiFi Up:0:<ip>
    AT+S.SOCKON=<echo-host>,<echo>,,t    AT-S.On:<address>:0  AT-S.OK
    AT+S.SOCKW=0,5<CR>hello              AT-S.OK
    (echo server answers)                +WIND:55:Pending Data::0:5:5
    AT+S.SOCKR=0,5                       AT-S.Reading:5:5<CR><LF>hello AT-S.OK
    AT+S.SOCKC=0                         AT-S.OK
    AT+S.WCFG                            AT-S.OK
"""

import argparse
import re
import socket
import sys
import threading
import time

ERROR_LINE = re.compile(rb"AT-S\.ERROR[^\r\n]*\r\n")


class StepFailed(Exception):
    """A step's expectation was not met; the message says what was seen instead."""


class Console:
    """The TCP console: a byte transcript with deadline-bounded pattern waits."""

    def __init__(self, host, port, connect_deadline):
        self.sock = None
        last_error = None
        while time.monotonic() < connect_deadline:
            try:
                self.sock = socket.create_connection((host, port), timeout=1.0)
                break
            except OSError as error:  # not listening yet: poll until the deadline
                last_error = error
                time.sleep(0.1)
        if self.sock is None:
            raise StepFailed(f"cannot connect to {host}:{port}: {last_error}")
        self.transcript = b""
        self.cursor = 0  # where the next transaction's answer starts

    def send(self, data):
        self.cursor = len(self.transcript)
        self.sock.sendall(data)

    def _receive(self, until):
        remaining = until - time.monotonic()
        if remaining <= 0:
            return False
        self.sock.settimeout(min(remaining, 0.5))
        try:
            chunk = self.sock.recv(4096)
        except socket.timeout:
            return True
        if not chunk:
            raise StepFailed("the emulator closed the console")
        self.transcript += chunk
        return True

    def wait_for(self, pattern, timeout, start=None, fail_on_error=True):
        """Waits until `pattern` (regex bytes) matches from `start` (default: the last send)."""
        start = self.cursor if start is None else start
        regex = re.compile(pattern)
        until = time.monotonic() + timeout
        while True:
            found = regex.search(self.transcript, start)
            if found:
                return found
            if fail_on_error:
                error = ERROR_LINE.search(self.transcript, start)
                if error:
                    raise StepFailed(f"got {error.group(0)!r}")
            if not self._receive(until):
                tail = self.transcript[start:][-160:]
                raise StepFailed(f"no {pattern!r} within {timeout:g} s; received {tail!r}")

    def close(self):
        self.sock.close()


class EchoServer:
    """A TCP echo server on `address`, ephemeral port, the module's peer."""

    def __init__(self, address):
        self.listener = socket.create_server((address, 0))
        self.port = self.listener.getsockname()[1]
        self.received = b""
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            with connection:
                while True:
                    data = connection.recv(4096)
                    if not data:
                        break
                    self.received += data
                    connection.sendall(data)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--echo-bind", default="127.0.0.1")
    parser.add_argument("--echo-host", default=None)
    parser.add_argument("--connect-timeout", type=float, default=20.0)
    parser.add_argument("--join-timeout", type=float, default=60.0)
    parser.add_argument("--step-timeout", type=float, default=10.0)
    options = parser.parse_args()
    step_timeout = options.step_timeout
    echo_host = options.echo_host or options.echo_bind

    results = []
    state = {}

    def step(name, needs=()):
        """Decorator: runs the step now, unless a step it needs has failed; records the result."""

        def run(body):
            missing = [n for n in needs if not state.get(n)]
            if missing:
                results.append(False)
                print(f"FAIL - {name}: skipped, needs {', '.join(missing)}", flush=True)
                return body
            try:
                detail = body()
                state[name] = True
                results.append(True)
                print(f"ok   - {name}{': ' + detail if detail else ''}", flush=True)
            except (StepFailed, OSError) as error:
                state[name] = False
                results.append(False)
                print(f"FAIL - {name}: {error}", flush=True)
            return body

        return run

    console = None
    echo = EchoServer(options.echo_bind)

    @step("connect to the TCP console")
    def _():
        nonlocal console
        console = Console(options.host, options.port,
                          time.monotonic() + options.connect_timeout)
        return f"{options.host}:{options.port}"

    @step("boot indications up to +WIND:0:Console active", needs=["connect to the TCP console"])
    def _():
        console.wait_for(rb"\+WIND:1:Poweron:[^\r]*\r\n", step_timeout, start=0)
        console.wait_for(rb"\+WIND:0:Console active\r\n", step_timeout, start=0)

    @step("AT -> AT-S.OK", needs=["boot indications up to +WIND:0:Console active"])
    def _():
        console.send(b"AT\r")
        console.wait_for(rb"AT-S\.OK\r\n", step_timeout)

    @step("second connection is told 'console busy'", needs=["AT -> AT-S.OK"])
    def _():
        with socket.create_connection((options.host, options.port), timeout=step_timeout) as other:
            received = b""
            until = time.monotonic() + step_timeout
            while time.monotonic() < until:
                chunk = other.recv(256)
                if not chunk:
                    break
                received += chunk
            if received != b"spwf04emu: console busy\r\n":
                raise StepFailed(f"got {received!r}")

    @step("default network joined: +WIND:24:WiFi Up:0:<ip>", needs=["AT -> AT-S.OK"])
    def _():
        found = console.wait_for(rb"\+WIND:24:WiFi Up:0:([0-9.]+)\r\n", options.join_timeout,
                                 start=0)
        return found.group(1).decode()

    @step("AT+S.SOCKON to the host's echo server -> AT-S.On:<address>:0",
          needs=["default network joined: +WIND:24:WiFi Up:0:<ip>"])
    def _():
        console.send(f"AT+S.SOCKON={echo_host},{echo.port},,t\r".encode())
        found = console.wait_for(rb"AT-S\.On:([0-9.]+):0\r\nAT-S\.OK\r\n", step_timeout)
        return (f"{echo_host}:{echo.port} is {found.group(1).decode()}"
                f" (echo server on {options.echo_bind})")

    @step("AT+S.SOCKW=0,5 hello -> AT-S.OK",
          needs=["AT+S.SOCKON to the host's echo server -> AT-S.On:<address>:0"])
    def _():
        console.send(b"AT+S.SOCKW=0,5\rhello")
        console.wait_for(rb"AT-S\.OK\r\n", step_timeout)

    @step("echoed bytes announced: +WIND:55:Pending Data::0:5:5",
          needs=["AT+S.SOCKW=0,5 hello -> AT-S.OK"])
    def _():
        console.wait_for(rb"\+WIND:55:Pending Data::0:5:5\r\n", step_timeout)
        if echo.received != b"hello":
            raise StepFailed(f"echo server received {echo.received!r}")

    @step("AT+S.SOCKR=0,5 -> AT-S.Reading:5:5 hello AT-S.OK",
          needs=["echoed bytes announced: +WIND:55:Pending Data::0:5:5"])
    def _():
        console.send(b"AT+S.SOCKR=0,5\r")
        console.wait_for(rb"AT-S\.Reading:5:5\r\nhelloAT-S\.OK\r\n", step_timeout)

    @step("AT+S.SOCKC=0 -> AT-S.OK",
          needs=["AT+S.SOCKON to the host's echo server -> AT-S.On:<address>:0"])
    def _():
        console.send(b"AT+S.SOCKC=0\r")
        console.wait_for(rb"AT-S\.OK\r\n", step_timeout)

    @step("AT+S.WCFG -> AT-S.OK (the module's flash on the volume is writable)",
          needs=["AT -> AT-S.OK"])
    def _():
        console.send(b"AT+S.WCFG\r")
        console.wait_for(rb"AT-S\.OK\r\n", step_timeout)

    if console is not None:
        console.close()
    failed = results.count(False)
    print(f"smoke-client: {results.count(True)} passed, {failed} failed", flush=True)
    return failed


if __name__ == "__main__":
    sys.exit(main())
