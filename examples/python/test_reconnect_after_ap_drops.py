"""The mbed-style socket sequence through a reconnect after the access point drops:
open a TCP socket, exchange data, lose the AP (+WIND:33), get it back (+WIND:24), open again."""


def exchange(console, payload):
    console.send("AT+S.SOCKW=0,%d\r%s" % (len(payload), payload))
    console.expect("AT-S.OK\r\n")
    console.expect("+WIND:55:Pending Data::0:%d:%d\r\n" % (len(payload), len(payload)))
    answer = console.command("AT+S.SOCKR=0,%d" % len(payload))
    assert answer == b"AT-S.Reading:%d:%d\r\n%sAT-S.OK\r\n" % (
        len(payload), len(payload), payload.encode())


def test_reconnect_after_the_access_point_drops(emulator, echo_peer):
    console, control = emulator.console, emulator.control
    control.subscribe("wind")
    open_line = "AT+S.SOCKON=127.0.0.1,%d,,t" % echo_peer.port
    assert console.command(open_line) == b"AT-S.On:127.0.0.1:0\r\nAT-S.OK\r\n"
    exchange(console, "before")

    control.request("wifi.ap", ssid="STTest", in_range=False)
    console.expect("+WIND:33:WiFi Network Lost\r\n")
    assert control.event("wind", where=lambda e: e["number"] == 33)
    assert control.request("status")["wifi_state"] < 10

    control.request("wifi.ap", ssid="STTest", in_range=True)
    console.expect("+WIND:24:WiFi Up:0:")
    console.expect("+WIND:84:NTP Server delivery:")  # the join ends as at boot
    console.expect("\r\n")
    # The firmware closes its old socket and opens a new one on the new link.
    assert console.command("AT+S.SOCKC=0") == b"AT-S.OK\r\n"
    assert console.command(open_line) == b"AT-S.On:127.0.0.1:0\r\nAT-S.OK\r\n"
    exchange(console, "after")
