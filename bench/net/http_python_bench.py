"""The HTTP fetch benchmark in Python: httpx.AsyncClient or aiohttp.

    /usr/bin/python3 http_python_bench.py httpx|aiohttp <base_url> <count> <concurrency>

Fetches <base>/p/<i>.html for i < count with <concurrency> workers sharing one
client (connection pool of the same size), as the C++ benchmark does.
Prints: RESULT seconds=<s> pages=<ok> bytes=<body bytes> errors=<n>
"""
import asyncio
import sys
import time


async def fetch_all(fetch, base, count, conc):
    """Runs <conc> workers that fetch pages <base>/p/<i>.html, i < count, via
    fetch(url) -> (status, body); returns (seconds, counters)."""
    state = {"next": 0, "ok": 0, "bytes": 0, "errors": 0}

    async def worker():
        while state["next"] < count:
            i = state["next"]
            state["next"] += 1
            try:
                status, body = await fetch(f"{base}/p/{i}.html")
                if status == 200:
                    state["ok"] += 1
                    state["bytes"] += len(body)
                else:
                    state["errors"] += 1
            except Exception as e:  # noqa: BLE001 - counted, reported
                state["errors"] += 1
                if state["errors"] <= 5:
                    print(f"page {i}: {e!r}", file=sys.stderr)

    start = time.monotonic()
    await asyncio.gather(*(worker() for _ in range(conc)))
    return time.monotonic() - start, state


async def run_httpx(base, count, conc):
    import httpx
    limits = httpx.Limits(max_connections=conc, max_keepalive_connections=conc)
    async with httpx.AsyncClient(limits=limits, timeout=60) as client:
        async def fetch(url):
            r = await client.get(url)
            return r.status_code, r.content

        return await fetch_all(fetch, base, count, conc)


async def run_aiohttp(base, count, conc):
    import aiohttp
    connector = aiohttp.TCPConnector(limit=conc, limit_per_host=conc)
    async with aiohttp.ClientSession(connector=connector) as session:
        async def fetch(url):
            async with session.get(url) as r:
                return r.status, await r.read()

        return await fetch_all(fetch, base, count, conc)


def main():
    client, base, count, conc = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    fn = {"httpx": run_httpx, "aiohttp": run_aiohttp}[client]
    secs, st = asyncio.run(fn(base, count, conc))
    print(f"RESULT seconds={secs:.6f} pages={st['ok']} bytes={st['bytes']} errors={st['errors']}")
    return 0 if st["errors"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
