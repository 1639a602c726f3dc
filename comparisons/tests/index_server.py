"""A local package index for tests: serves recorded JSON documents over real HTTP.

Recordings in recordings/ are the index's answers for each framework's package,
trimmed to the fields comparisons.registry reads (one file per release, the earliest
upload, yanked when every file of the release was). Tests may queue other answers
(an error status, a slow answer, a hand-edited document) per package.
"""

import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

RECORDINGS = Path(__file__).parent / "recordings"


def recording(package: str) -> dict:
    return json.loads((RECORDINGS / f"{package}.json").read_text(encoding="utf-8"))


@dataclass
class Answer:
    status: int = 200
    body: bytes = b""
    delay: float = 0.0


class RecordedIndex:
    def __init__(self):
        self.queued: dict[str, list[Answer]] = {}
        self.requests: list[str] = []
        index = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                index.requests.append(self.path)
                answer = index.answer_for(self.path)
                if answer.delay:
                    time.sleep(answer.delay)
                try:
                    self.send_response(answer.status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(answer.body)))
                    self.end_headers()
                    self.wfile.write(answer.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up waiting: that is what a timeout test wants

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/pypi"

    def queue(self, package: str, *answers: Answer) -> None:
        """Answer the next requests for `package` with these, in order, then with its recording."""
        self.queued.setdefault(package, []).extend(answers)

    def serve_document(self, package: str, document: dict) -> None:
        self.queue(package, *[Answer(body=json.dumps(document).encode())] * 10)

    def answer_for(self, path: str) -> Answer:
        parts = path.strip("/").split("/")
        if len(parts) != 3 or parts[0] != "pypi" or parts[2] != "json":
            return Answer(status=404)
        package = parts[1]
        if self.queued.get(package):
            return self.queued[package].pop(0)
        file = RECORDINGS / f"{package}.json"
        if not file.exists():
            return Answer(status=404)
        return Answer(body=file.read_bytes())

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
