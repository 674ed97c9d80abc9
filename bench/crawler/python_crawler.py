"""The tutorial's title crawler written correctly in Python: asyncio, httpx
and lxml, N workers on an asyncio.Queue, every URL visited once, and an end.

    /usr/bin/python3 python_crawler.py START_URL OUT.jsonl [--workers 64] [--time-limit S]

From START_URL it follows <a href> / <area href> links within START_URL's
origin (scheme, host, port), breadth-first; a URL is "seen" by its canonical
form (canonical_url.py, issue 12's rules) and requested in that form. From
every 200 HTML page it writes one JSON line {"url", "title"} per element of
//h3[@class='info-title shuang'] (the tutorial's XPath), the text being the
element's text nodes joined, ASCII whitespace collapsed, trimmed. It ends when
the queue is empty and every worker is idle (Queue.join), not by sleeping.
--time-limit stops it early (the report then says so).

Prints "RESULT pages=.. records=.. errors=.. seconds=.. stopped=0|1".
What the tutorial got wrong and this does not: a list as a queue, a busy loop
with an un-awaited asyncio.sleep(3), no end, URLs compared as written.
"""

import argparse
import asyncio
import json
import os
import re
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import httpx  # noqa: E402
from lxml import etree, html as lxml_html  # noqa: E402

from canonical_url import canonical, origin, resolve  # noqa: E402

_WS = re.compile(r"[ \t\n\f\r]+")
TITLE_XPATH = "//h3[@class='info-title shuang']"


def collapse(text):
    return _WS.sub(" ", text).strip(" ")


class Crawler:
    def __init__(self, start, out, workers, time_limit):
        self.start = canonical(start)
        self.origin = origin(self.start)
        self.out = out
        self.workers = workers
        self.time_limit = time_limit
        self.queue = asyncio.Queue()
        self.seen = {self.start}
        self.pages = self.records = self.errors = 0

    async def fetch_one(self, client, url):
        try:
            r = await client.get(url)
        except httpx.HTTPError:
            self.errors += 1
            return
        self.pages += 1
        ctype = r.headers.get("content-type", "").lower()
        if r.status_code != 200 or "html" not in ctype or not r.content:
            return
        try:
            tree = lxml_html.fromstring(r.content)
        except (etree.ParserError, ValueError):
            self.errors += 1  # not a document lxml can parse
            return
        page_url = str(r.url)
        for h3 in tree.xpath(TITLE_XPATH):
            title = collapse("".join(h3.xpath(".//text()")))
            self.out.write(json.dumps({"url": page_url, "title": title}, ensure_ascii=False) + "\n")
            self.records += 1
        for href in tree.xpath("//a/@href | //area/@href"):
            try:
                link = resolve(page_url, href)
            except ValueError:
                continue  # mailto:, javascript:, a bad port, ...
            if origin(link) != self.origin or link in self.seen:
                continue
            self.seen.add(link)
            self.queue.put_nowait(link)

    async def worker(self, client):
        while True:
            url = await self.queue.get()
            try:
                await self.fetch_one(client, url)
            finally:
                self.queue.task_done()

    async def run(self):
        limits = httpx.Limits(max_connections=self.workers,
                              max_keepalive_connections=self.workers)
        async with httpx.AsyncClient(limits=limits, timeout=30.0, follow_redirects=True) as client:
            self.queue.put_nowait(self.start)
            tasks = [asyncio.create_task(self.worker(client)) for _ in range(self.workers)]
            stopped = 0
            try:
                await asyncio.wait_for(self.queue.join(), self.time_limit)
            except asyncio.TimeoutError:
                stopped = 1
            for t in tasks:
                t.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        return stopped


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("start_url")
    ap.add_argument("out")
    ap.add_argument("--workers", type=int, default=64)
    ap.add_argument("--time-limit", type=float, default=None, metavar="SECONDS")
    args = ap.parse_args()
    if args.workers < 1:
        ap.error("--workers must be at least 1")
    with open(args.out, "w", encoding="utf-8") as out:
        crawler = Crawler(args.start_url, out, args.workers, args.time_limit)
        t0 = time.perf_counter()
        stopped = asyncio.run(crawler.run())
        seconds = time.perf_counter() - t0
    print(f"RESULT pages={crawler.pages} records={crawler.records} errors={crawler.errors} "
          f"seconds={seconds:.3f} stopped={stopped}", flush=True)


if __name__ == "__main__":
    main()
