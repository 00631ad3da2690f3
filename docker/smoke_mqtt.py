#!/usr/bin/env python3
"""One MQTT round trip through a running spwf04emu's TCP console (docker/smoke-test.sh).

    docker/smoke_mqtt.py <console port> <broker port> [broker host (default 127.0.0.1)]

Dialogue (the module already joined its network; echoed lines are skipped by matching):
    AT+S.MQTTCONN=<host>,<broker>,,,,,,,,,,       AT-S.On:0  AT-S.OK
    AT+S.MQTTSUB=0,smoke/mqtt,1                   AT-S.OK
    AT+S.MQTTPUB=0,smoke/mqtt,1,0,7<CR>hi:\\r\\nyo  AT-S.OK
    (the broker delivers it back)                 +WIND:86:MQTT Published:0:smoke/mqtt:1:0:0:7:7:hi:<CR><LF>yo
    AT+S.MQTTDISC=0                               AT-S.OK
Every wait has a deadline. Exit status 0 when the round trip worked, else 1 with what was seen.
"""

import socket
import sys
import time


def main():
    console_port, broker_port = int(sys.argv[1]), sys.argv[2]
    broker_host = sys.argv[3] if len(sys.argv) > 3 else "127.0.0.1"
    sock = socket.create_connection(("127.0.0.1", console_port), timeout=10)
    received = b""

    def until(pattern, seconds=20):
        nonlocal received
        deadline = time.monotonic() + seconds
        while pattern not in received:
            left = deadline - time.monotonic()
            if left <= 0:
                raise SystemExit(f"no {pattern!r} within {seconds} s; got {received[-300:]!r}")
            sock.settimeout(left)
            data = sock.recv(65536)
            if not data:
                raise SystemExit(f"console closed; got {received[-300:]!r}")
            received += data
        received = received[received.index(pattern) + len(pattern):]

    def command(line, answer=b"AT-S.OK\r\n"):
        sock.sendall(line)
        until(answer)

    # The image powers the module on for each new host (--power-cycle-on-attach): the broker can
    # be reached once the module has joined its network again.
    until(b"+WIND:24:WiFi Up:0:", 30)
    command(b"AT+S.MQTTCONN=%s,%s,,,,,,,,,,\r" % (broker_host.encode(), broker_port.encode()),
            b"AT-S.On:0\r\nAT-S.OK\r\n")
    command(b"AT+S.MQTTSUB=0,smoke/mqtt,1\r")
    command(b"AT+S.MQTTPUB=0,smoke/mqtt,1,0,7\rhi:\r\nyo")
    until(b"+WIND:86:MQTT Published:0:smoke/mqtt:1:0:0:7:7:hi:\r\nyo\r\n")
    command(b"AT+S.MQTTDISC=0\r")
    print("smoke-mqtt: round trip ok")


if __name__ == "__main__":
    main()
