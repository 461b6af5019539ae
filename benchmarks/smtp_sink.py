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
        server = self._loop.run_until_complete(asyncio.start_server(self._talk, "127.0.0.1", 0))
        self.port = server.sockets[0].getsockname()[1]
        self._ready.set()
        self._loop.run_forever()
        server.close()

    async def _talk(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        writer.write(b"220 sink.localhost ESMTP\r\n")
        try:
            while line := await reader.readline():
                verb = line[:4].upper()
                if verb == b"EHLO":
                    writer.write(b"250-sink.localhost\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n")
                elif verb == b"DATA":
                    writer.write(b"354 End data with <CR><LF>.<CR><LF>\r\n")
                    await writer.drain()
                    data = await reader.readuntil(b"\r\n.\r\n")
                    self.messages += 1
                    self.reminders.update(int(m) for m in MESSAGE_ID.findall(data))
                    writer.write(b"250 2.0.0 Ok: queued\r\n")
                elif verb == b"QUIT":
                    writer.write(b"221 2.0.0 Bye\r\n")
                    break
                else:  # HELO, MAIL, RCPT, RSET, NOOP
                    writer.write(b"250 2.0.0 Ok\r\n")
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass  # a worker killed mid-conversation
        finally:
            writer.close()
