"""A small load generator on asyncio streams (standard library only): keep-alive HTTP/1.1 clients
with their own cookies, and phases that record latency and status inside a fixed time window."""
import asyncio
import math
import statistics
import time
from collections import Counter
from urllib.parse import urlencode


class Client:
    """One keep-alive HTTP/1.1 connection with its own cookies, like one phone."""

    def __init__(self, port):
        self.port, self.reader, self.writer, self.cookies = port, None, None, {}

    async def request(self, method, path, form=None, accept=None):
        """Send one request on the kept-alive connection; ``(status, headers, body)``."""
        body = urlencode(form).encode() if form is not None else b""
        head = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{self.port}", "Accept-Language: en"]
        if self.cookies:
            head.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        if form is not None:
            head += ["Content-Type: application/x-www-form-urlencoded", f"Content-Length: {len(body)}"]
        if accept:
            head.append(f"Accept: {accept}")
        data = ("\r\n".join(head) + "\r\n\r\n").encode() + body
        for attempt in range(2):  # the server may have closed an idle connection: reconnect once
            if self.writer is None:
                self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
            try:
                self.writer.write(data)
                await self.writer.drain()
                return await self._response()
            except (ConnectionError, asyncio.IncompleteReadError):
                self.close()
                if attempt:
                    raise
        raise AssertionError("unreachable")

    async def _response(self):
        status = int((await self.reader.readuntil(b"\r\n")).split()[1])
        headers = {}
        for line in (await self.reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n"):
            if ":" not in line:
                continue
            name, value = line.split(":", 1)
            name, value = name.strip().lower(), value.strip()
            if name == "set-cookie":
                cookie_name, cookie_value = value.split(";", 1)[0].split("=", 1)
                if cookie_value and "max-age=0" not in value.lower():
                    self.cookies[cookie_name] = cookie_value
                else:
                    self.cookies.pop(cookie_name, None)
            headers[name] = value
        if headers.get("transfer-encoding", "").lower() == "chunked":
            body = b""
            while size := int((await self.reader.readuntil(b"\r\n")).strip(), 16):
                body += (await self.reader.readexactly(size + 2))[:-2]
            await self.reader.readuntil(b"\r\n")
        else:
            body = await self.reader.readexactly(int(headers.get("content-length", 0)))
        if headers.get("connection", "").lower() == "close":
            self.close()
        return status, headers, body

    def close(self):
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


class Phase:
    """Latencies and statuses of the requests that started and ended inside the measured window."""

    def __init__(self, warmup_s, seconds):
        self.start = time.perf_counter() + warmup_s
        self.end = self.start + seconds
        self.seconds = seconds
        self.latencies, self.statuses, self.unexpected = {}, {}, Counter()
        self.cpu = {}

    async def timed(self, label, client, method, path, form=None, expect=200, accept=None):
        """One request, recorded under ``label`` if it started and ended inside the window."""
        started = time.perf_counter()
        status, headers, body = await client.request(method, path, form, accept)
        ended = time.perf_counter()
        if status != expect:
            self.unexpected[(label, status)] += 1
        if self.start <= started and ended <= self.end:
            self.latencies.setdefault(label, []).append((ended - started) * 1000)
            self.statuses.setdefault(label, Counter())[status] += 1
        return status, headers, body

    def row(self, label, expect):
        latencies = sorted(self.latencies.get(label, []))
        ok = self.statuses.get(label, Counter())[expect]
        if not latencies:
            return {"rps": 0.0, "p50": math.nan, "p99": math.nan, "ok": 0, "count": 0}
        p99 = latencies[min(len(latencies) - 1, math.ceil(0.99 * len(latencies)) - 1)]
        return {"rps": ok / self.seconds, "p50": statistics.median(latencies), "p99": p99, "ok": ok,
                "count": len(latencies), "statuses": dict(self.statuses[label])}


async def run_phase(clients, step, warmup_s, seconds, cpu=None):
    """Every client runs ``step(i, client, phase)`` back to back until the window closes.

    ``cpu()``, if given, returns ``{component: CPU seconds so far}``; ``phase.cpu`` is then what each
    component used inside the measured window.
    """
    phase = Phase(warmup_s, seconds)

    async def loop(i, client):
        while time.perf_counter() < phase.end:
            await step(i, client, phase)

    async def sample():
        await asyncio.sleep(max(0.0, phase.start - time.perf_counter()))
        before = cpu()
        await asyncio.sleep(max(0.0, phase.end - time.perf_counter()))
        after = cpu()
        phase.cpu = {name: after[name] - before.get(name, 0.0) for name in after}

    await asyncio.gather(*(loop(i, c) for i, c in enumerate(clients)), *([sample()] if cpu else []))
    return phase
