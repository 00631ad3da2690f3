#!/usr/bin/env python3
"""The test server a CI job puts next to the emulator: a TCP echo server (default port 7777)."""

import os
import socketserver


class Echo(socketserver.BaseRequestHandler):
    def handle(self):
        while data := self.request.recv(4096):
            self.request.sendall(data)


if __name__ == "__main__":
    port = int(os.environ.get("ECHO_PORT", "7777"))
    socketserver.ThreadingTCPServer.allow_reuse_address = True
    with socketserver.ThreadingTCPServer(("0.0.0.0", port), Echo) as server:
        print(f"echo server on port {port}", flush=True)
        server.serve_forever()
