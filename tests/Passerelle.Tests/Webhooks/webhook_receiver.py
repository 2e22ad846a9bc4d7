"""A webhook receiver for the tests, written apart from Passerelle's sender: it checks each request's Standard Webhooks
signature with Python's own hmac, then logs one JSON line per request.

usage: webhook_receiver.py PORT LOGFILE SECRET[,SECRET…] [--slow SECONDS] [--down-while FILE]

A secret is "whsec_" + base64 of the key. The signature header may hold several "v1,<base64>" separated by spaces (during
a rotation); each secret that matches one of them is listed under "matched" (by its position on the command line).
Answers 204 when a secret matched, 401 otherwise; 503 without logging anything while FILE exists (a receiver
that is down, on a port nobody else can take meanwhile). Listens on 127.0.0.1 only.
"""
import base64
import hashlib
import hmac
import json
import os
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

port, log_file, secrets = int(sys.argv[1]), sys.argv[2], sys.argv[3].split(",")
slow = float(sys.argv[sys.argv.index("--slow") + 1]) if "--slow" in sys.argv else 0.0
down_while = sys.argv[sys.argv.index("--down-while") + 1] if "--down-while" in sys.argv else None


def expected(secret, message_id, timestamp, body):
    key = base64.b64decode(secret[len("whsec_"):] if secret.startswith("whsec_") else secret)
    signed = message_id.encode() + b"." + timestamp.encode() + b"." + body
    return base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


class Receiver(BaseHTTPRequestHandler):
    # Keep-alive connections, as real servers keep them.
    protocol_version = "HTTP/1.1"

    def answer(self, code):
        self.send_response(code)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if down_while and os.path.exists(down_while):
            self.answer(503)
            return
        message_id = self.headers.get("webhook-id", "")
        timestamp = self.headers.get("webhook-timestamp", "")
        given = [s.split(",", 1)[1] for s in self.headers.get("webhook-signature", "").split(" ") if s.startswith("v1,")]
        matched = [i for i, secret in enumerate(secrets)
                   if any(hmac.compare_digest(expected(secret, message_id, timestamp, body), g) for g in given)]
        try:
            payload = json.loads(body)
        except ValueError:
            payload = None
        if slow:
            time.sleep(slow)
        with open(log_file, "a", encoding="utf-8") as log:
            log.write(json.dumps({"id": message_id, "timestamp": timestamp, "matched": matched, "signatures": len(given),
                                  "contentType": self.headers.get("Content-Type"), "userAgent": self.headers.get("User-Agent"),
                                  "payload": payload}) + "\n")
        self.answer(204 if matched else 401)

    def log_message(self, *args):
        pass


server = ThreadingHTTPServer(("127.0.0.1", port), Receiver)
print("listening", flush=True)
server.serve_forever()
