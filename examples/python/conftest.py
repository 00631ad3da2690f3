"""pytest fixtures: `emulator`, an spwf04emu per test (its own state directory, --boot instant,
--control), with the console and the control interface ready, stopped after the test.
The executable: $SPWF04EMU, else spwf04emu on PATH, else ../../build/emulator/spwf04emu."""

import os
import socket
import threading

import pytest

from spwf04emu_control import Emulator

HERE = os.path.dirname(os.path.abspath(__file__))


def _executable():
    built = os.path.join(HERE, "..", "..", "build", "emulator", "spwf04emu")
    return os.environ.get("SPWF04EMU") or (built if os.path.exists(built) else None)


@pytest.fixture
def emulator():
    emu = Emulator(executable=_executable())
    emu.console.command("AT+S.SCFG=console_echo,0")
    yield emu
    emu.close()


class TcpPeer:
    """A loopback TCP server on an ephemeral port; `handler(connection)` runs per connection."""

    def __init__(self, handler):
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.handler = handler
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self.handler, args=(connection,), daemon=True).start()

    def close(self):
        self.listener.close()


@pytest.fixture
def echo_peer():
    def echo(connection):
        with connection:
            while True:
                try:
                    data = connection.recv(65536)
                except OSError:
                    return
                if not data:
                    return
                try:
                    connection.sendall(data)
                except OSError:  # reset by a fault rule
                    return

    peer = TcpPeer(echo)
    yield peer
    peer.close()
