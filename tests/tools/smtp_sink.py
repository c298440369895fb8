#!/usr/bin/python3
"""smtp_sink.py — a real SMTP server for the e-mail tests (Debian's python3-aiosmtpd), on
127.0.0.1, writing each message it accepts to a directory: NNNN.eml (the bytes as received)
and NNNN.rcpt (the envelope recipients, one a line), each file complete before the server
answers 250, so a test that sees the sender's success sees the files.

  smtp_sink.py --port N --dir DIR [--tls-cert CRT --tls-key KEY [--require-starttls]]
               [--auth USER:PASSWORD]

--tls-cert offers STARTTLS; --require-starttls refuses everything but STARTTLS before it;
--auth requires AUTH (PLAIN or LOGIN) with that user and password. The server writes DIR/ready
once it listens, and stops on SIGTERM.
"""
import argparse
import os
import signal
import ssl
import threading

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult


class Sink:
    def __init__(self, directory):
        self.directory = directory
        self.lock = threading.Lock()
        self.count = len([f for f in os.listdir(directory) if f.endswith(".eml")])

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.count += 1
            base = os.path.join(self.directory, "%04d" % self.count)
        with open(base + ".rcpt.tmp", "w") as f:
            f.write("\n".join(envelope.rcpt_tos) + "\n")
        with open(base + ".eml.tmp", "wb") as f:
            f.write(envelope.original_content)
        os.rename(base + ".rcpt.tmp", base + ".rcpt")
        os.rename(base + ".eml.tmp", base + ".eml")
        return "250 OK"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--dir", required=True)
    ap.add_argument("--tls-cert")
    ap.add_argument("--tls-key")
    ap.add_argument("--require-starttls", action="store_true")
    ap.add_argument("--auth")
    args = ap.parse_args()

    kwargs = {}
    if args.tls_cert:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(args.tls_cert, args.tls_key)
        kwargs["tls_context"] = context
        kwargs["require_starttls"] = args.require_starttls
    if args.auth:
        user, password = args.auth.split(":", 1)

        def authenticator(server, session, envelope, mechanism, auth_data):
            ok = (getattr(auth_data, "login", b"") == user.encode()
                  and getattr(auth_data, "password", b"") == password.encode())
            return AuthResult(success=ok)

        kwargs["authenticator"] = authenticator
        kwargs["auth_required"] = True
        kwargs["auth_require_tls"] = bool(args.tls_cert)
    controller = Controller(Sink(args.dir), hostname="127.0.0.1", port=args.port,
                            ready_timeout=10, **kwargs)
    controller.start()
    with open(os.path.join(args.dir, "ready"), "w") as f:
        f.write(str(os.getpid()) + "\n")
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    controller.stop()


if __name__ == "__main__":
    main()
