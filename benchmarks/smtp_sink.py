"""A minimal SMTP server that accepts every message and counts it, for benchmarks.

It speaks just enough ESMTP for Django's SMTP backend (EHLO/HELO, MAIL, RCPT, DATA,
RSET, NOOP, QUIT) over plain TCP on 127.0.0.1, runs in a thread of its own with an
asyncio loop, and keeps the reminder ids it saw (from `Message-ID: <reminder-ID@…>`),
so a benchmark can check that every row went out exactly once. It also counts the
connections it was opened, which is what "one connection per batch" is about.
"""

import asyncio
import re
import threading
from collections import Counter

MESSAGE_ID = re.compile(rb"^Message-ID: <reminder-(\d+)@", re.MULTILINE | re.IGNORECASE)


class SmtpSink:
    def __init__(self) -> None:
        self.port = 0
        self.connections = 0
        self.messages = 0
        self.reminders: Counter[int] = Counter()
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> "SmtpSink":
        self._thread.start()
        self._ready.wait(10)
        return self

    def __exit__(self, *exc) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        server = self._loop.run_until_complete(
            self._loop.create_server(lambda: _Conversation(self), "127.0.0.1", 0)
        )
        self.port = server.sockets[0].getsockname()[1]
        self._ready.set()
        self._loop.run_forever()
        server.close()


class _Conversation(asyncio.Protocol):
    """One client's SMTP conversation. A protocol rather than streams: the sink shares
    the machine with the worker it measures, so it should cost as little as it can."""

    def __init__(self, sink: SmtpSink) -> None:
        self.sink = sink
        self.buffer = b""
        self.in_data = False

    def connection_made(self, transport: asyncio.Transport) -> None:
        self.transport = transport
        self.sink.connections += 1
        transport.write(b"220 sink.localhost ESMTP\r\n")

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        replies = []
        while True:
            if self.in_data:
                end = self.buffer.find(b"\r\n.\r\n")
                if end < 0:
                    break
                message, self.buffer = self.buffer[: end + 5], self.buffer[end + 5 :]
                self.in_data = False
                self.sink.messages += 1
                self.sink.reminders.update(int(m) for m in MESSAGE_ID.findall(message))
                replies.append(b"250 2.0.0 Ok: queued\r\n")
                continue
            end = self.buffer.find(b"\r\n")
            if end < 0:
                break
            verb, self.buffer = self.buffer[:4].upper(), self.buffer[end + 2 :]
            if verb == b"EHLO":
                replies.append(b"250-sink.localhost\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n")
            elif verb == b"DATA":
                self.in_data = True
                replies.append(b"354 End data with <CR><LF>.<CR><LF>\r\n")
            elif verb == b"QUIT":
                self.transport.write(b"".join(replies) + b"221 2.0.0 Bye\r\n")
                self.transport.close()
                return
            else:  # HELO, MAIL, RCPT, RSET, NOOP
                replies.append(b"250 2.0.0 Ok\r\n")
        if replies:
            self.transport.write(b"".join(replies))
