"""The emulator's WSGI app (Web API, upload URLs, response URLs) and its waitress server."""
from __future__ import annotations

import json
import threading
from email.parser import BytesParser
from email.policy import HTTP
from urllib.parse import parse_qsl

import waitress
from waitress import wasyncore
from waitress.task import ThreadedTaskDispatcher

from .webapi import handle_api


def _form(body: bytes) -> dict:
    return dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True))


def _multipart(content_type: str, body: bytes) -> dict:
    message = BytesParser(policy=HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + body)
    args = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if name:
            payload = part.get_payload(decode=True) or b""
            args[name] = payload if part.get_filename() else payload.decode("utf-8", "replace")
    return args


def _respond(start_response, status: int, body, headers: dict | None = None,
             content_type: str = "application/json; charset=utf-8"):
    data = json.dumps(body).encode() if not isinstance(body, (str, bytes)) else (
        body.encode() if isinstance(body, str) else body)
    reason = {200: "OK", 404: "Not Found", 405: "Method Not Allowed", 429: "Too Many Requests"}
    start_response(f"{status} {reason.get(status, 'Error')}",
                   [("Content-Type", content_type), ("Content-Length", str(len(data))),
                    *(headers or {}).items()])
    return [data]


def make_wsgi_app(emu):
    def app(environ, start_response):
        path = environ.get("PATH_INFO", "")
        verb = environ.get("REQUEST_METHOD", "GET")
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        content_type = environ.get("CONTENT_TYPE", "")
        if path.startswith("/api/"):
            args = dict(parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True))
            is_json = content_type.startswith("application/json")
            if verb == "POST" and body:
                if is_json:
                    try:
                        parsed = json.loads(body)
                    except json.JSONDecodeError:
                        return _respond(start_response, 200, {"ok": False, "error": "invalid_json"})
                    args.update(parsed if isinstance(parsed, dict) else {})
                elif content_type.startswith("multipart/form-data"):
                    args.update(_multipart(content_type, body))
                else:
                    args.update(_form(body))
            status, headers, answer = handle_api(
                emu, path[len("/api/"):], args,
                authorization=environ.get("HTTP_AUTHORIZATION", ""), is_json=is_json)
            return _respond(start_response, status, answer, headers)
        if verb != "POST":
            return _respond(start_response, 405, "method not allowed", content_type="text/plain")
        if path.startswith("/upload/"):
            status, text = emu.receive_upload(path[len("/upload/"):], body)
        elif path.startswith("/response/"):
            status, text = emu.receive_response_url(path[len("/response/"):], body)
        else:
            status, text = 404, "not found"
        return _respond(start_response, status, text, content_type="text/plain; charset=utf-8")
    return app


class OnDemand(ThreadedTaskDispatcher):
    """waitress's thread pool, its threads started when a request finds none idle (up to the count
    asked) rather than all at once: a test starts an emulator each, and most answer a few calls at a
    time, so starting its 24 threads up front was a tenth of an end-to-end test's CPU."""

    def __init__(self, most: int) -> None:
        super().__init__()
        self.most = most  # waitress leaves a dispatcher it is given to set its own count

    def set_thread_count(self, count: int) -> None:
        with self.lock:
            self.most = count
        if count == 0:  # shutting down
            super().set_thread_count(0)

    def add_task(self, task) -> None:
        with self.lock:
            self.queue.append(task)
            self.queue_cv.notify()
            running = len(self.threads) - self.stop_count
            idle = running - self.active_count
            if len(self.queue) > idle and running < self.most:
                number = next(n for n in range(self.most + len(self.threads)) if n not in self.threads)
                self.threads.add(number)
                self.active_count += 1
                self.start_new_thread(self.handler_thread, number)


class Server:
    """waitress in a background thread, with a shutdown that is safe from another thread.

    Everything that closes waitress's sockets and trigger pipe runs in the loop thread itself:
    closing them from outside races its select() and can close a descriptor number twice —
    the second time closing whatever another server (in the same test process) reused it for.
    """

    def __init__(self, app, host: str, port: int, **options):
        options.setdefault("threads", 8)
        self._server = waitress.create_server(app, host=host, port=port, **options)
        self.port = self._server.effective_port
        self._stopping = threading.Event()
        self._closing = threading.Lock()
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="waitress", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        server = self._server
        while not self._stopping.is_set():
            # Short rounds, so the stop flag is seen within a tenth of a second (stop() also wakes it).
            wasyncore.loop(timeout=0.05, map=server._map, count=1)
        with self._closing:  # stop() never pulls the trigger while, or after, it is closed
            self._closed = True
            wasyncore.close_all(server._map)

    def wait(self) -> None:
        """Block until the server stops (the playground's main thread)."""
        while self._thread.is_alive():
            self._thread.join(timeout=1)

    def stop(self) -> None:
        with self._closing:
            self._stopping.set()
            if not self._closed:
                self._server.trigger.pull_trigger()  # wake the loop now, not at its next round
        self._thread.join(timeout=5)
        self._server.task_dispatcher.shutdown()
