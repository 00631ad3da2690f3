#!/usr/bin/python3
"""A real WebSocket server for the integration tests (Debian's python3-websockets).

    ws_server.py [--cert PEM --key KEY] [--relay-port PORT]

Listens on 127.0.0.1 on an ephemeral port and prints "port <n>" first. What it does depends on
the request path:
    /info            first sends one text message: the handshake's fields as JSON, then echoes
    /fragments       first sends "abcdef" as three text fragments and b"\\0\\1\\2" as two, then echoes
    /flood/<n>       first sends <n> binary messages of 1000 bytes, then echoes
    /close/<code>    closes with <code> when the first message arrives
    anything else    echoes every message with its type
With --relay-port every connection is instead relayed to a TCP server on 127.0.0.1:PORT (binary
messages up, TCP bytes down as binary messages): MQTT over WebSocket in front of mosquitto.
When a connection ends it prints "closed <path> <close code>". SIGTERM stops it.
"""

import argparse
import asyncio
import json
import signal
import ssl
import sys

import websockets


async def echo(ws):
    async for message in ws:
        await ws.send(message)


async def serve_path(ws):
    path = ws.path
    if path == "/info":
        headers = ws.request_headers
        await ws.send(json.dumps({
            "path": path,
            "origin": headers.get("Origin", ""),
            "protocol": headers.get("Sec-WebSocket-Protocol", ""),
            "extensions": headers.get("Sec-WebSocket-Extensions", ""),
            "authorization": headers.get("Authorization", ""),
            "subprotocol": ws.subprotocol or "",
        }, sort_keys=True))
    elif path == "/fragments":
        await ws.send(["ab", "cd", "ef"])
        await ws.send([b"\x00\x01", b"\x02"])
    elif path.startswith("/flood/"):
        for index in range(int(path.split("/")[2])):
            await ws.send(bytes([index % 256]) * 1000)
    elif path.startswith("/close/"):
        await ws.recv()
        await ws.close(int(path.split("/")[2]), "bye")
        return
    await echo(ws)


async def relay(ws, port):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)

    async def up():
        async for message in ws:
            writer.write(message if isinstance(message, bytes) else message.encode())
            await writer.drain()
        writer.close()

    async def down():
        while True:
            data = await reader.read(65536)
            if not data:
                break
            await ws.send(data)
        await ws.close()

    await asyncio.gather(up(), down(), return_exceptions=True)


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cert")
    parser.add_argument("--key")
    parser.add_argument("--relay-port", type=int)
    options = parser.parse_args()
    context = None
    if options.cert:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(options.cert, options.key)

    async def handler(ws):
        try:
            if options.relay_port:
                await relay(ws, options.relay_port)
            else:
                await serve_path(ws)
        except websockets.ConnectionClosed:
            pass
        finally:
            await ws.wait_closed()
            print(f"closed {ws.path} {ws.close_code}", flush=True)

    stop = asyncio.get_running_loop().create_future()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set_result, None)
    async with websockets.serve(handler, "127.0.0.1", 0, ssl=context,
                                subprotocols=["chat", "mqtt"]) as server:
        print(f"port {server.sockets[0].getsockname()[1]}", flush=True)
        await stop


if __name__ == "__main__":
    asyncio.run(main())
    sys.exit(0)
