"""The mbed-style socket sequence through a peer reset in the middle of a transfer: a fault rule
resets the connection once 1000 bytes have gone up; the firmware sees +WIND:58 with reason 1,
reads what had arrived, closes and opens again."""


def test_peer_reset_mid_transfer(emulator, echo_peer):
    console, control = emulator.console, emulator.control
    control.subscribe("fault")
    rule = control.add_fault(kind="reset_peer", after_bytes=1000, match={"port": echo_peer.port, "first": 1})
    open_line = "AT+S.SOCKON=127.0.0.1,%d,,t" % echo_peer.port
    assert console.command(open_line) == b"AT-S.On:127.0.0.1:0\r\nAT-S.OK\r\n"

    console.send("AT+S.SOCKW=0,1000\r" + "x" * 1000)
    console.expect("+WIND:58:Socket Closed:0:1\r\n")
    assert "reset_peer: connection reset" in control.event("fault")["text"]
    assert control.request("fault.list")["rules"][0]["matched"] == 1

    # Whatever arrived before the reset can still be read; then the id is freed.
    pending = int(console.command("AT+S.SOCKQ=0").split(b":")[1].split(b"\r")[0])
    if pending:
        console.command("AT+S.SOCKR=0,%d" % pending)
    assert console.command("AT+S.SOCKC=0") == b"AT-S.OK\r\n"

    # The rule applied to the first connection only: the retry goes through.
    assert console.command(open_line) == b"AT-S.On:127.0.0.1:0\r\nAT-S.OK\r\n"
    control.remove_fault(rule)
