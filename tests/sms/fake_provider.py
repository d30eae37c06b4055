"""A local HTTP server that plays an SMS provider for the SDK tests: it records every
request and answers with the responses a test queues (status, JSON body)."""

import json
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit


@dataclass
class Seen:
    method: str
    path: str
    query: dict
    headers: dict
    body: str

    @property
    def json(self):
        return json.loads(self.body)


class FakeProvider:
    def __init__(self):
        self.requests = []
        self.responses = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode("utf-8")
                parts = urlsplit(self.path)
                fake.requests.append(
                    Seen(self.command, parts.path, dict(parse_qsl(parts.query)), dict(self.headers), body)
                )
                status, payload = fake.responses.pop(0) if fake.responses else (500, {"error": "no response queued"})
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def endpoint(self):
        host, port = self.server.server_address
        return f"{host}:{port}"

    def answer(self, payload, status=200):
        self.responses.append((status, payload))

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
