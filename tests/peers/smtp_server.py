#!/usr/bin/python3
"""A real SMTP server for the integration tests (Debian's python3-aiosmtpd).

    smtp_server.py [--cert PEM --key KEY [--implicit]] [--user NAME --password SECRET]
                   [--login-only]

Listens on 127.0.0.1 on an ephemeral port and prints "port <n>" first. With --cert/--key it
offers STARTTLS, or with --implicit speaks TLS from the first byte. With --user it offers AUTH
(PLAIN and LOGIN, or LOGIN only with --login-only; over TLS only, aiosmtpd's default) and takes
those credentials only. A recipient whose address starts with "reject" is refused with 550.
For each mail accepted it prints one line of JSON: the EHLO name, whether the session was TLS,
the AUTH mechanism and login, the envelope, and the DATA bytes exactly as received (after
aiosmtpd removed the dot-stuffing and the final ".") as latin-1 text. SIGTERM stops it.
"""

import argparse
import asyncio
import json
import signal
import ssl
import sys

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


class Handler:
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("reject"):
            return "550 5.1.1 no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        auth = session.auth_data
        print(json.dumps({
            "ehlo": session.host_name,
            "tls": server.transport.get_extra_info("ssl_object") is not None,
            "login": auth.login.decode() if isinstance(auth, LoginPassword) else "",
            "from": envelope.mail_from,
            "to": envelope.rcpt_tos,
            "data": envelope.original_content.decode("latin-1"),
        }, sort_keys=True), flush=True)
        return "250 OK"


def authenticator(user, password):
    def check(server, session, envelope, mechanism, auth_data):
        ok = (isinstance(auth_data, LoginPassword) and auth_data.login == user.encode()
              and auth_data.password == password.encode())
        return AuthResult(success=ok, handled=False, auth_data=auth_data)
    return check


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cert")
    parser.add_argument("--key")
    parser.add_argument("--implicit", action="store_true")
    parser.add_argument("--user")
    parser.add_argument("--password", default="")
    parser.add_argument("--login-only", action="store_true")
    args = parser.parse_args()
    context = None
    if args.cert:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(args.cert, args.key)
    options = {"hostname": "mail.test", "ident": "test SMTP"}
    if context and not args.implicit:
        options["tls_context"] = context
    if args.user:
        options["authenticator"] = authenticator(args.user, args.password)
        # aiosmtpd only sees STARTTLS as TLS: on an implicit-TLS listener AUTH must be allowed.
        options["auth_require_tls"] = not args.implicit
        if args.login_only:
            options["auth_exclude_mechanism"] = ["PLAIN"]
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: SMTP(Handler(), **options), "127.0.0.1", 0,
                                      ssl=context if args.implicit else None)
    print("port", server.sockets[0].getsockname()[1], flush=True)
    stop = asyncio.Event()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    await stop.wait()
    server.close()


if __name__ == "__main__":
    asyncio.run(main())
    sys.exit(0)
