"""Scrapy on the benchmark site, configured as issue 12 says: 64 concurrent
requests (also per domain), no delay, no AutoThrottle, robots.txt not obeyed,
titles to JSON lines through Scrapy's feed exports.

    /usr/bin/python3 scrapy_crawler.py START_URL OUT.jsonl [--time-limit S]

A plain scrapy.Spider: from each response it yields one item
{"url": response.url, "title": ...} per //h3[@class='info-title shuang']
(text nodes joined, ASCII whitespace collapsed, trimmed) and follows every
link Scrapy's LinkExtractor finds on the start URL's host (OffsiteMiddleware
with allowed_domains). Duplicates are Scrapy's own fingerprint dupe filter.
--time-limit is CLOSESPIDER_TIMEOUT (the crawl then ends incomplete).

Prints "RESULT pages=.. records=.. errors=.. seconds=.. stopped=0|1".
"""

import argparse
import logging
import re
import sys
import time
from urllib.parse import urlsplit

sys.dont_write_bytecode = True
import scrapy  # noqa: E402
from scrapy.crawler import CrawlerProcess  # noqa: E402
from scrapy.linkextractors import LinkExtractor  # noqa: E402

_WS = re.compile(r"[ \t\n\f\r]+")


class TitleSpider(scrapy.Spider):
    name = "titles"

    def __init__(self, start_url, **kwargs):
        super().__init__(**kwargs)
        host = urlsplit(start_url).hostname
        self.start_urls = [start_url]
        self.allowed_domains = [host]
        # Not LinkExtractor(allow_domains=...): it compares the netloc, port
        # included, so "127.0.0.1" would match nothing on 127.0.0.1:PORT.
        # OffsiteMiddleware (allowed_domains) checks the host name.
        self.links = LinkExtractor()

    def parse(self, response):
        for h3 in response.xpath("//h3[@class='info-title shuang']"):
            title = _WS.sub(" ", "".join(h3.xpath(".//text()").getall())).strip(" ")
            yield {"url": response.url, "title": title}
        for link in self.links.extract_links(response):
            yield scrapy.Request(link.url, callback=self.parse)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("start_url")
    ap.add_argument("out")
    ap.add_argument("--time-limit", type=float, default=0, metavar="SECONDS")
    args = ap.parse_args()
    settings = {
        "CONCURRENT_REQUESTS": 64,
        "CONCURRENT_REQUESTS_PER_DOMAIN": 64,
        "CONCURRENT_REQUESTS_PER_IP": 0,
        "DOWNLOAD_DELAY": 0,
        "RANDOMIZE_DOWNLOAD_DELAY": False,
        "AUTOTHROTTLE_ENABLED": False,
        "ROBOTSTXT_OBEY": False,
        "TELNETCONSOLE_ENABLED": False,
        "LOG_LEVEL": "WARNING",
        "REQUEST_FINGERPRINTER_IMPLEMENTATION": "2.7",
        "CLOSESPIDER_TIMEOUT": args.time_limit,
        "FEEDS": {args.out: {"format": "jsonlines", "encoding": "utf8", "overwrite": True}},
    }
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(TitleSpider)
    process.crawl(crawler, start_url=args.start_url)
    t0 = time.perf_counter()
    process.start()
    seconds = time.perf_counter() - t0
    stats = crawler.stats.get_stats()
    errors = stats.get("downloader/exception_count", 0) + stats.get("spider_exceptions/count", 0) \
        + stats.get("log_count/ERROR", 0)
    stopped = 1 if stats.get("finish_reason") == "closespider_timeout" else 0
    print(f"RESULT pages={stats.get('response_received_count', 0)} "
          f"records={stats.get('item_scraped_count', 0)} errors={errors} "
          f"seconds={seconds:.3f} stopped={stopped}", flush=True)


if __name__ == "__main__":
    logging.getLogger("scrapy").setLevel(logging.WARNING)
    main()
