#!/usr/bin/env python3
"""SMTP sink for Passerelle's tests: a real SMTP server (aiosmtpd) that stores each message as an .eml file.

It keeps connections open for many mails (and pipelining) like a real MTA, counts the connections it accepted
(connections.log), and can play the parts the delivery tests need: TLS (STARTTLS or implicit) with a given
certificate, AUTH with one login, a 550 for one recipient, a connection closed by the server after some mails, a relay that refuses
to relay."""
import argparse
import asyncio
import os
import signal
import ssl
import threading
import time
import uuid

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


class Store:
    def __init__(self, folder, reject, close_after, deny_relay):
        self.folder = folder
        self.reject = {r.lower() for r in reject}
        self.close_after = close_after
        self.deny_relay = deny_relay

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.deny_relay:
            return f"554 5.7.1 <{address}>: Relay access denied"
        if address.lower() in self.reject:
            return f"550 5.1.1 <{address}>: Recipient address rejected: no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        name = f"{time.time_ns()}-{uuid.uuid4().hex}.eml"
        temporary = os.path.join(self.folder, name + ".part")
        with open(temporary, "wb") as f:
            f.write(("X-Envelope-To: " + ",".join(envelope.rcpt_tos) + "\r\n").encode())
            f.write(envelope.original_content or envelope.content)
        os.rename(temporary, os.path.join(self.folder, name))
        session.delivered = getattr(session, "delivered", 0) + 1
        return "250 Message accepted"

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if self.close_after and getattr(session, "delivered", 0) >= self.close_after:
            # Between two mails the server hangs up, as an MTA at its limit of mails per connection or restarting does:
            # 421, then the connection closes (the commands the client pipelined after MAIL are lost). It must reconnect.
            asyncio.get_event_loop().call_soon(server.transport.close)
            return "421 4.7.0 Too many messages on this connection, closing"
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"


class CountingSMTP(SMTP):
    log = None

    def connection_made(self, transport):
        if CountingSMTP.log:
            with open(CountingSMTP.log, "a") as f:
                f.write("connection\n")
        super().connection_made(transport)


class Sink(Controller):
    def factory(self):
        return CountingSMTP(self.handler, **self.SMTP_kwargs)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--dir", required=True)
    parser.add_argument("--tls", choices=["starttls", "implicit"])
    parser.add_argument("--cert")
    parser.add_argument("--key")
    parser.add_argument("--auth", help="login:password required before MAIL")
    parser.add_argument("--reject", action="append", default=[], help="a recipient refused with 550")
    parser.add_argument("--close-after", type=int, default=0, help="close the connection after this many mails on it")
    parser.add_argument("--deny-relay", action="store_true", help="refuse every recipient as a misconfigured relay does (554 5.7.1)")
    args = parser.parse_args()
    os.makedirs(args.dir, exist_ok=True)

    kwargs = {"hostname": "127.0.0.1", "port": args.port, "enable_SMTPUTF8": True}
    if args.tls:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(args.cert, args.key)
        if args.tls == "starttls":
            kwargs.update(tls_context=context, require_starttls=True)
        else:
            kwargs.update(ssl_context=context, server_hostname="localhost")
    if args.auth:
        login, password = args.auth.split(":", 1)

        def authenticator(server, session, envelope, mechanism, auth_data):
            ok = isinstance(auth_data, LoginPassword) and auth_data.login.decode() == login and auth_data.password.decode() == password
            return AuthResult(success=ok, handled=False)

        kwargs.update(authenticator=authenticator, auth_required=True, auth_require_tls=bool(args.tls))

    controller = Sink(Store(args.dir, args.reject, args.close_after, args.deny_relay), **kwargs)
    controller.start()
    # Counted from now: the controller's own check that it listens is not a client.
    CountingSMTP.log = os.path.join(args.dir, "connections.log")
    print("READY", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    controller.stop()


if __name__ == "__main__":
    main()
