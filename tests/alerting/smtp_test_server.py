#!/usr/bin/env python3
"""A real SMTP server for the alerting tests (aiosmtpd, Debian's python3-aiosmtpd).

Listens on 127.0.0.1 at a free port and prints "PORT <n>" once ready. Modes:
  --tls starttls  offers STARTTLS and requires it before MAIL (--cert/--key)
  --tls implicit  TLS from the first byte, as on port 465 (--cert/--key)
  --tls none      plain SMTP, no STARTTLS offered
With --user/--password, AUTH (PLAIN, LOGIN) is offered and required.
Each message received is written to --out as NNN.eml (the raw bytes) and NNN.json (envelope,
login, whether TLS was on, and the subject and body decoded by Python's email package, an
independent decoder for the RFC 2047 subject and the base64 UTF-8 body). Runs until killed."""

import argparse
import asyncio
import email
import email.policy
import json
import os
import signal
import ssl

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


class Handler:
    def __init__(self, out):
        self.out = out
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        base = os.path.join(self.out, "%03d" % self.count)
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        raw = email.message_from_bytes(envelope.content, policy=email.policy.compat32)
        login = session.auth_data.login.decode() if isinstance(session.auth_data, LoginPassword) else None
        transport = server.transport
        tls = session.ssl is not None or (
            transport is not None and transport.get_extra_info("ssl_object") is not None)
        info = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "login": login,
            "tls": tls,
            "subject": str(parsed["subject"]),
            "raw_subject": raw["subject"],
            "body": parsed.get_content(),
            "headers": {name: str(value) for name, value in parsed.items()},
        }
        with open(base + ".eml", "wb") as f:
            f.write(envelope.content)
        # Written whole, then renamed: the test never reads half a file.
        with open(base + ".json.tmp", "w", encoding="utf-8") as f:
            json.dump(info, f, ensure_ascii=False)
        os.rename(base + ".json.tmp", base + ".json")
        return "250 OK"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True)
    parser.add_argument("--tls", choices=["starttls", "implicit", "none"], default="none")
    parser.add_argument("--cert")
    parser.add_argument("--key")
    parser.add_argument("--user")
    parser.add_argument("--password")
    args = parser.parse_args()

    context = None
    if args.tls != "none":
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(args.cert, args.key)

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = (isinstance(auth_data, LoginPassword)
              and auth_data.login.decode() == args.user
              and auth_data.password.decode() == args.password)
        return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)

    handler = Handler(args.out)
    kwargs = {}
    if args.tls == "starttls":
        kwargs.update(tls_context=context, require_starttls=True)
    if args.user:
        kwargs.update(authenticator=authenticator, auth_required=True,
                      auth_require_tls=args.tls == "starttls")

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    server = loop.run_until_complete(loop.create_server(
        lambda: SMTP(handler, hostname="smtp.test", loop=loop, **kwargs),
        "127.0.0.1", 0, ssl=context if args.tls == "implicit" else None))
    port = server.sockets[0].getsockname()[1]
    print("PORT %d" % port, flush=True)
    loop.add_signal_handler(signal.SIGTERM, loop.stop)
    loop.run_forever()


if __name__ == "__main__":
    main()
