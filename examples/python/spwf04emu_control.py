"""A client for spwf04emu: start an emulator, talk to its AT console on the pty, and drive its
control interface (faults, module events, the event stream; docs/control-protocol.md).

Standard library only: the pty is opened raw with termios (pyserial is not needed; a test that
prefers it can open Emulator.pty_path with serial.Serial itself).

    with Emulator() as emu:
        emu.console.command("AT")  # the boot and join (to the NTP line) are already read
        emu.control.request("fault.add", rule={"kind": "refuse"})
        assert emu.console.command("AT+S.SOCKON=127.0.0.1,80,,t").endswith(b"ERROR:74:Failed to open socket\\r\\n")
"""

import json
import os
import select
import shutil
import socket
import subprocess
import tempfile
import termios
import time
import tty

DEFAULT_TIMEOUT = 10.0


class Timeout(AssertionError):
    """What was awaited did not come in time (the text says what came instead)."""


class Console:
    """The module's AT console on the emulator's pty, in raw mode."""

    def __init__(self, pty_path):
        self.fd = os.open(pty_path, os.O_RDWR | os.O_NOCTTY)
        tty.setraw(self.fd)
        attributes = termios.tcgetattr(self.fd)
        attributes[3] &= ~termios.ECHO
        termios.tcsetattr(self.fd, termios.TCSANOW, attributes)
        self.unread = b""

    def close(self):
        os.close(self.fd)

    def send(self, data):
        if isinstance(data, str):
            data = data.encode("latin-1")
        while data:
            written = os.write(self.fd, data)
            data = data[written:]

    def expect(self, needle, timeout=DEFAULT_TIMEOUT):
        """Reads until `needle` (bytes) has come; returns everything up to and including it."""
        if isinstance(needle, str):
            needle = needle.encode("latin-1")
        deadline = time.monotonic() + timeout
        while needle not in self.unread:
            left = deadline - time.monotonic()
            if left <= 0:
                raise Timeout("waited for %r, got %r" % (needle, self.unread))
            ready, _, _ = select.select([self.fd], [], [], left)
            if ready:
                self.unread += os.read(self.fd, 65536)
        end = self.unread.index(needle) + len(needle)
        seen, self.unread = self.unread[:end], self.unread[end:]
        return seen

    def command(self, line, timeout=DEFAULT_TIMEOUT):
        """Sends `line` + CR and returns the answer through its AT-S.OK or AT-S.ERROR line."""
        self.send(line + "\r")
        deadline = time.monotonic() + timeout
        seen = b""
        while True:
            seen += self.expect(b"\r\n", max(0.0, deadline - time.monotonic()))
            start = seen.rfind(b"\r\n", 0, len(seen) - 2)
            last = seen[start + 2:] if start >= 0 else seen
            # Raw data (SOCKR) runs into its AT-S.OK without a line end.
            if last.endswith(b"AT-S.OK\r\n") or last.startswith(b"AT-S.ERROR"):
                return seen


class Control:
    """A connection to the control interface: requests by id, events kept in arrival order."""

    def __init__(self, address, timeout=DEFAULT_TIMEOUT):
        if ":" in address and "/" not in address:
            host, _, port = address.rpartition(":")
            self.sock = socket.create_connection((host.strip("[]") or "127.0.0.1", int(port)), timeout)
        else:
            self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            self.sock.settimeout(timeout)
            self.sock.connect(address)
        self.buffer = b""
        self.events = []
        self.next_id = 1

    def close(self):
        self.sock.close()

    def _line(self, deadline):
        while b"\n" not in self.buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise Timeout("no line from the control interface")
            self.sock.settimeout(left)
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("the emulator closed the control connection")
            self.buffer += chunk
        line, _, self.buffer = self.buffer.partition(b"\n")
        return json.loads(line)

    def request(self, verb, timeout=DEFAULT_TIMEOUT, **fields):
        """Sends a request and returns its "ok" object; raises RuntimeError with its error."""
        request_id = self.next_id
        self.next_id += 1
        message = dict(fields, id=request_id, verb=verb)
        self.sock.sendall(json.dumps(message).encode() + b"\n")
        deadline = time.monotonic() + timeout
        while True:
            reply = self._line(deadline)
            if reply.get("id") == request_id:
                if "error" in reply:
                    raise RuntimeError("%s: %s" % (verb, reply["error"]))
                return reply["ok"]
            if "event" in reply:
                self.events.append(reply)

    def subscribe(self, *names):
        return self.request("subscribe", events=list(names) or ["all"])

    def event(self, name, timeout=DEFAULT_TIMEOUT, where=lambda event: True):
        """The next event called `name` for which `where(event)` holds (earlier ones are dropped)."""
        for index, event in enumerate(self.events):
            if event["event"] == name and where(event):
                del self.events[: index + 1]
                return event
        self.events.clear()
        deadline = time.monotonic() + timeout
        while True:
            event = self._line(deadline)
            if event.get("event") == name and where(event):
                return event

    # Conveniences over the verbs.
    def add_fault(self, **rule):
        return self.request("fault.add", rule=rule)["id"]

    def remove_fault(self, rule_id):
        self.request("fault.remove", rule=rule_id)


class Emulator:
    """spwf04emu started with its own state directory, --boot instant and --control; stopped
    (SIGTERM) on close. `console` and `control` are ready once the module has joined (the line
    `wait_for` starts, by default the NTP indication that ends the factory join, has been read)."""

    def __init__(self, executable=None, arguments=(), wait_for=b"+WIND:84:NTP Server delivery:"):
        self.directory = tempfile.mkdtemp(prefix="spwf04emu-")
        self.control_path = os.path.join(self.directory, "control.sock")
        executable = executable or os.environ.get("SPWF04EMU") or shutil.which("spwf04emu")
        if not executable:
            raise FileNotFoundError("spwf04emu not found: set SPWF04EMU or put it on PATH")
        command = [executable, "--boot", "instant", "--state-dir",
                   os.path.join(self.directory, "state"), "--control", self.control_path]
        self.process = subprocess.Popen(command + list(arguments), stdout=subprocess.PIPE)
        line = self.process.stdout.readline().decode()
        prefix = "spwf04emu: AT console on "
        if not line.startswith(prefix):
            self.process.kill()
            raise RuntimeError("the emulator did not start: %r" % line)
        self.pty_path = line[len(prefix):].strip()
        self.console = Console(self.pty_path)
        self.control = Control(self.control_path)
        if wait_for:
            self.console.expect(wait_for)
            self.console.expect(b"\r\n")

    def close(self):
        self.control.close()
        self.console.close()
        self.process.terminate()
        self.process.wait(10)
        self.process.stdout.close()
        shutil.rmtree(self.directory, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exception):
        self.close()
