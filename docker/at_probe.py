#!/usr/bin/env python3
"""Talks AT to one emulated module over its TCP console and prints each answer.

    docker/at_probe.py HOST:PORT [COMMAND ...]

Connects (retrying until --connect-timeout), waits for the boot's "+WIND:0:Console active" (the
image powers the module on for each new host), then sends each COMMAND and prints
"<COMMAND> -> <answer lines>" (the echo left out). Every wait has a deadline. Exit status 0 when
every command answered AT-S.OK, 1 otherwise (the reason on stderr).
"""

import argparse
import re
import socket
import sys
import time

FINAL = re.compile(rb"AT-S\.OK\r\n|AT-S\.ERROR[^\r\n]*\r\n")


class Failure(Exception):
    pass


def connect(host, port, timeout):
    until = time.monotonic() + timeout
    while True:
        try:
            return socket.create_connection((host, port), timeout=1.0)
        except OSError as error:  # not listening yet: poll until the deadline
            if time.monotonic() > until:
                raise Failure(f"cannot connect to {host}:{port}: {error}") from error
            time.sleep(0.1)


def read_until(sock, received, pattern, start, timeout):
    """Reads into `received` until `pattern` matches after `start`; returns the match."""
    until = time.monotonic() + timeout
    while True:
        found = pattern.search(received, start)
        if found:
            return found
        remaining = until - time.monotonic()
        if remaining <= 0:
            raise Failure(f"no {pattern.pattern!r} within {timeout:g} s; got {received[start:]!r}")
        sock.settimeout(remaining)
        try:
            chunk = sock.recv(4096)
        except socket.timeout:
            continue
        if not chunk:
            raise Failure(f"the console closed; got {received[start:]!r}")
        received += chunk


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("console", help="HOST:PORT")
    parser.add_argument("commands", nargs="*")
    parser.add_argument("--connect-timeout", type=float, default=20.0)
    parser.add_argument("--timeout", type=float, default=10.0)
    options = parser.parse_args()
    host, port = options.console.rsplit(":", 1)
    try:
        sock = connect(host, int(port), options.connect_timeout)
        received = bytearray()
        read_until(sock, received, re.compile(rb"\+WIND:0:Console active\r\n"), 0, options.timeout)
        for command in options.commands:
            start = len(received)
            sock.sendall(command.encode() + b"\r")
            final = read_until(sock, received, FINAL, start, options.timeout)
            answer = bytes(received[start:final.end()])
            # Indications may come before the echo (a module still booting): not the answer.
            answer = re.sub(rb"\+WIND:[^\r\n]*\r\n", b"", answer)
            echo = re.match(re.escape(command.encode()) + rb"\r?\n", answer)  # the module's echo
            answer = answer[echo.end():] if echo else answer
            text = answer.decode(errors="replace").replace("\r\n", " ").strip()
            print(f"{command} -> {text}", flush=True)
            if not final.group(0).startswith(b"AT-S.OK"):
                raise Failure(f"{command} answered {text}")
        sock.close()
    except (Failure, OSError) as error:
        print(f"at-probe: {options.console}: {error}", file=sys.stderr, flush=True)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
