// Crawlee's CheerioCrawler on the benchmark site: 64 concurrent requests
// (min and max of its autoscaled pool), storage in memory, titles to JSON
// lines.
//
//   node crawlee_crawler.cjs CRAWLEE_DIR START_URL OUT.jsonl [TIME_LIMIT_S]
//
// CRAWLEE_DIR is where `npm install crawlee` was run (outside the
// repository; compare.py says how). From every page it writes one line
// {"url", "title"} per `h3.info-title.shuang` (text collapsed like the other
// peers) and follows links with enqueueLinks({strategy: 'same-origin'}).
// Prints "RESULT pages=.. records=.. errors=.. seconds=.. stopped=0|1".
'use strict';
const { createRequire } = require('module');
const fs = require('fs');
const path = require('path');

async function main() {
  const [dir, start, out, limit] = process.argv.slice(2);
  if (!dir || !start || !out) {
    console.error('usage: node crawlee_crawler.cjs CRAWLEE_DIR START_URL OUT.jsonl [TIME_LIMIT_S]');
    process.exit(2);
  }
  const load = createRequire(path.join(path.resolve(dir), 'package.json'));
  const { CheerioCrawler, Configuration, log } = load('crawlee');
  log.setLevel(log.LEVELS.WARNING);
  const stream = fs.createWriteStream(out);
  let pages = 0, records = 0, errors = 0, stopped = 0;
  const crawler = new CheerioCrawler({
    minConcurrency: 64,
    maxConcurrency: 64,
    maxRequestRetries: 2,
    async requestHandler({ request, $, enqueueLinks }) {
      pages++;
      $('h3.info-title.shuang').each((_, el) => {
        const title = $(el).text().replace(/[ \t\n\f\r]+/g, ' ').replace(/^ | $/g, '');
        stream.write(JSON.stringify({ url: request.loadedUrl || request.url, title }) + '\n');
        records++;
      });
      await enqueueLinks({ strategy: 'same-origin' });
    },
    failedRequestHandler() { errors++; },
  }, new Configuration({ persistStorage: false }));
  let timer = null;
  if (limit && Number(limit) > 0) {
    timer = setTimeout(() => {
      stopped = 1;
      if (typeof crawler.stop === 'function') crawler.stop();
      else if (crawler.autoscaledPool) crawler.autoscaledPool.abort();
    }, Number(limit) * 1000);
  }
  const t0 = process.hrtime.bigint();
  await crawler.run([start]);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (timer) clearTimeout(timer);
  await new Promise((resolve) => stream.end(resolve));
  console.log(`RESULT pages=${pages} records=${records} errors=${errors} ` +
              `seconds=${seconds.toFixed(3)} stopped=${stopped}`);
}

main().catch((e) => { console.error(e); process.exit(1); });
