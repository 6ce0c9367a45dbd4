#!/usr/bin/python3
"""al_smtpd: a loopback SMTP server for launchwatch's alert tests (aiosmtpd).

usage: al_smtpd.py PORT DIR [USER PASSWORD]

Listens on 127.0.0.1:PORT and saves every message it accepts as DIR/N.eml
(the raw bytes) and DIR/N.json (envelope plus the message as Python's email
parser reads it: decoded headers, the plain-text body and any defects). With
USER and PASSWORD, AUTH is required (PLAIN or LOGIN, without TLS on
loopback) and any other login is refused with 535. Prints READY when it
accepts connections and exits on SIGTERM.
"""
import json
import logging
import os
import signal
import sys
import threading
import warnings
from email import policy
from email.parser import BytesParser

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class Saver:
    def __init__(self, outdir):
        self.outdir = outdir
        self.n = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.n += 1
            n = self.n
        raw = envelope.original_content or envelope.content
        msg = BytesParser(policy=policy.default).parsebytes(raw)
        body = msg.get_body(preferencelist=("plain",))
        info = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "login": session.auth_data.login.decode() if isinstance(session.auth_data, LoginPassword) else None,
            "date": str(msg["Date"]),
            "date_parsed": msg["Date"].datetime.isoformat() if msg["Date"] is not None and msg["Date"].datetime else None,
            "message_id": str(msg["Message-ID"]),
            "from": str(msg["From"]),
            "to": [str(a) for a in msg["To"].addresses] if msg["To"] is not None else [],
            "subject": str(msg["Subject"]),
            "headers": [k for k in msg.keys()],
            "content_type": msg.get_content_type(),
            "body": body.get_content() if body is not None else None,
            "defects": [type(d).__name__ for d in msg.defects] + ([type(d).__name__ for d in body.defects] if body is not None else []),
        }
        tmp = os.path.join(self.outdir, "%d.tmp" % n)
        with open(os.path.join(self.outdir, "%d.eml" % n), "wb") as f:
            f.write(raw)
        with open(tmp, "w") as f:
            json.dump(info, f)
        os.rename(tmp, os.path.join(self.outdir, "%d.json" % n))
        return "250 Message accepted for delivery"


def die_with_parent():
    """Asks the kernel for SIGTERM when the test process that started us
    exits, so a failed test never leaves a server behind."""
    try:
        import ctypes
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass


def main():
    die_with_parent()
    warnings.filterwarnings("ignore")
    logging.basicConfig(filename=os.path.join(sys.argv[2], "server.log"), level=logging.DEBUG)
    port = int(sys.argv[1])
    outdir = sys.argv[2]
    user = sys.argv[3].encode() if len(sys.argv) > 4 else None
    password = sys.argv[4].encode() if len(sys.argv) > 4 else None

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and auth_data.login == user and auth_data.password == password
        return AuthResult(success=ok, handled=False, auth_data=auth_data)

    kwargs = {}
    if user is not None:
        kwargs = dict(authenticator=authenticator, auth_required=True, auth_require_tls=False)
    ctl = Controller(Saver(outdir), hostname="127.0.0.1", port=port, **kwargs)
    ctl.start()
    try:
        sys.stdout.write("READY\n")
        sys.stdout.flush()
    except BrokenPipeError:
        pass
    # the reader closes the pipe after READY: nothing may write to it again
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *a: done.set())
    signal.signal(signal.SIGINT, lambda *a: done.set())
    while not done.wait(0.2):
        pass
    ctl.stop()


if __name__ == "__main__":
    main()
