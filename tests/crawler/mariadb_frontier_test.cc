#include "crawler/mariadb_frontier.h"

#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <functional>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "crawler/job.h"
#include "db/pool.h"
#include "gtest/gtest.h"
#include "loop/run.h"
#include "loop/sleep.h"
#include "tests/fixtures/mariadb.h"

// Two MariaDbFrontier objects on one job are two workers: everything here
// that holds "over all workers" is checked with two of them, in-process,
// against the private MariaDB server (tests/fixtures/mariadb.h).

// ASSERT_* returns, which a coroutine cannot: these co_return instead.
#define CO_ASSERT_EQ(a, b)        \
  do {                            \
    EXPECT_EQ(a, b);              \
    if (!((a) == (b))) co_return; \
  } while (0)
#define CO_ASSERT_TRUE(c)  \
  do {                     \
    EXPECT_TRUE(c);        \
    if (!(c)) co_return;   \
  } while (0)

namespace aio::crawler {
namespace {

using aio::testing::MariaDbServer;

bool any(std::string_view) { return true; }
bool never(std::string_view) { return false; }

const std::string kSite = "http://site.test";

std::string u(const std::string& path) { return kSite + path; }

std::vector<Link> links(std::vector<std::string> paths, int depth) {
  std::vector<Link> out;
  for (const std::string& p : paths) out.push_back(Link{u(p), depth, 0});
  return out;
}

std::vector<std::string> urls(const Claim& c) {
  std::vector<std::string> out;
  for (const Lease& l : c.leases) out.push_back(l.link.url);
  return out;
}

Record record(const std::string& url, int position, const std::string& title) {
  return Record{url, title, position, std::chrono::system_clock::now()};
}

struct World {
  db::Pool pool;
  Job job;
};

// A fresh database with the job tables and job `name` made from `o`.
Coro<std::unique_ptr<World>> world(db::Options opts, Options o) {
  absl::StatusOr<db::Pool> pool = co_await db::Pool::create(opts);
  EXPECT_TRUE(pool.ok()) << pool.status();
  absl::Status t = co_await create_job_tables(*pool);
  EXPECT_TRUE(t.ok()) << t;
  absl::StatusOr<Job> job = co_await create_job(*pool, "j1", o);
  EXPECT_TRUE(job.ok()) << job.status();
  co_return std::make_unique<World>(World{*std::move(pool), *std::move(job)});
}

Coro<std::unique_ptr<MariaDbFrontier>> frontier(World& w,
                                                MariaDbFrontierOptions fo) {
  absl::StatusOr<std::unique_ptr<MariaDbFrontier>> f =
      co_await MariaDbFrontier::open(w.pool, w.job, fo);
  EXPECT_TRUE(f.ok()) << f.status();
  co_return *std::move(f);
}

Coro<Claim> claim(MariaDbFrontier& f, size_t n) {
  absl::StatusOr<Claim> c = co_await f.claim(n, any);
  EXPECT_TRUE(c.ok()) << c.status();
  co_return c.ok() ? *std::move(c) : Claim{};
}

Coro<void> ok(Coro<absl::Status> c) {
  absl::Status s = co_await std::move(c);
  EXPECT_TRUE(s.ok()) << s;
}

// (GCC 12 trap, STYLE.md: no braced lists or temporaries inside co_await:
// these take the values built before.)
Coro<void> add(MariaDbFrontier& f, std::vector<Link> l) {
  absl::Status s = co_await f.add(std::move(l));
  EXPECT_TRUE(s.ok()) << s;
}

Coro<void> complete(MariaDbFrontier& f, Lease l, Completion c) {
  absl::Status s = co_await f.complete(std::move(l), std::move(c));
  EXPECT_TRUE(s.ok()) << s;
}

Coro<int64_t> count(db::Pool& pool, std::string sql) {
  absl::StatusOr<db::ResultSet> rs = co_await pool.query(sql);
  EXPECT_TRUE(rs.ok()) << rs.status();
  if (!rs.ok() || rs->empty()) co_return -1;
  co_return (*rs)[0].get<int64_t>(0).value_or(-1);
}

// How many of the job's URLs are in `state`.
Coro<int64_t> urls_in(db::Pool& pool, std::string state) {
  co_return co_await count(
      pool, "SELECT COUNT(*) FROM crawl_urls WHERE state = '" + state + "'");
}

Completion fetched(std::vector<Link> found = {},
                   std::vector<Record> records = {}) {
  Completion c;
  c.outcome = PageOutcome::kFetched;
  c.links = std::move(found);
  c.records = std::move(records);
  return c;
}

Options job_options() {
  Options o;
  o.start_urls = {u("/")};
  o.max_depth = -1;
  return o;
}

MariaDbFrontierOptions fopts(int per_host = 8) {
  MariaDbFrontierOptions fo;
  fo.per_host = per_host;
  fo.background = false;
  return fo;
}

// ---------------------------------------------------------------------------

Coro<void> claim_complete_release(db::Options opts) {
  auto w = co_await world(opts, job_options());
  auto f = co_await frontier(*w, fopts());
  {
    std::vector<Link> v = links({"/"}, 0);
    co_await add(*f, std::move(v));
  }
  Claim c = co_await claim(*f, 64);
  CO_ASSERT_EQ(urls(c), std::vector<std::string>{u("/")});
  EXPECT_EQ(c.leases[0].link.depth, 0);
  EXPECT_FALSE(c.finished);
  EXPECT_EQ(f->stats().in_flight, 1u);
  // Its page: two records, three links (one a repeat of the page itself).
  {
    Completion page = fetched(links({"/a", "/b", "/"}, 1),
                              {record(u("/"), 0, "Home"),
                               record(u("/"), 1, "Home")});
    co_await complete(*f, c.leases[0], std::move(page));
  }
  co_await ok(f->flush());
  EXPECT_EQ(co_await count(w->pool, "SELECT COUNT(*) FROM titles"), 2);
  EXPECT_EQ(co_await urls_in(w->pool, "done"), 1);
  // Breadth-first: both depth-1 links, in discovery order.
  Claim d = co_await claim(*f, 64);
  EXPECT_EQ(urls(d), (std::vector<std::string>{u("/a"), u("/b")}));
  // Released: queued again, claimable again.
  for (const Lease& l : d.leases) co_await ok(f->release(l));
  EXPECT_EQ(co_await urls_in(w->pool, "queued"), 2);
  Claim e = co_await claim(*f, 1);
  EXPECT_EQ(e.leases.size(), 1u);
  // A lease completed twice or unknown is an error, not a crash.
  absl::Status twice = co_await f->release(d.leases[0]);
  EXPECT_FALSE(twice.ok());
  for (const Lease& l : e.leases) co_await ok(f->complete(l, fetched()));
  Claim g = co_await claim(*f, 64);
  CO_ASSERT_EQ(g.leases.size(), 1u);
  co_await ok(f->complete(g.leases[0], fetched()));
  Claim h = co_await claim(*f, 64);
  EXPECT_TRUE(h.leases.empty());
  EXPECT_TRUE(h.finished);
  co_await ok(f->close());
  absl::StatusOr<uint64_t> left = co_await f->left();
  EXPECT_EQ(left.value_or(99), 0u);
}

TEST(MariaDbFrontierTest, ClaimCompleteReleaseAndTheCrawlEnds) {
  aio::run(claim_complete_release(MariaDbServer::shared().fresh_database()));
}

Coro<void> per_origin_cap(db::Options opts) {
  auto w = co_await world(opts, job_options());
  auto a = co_await frontier(*w, fopts(3));
  auto b = co_await frontier(*w, fopts(3));
  std::vector<std::string> paths;
  for (int i = 0; i < 10; ++i) paths.push_back("/p" + std::to_string(i));
  co_await ok(a->add(links(paths, 0)));
  {
    std::vector<Link> v = {Link{"http://other.test/x", 0, 0}};
    co_await add(*a, std::move(v));
  }
  Claim ca = co_await claim(*a, 64);
  // Two live workers share --per_host=3: A's share is 2 of site.test's
  // turns (ceil(3 / 2)), plus the one URL of other.test.
  int site = 0;
  for (const Lease& l : ca.leases) site += l.link.url.starts_with(kSite);
  EXPECT_EQ(site, 2);
  EXPECT_EQ(ca.leases.size(), 3u);
  // B gets the one turn left: never more than 3 over both. (A claimed
  // /p2 and /p3 ahead, one more each of its turns.)
  Claim cb = co_await claim(*b, 64);
  EXPECT_EQ(urls(cb), std::vector<std::string>{u("/p4")});
  Claim cb_more = co_await claim(*b, 64);
  EXPECT_TRUE(cb_more.leases.empty()) << urls(cb_more)[0];
  EXPECT_FALSE(cb_more.finished);
  // A worker never takes more than its share, even with turns free.
  Claim ca_more = co_await claim(*a, 64);
  EXPECT_TRUE(ca_more.leases.empty()) << urls(ca_more)[0];
  // One of A's pages done: A keeps the turn for a URL it claimed ahead
  // (handed out with no round trip), so B still has none.
  std::vector<Lease> a_site;
  for (const Lease& l : ca.leases) {
    if (l.link.url.starts_with(kSite)) a_site.push_back(l);
  }
  CO_ASSERT_EQ(a_site.size(), 2u);
  co_await ok(a->complete(a_site[0], fetched()));
  co_await ok(a->flush());
  Claim ca2 = co_await claim(*a, 64);
  EXPECT_EQ(urls(ca2), std::vector<std::string>{u("/p2")});
  Claim cb2 = co_await claim(*b, 64);
  EXPECT_TRUE(cb2.leases.empty()) << urls(cb2)[0];
  // A stops: what it claimed ahead is queued again, its turns are free, and
  // B (one below its share of 2) takes one.
  co_await ok(a->release(a_site[1]));
  for (const Lease& l : ca2.leases) co_await ok(a->release(l));
  co_await ok(a->close());
  EXPECT_EQ(co_await count(w->pool,
                           "SELECT COUNT(*) FROM crawl_inflight WHERE n > 0"
                           " AND worker_id <> '" + b->worker_id() + "'"),
            0);
  Claim cb3 = co_await claim(*b, 64);
  EXPECT_EQ(cb3.leases.size(), 1u);
  co_await ok(b->close());
}

TEST(MariaDbFrontierTest, PerHostCapHoldsOverTwoWorkers) {
  aio::run(per_origin_cap(MariaDbServer::shared().fresh_database()));
}

// With several workers each has a share of an origin's turns only (here 1
// of --per_host=2). While the origin has plenty queued (100 URLs), a claim
// leases up to 48 URLs ahead beyond those turns, so claims stay few and
// big; with few queued (5), the claim's read comes back short and each
// worker leases only its turns' worth ahead (1 to send, 1 ahead), leaving
// the rest to the others. Either way the turns bound what is sent.
Coro<int64_t> leased_by(db::Pool& pool, const MariaDbFrontier& f) {
  co_return co_await count(pool,
                           "SELECT COUNT(*) FROM crawl_urls WHERE state = "
                           "'leased' AND lease_owner = '" +
                               f.worker_id() + "'");
}

Coro<void> claims_ahead(db::Options opts, int queued, int64_t ahead) {
  auto w = co_await world(opts, job_options());
  auto a = co_await frontier(*w, fopts(2));
  auto b = co_await frontier(*w, fopts(2));
  std::vector<std::string> paths;
  for (int i = 0; i < queued; ++i) paths.push_back("/p" + std::to_string(i));
  co_await ok(a->add(links(paths, 0)));
  Claim ca = co_await claim(*a, 64);
  EXPECT_EQ(ca.leases.size(), 1u);  // A's one turn
  EXPECT_EQ(co_await leased_by(w->pool, *a), 1 + ahead);
  Claim cb = co_await claim(*b, 64);
  EXPECT_EQ(cb.leases.size(), 1u);
  EXPECT_EQ(co_await leased_by(w->pool, *b), 1 + ahead);
  // The turns bound what is sent: no more for A while its page runs.
  Claim ca_more = co_await claim(*a, 64);
  EXPECT_TRUE(ca_more.leases.empty()) << urls(ca_more)[0];
  EXPECT_EQ(co_await urls_in(w->pool, "queued"), queued - 2 * (1 + ahead));
  // Closing queues again what each claimed ahead (the two pages handed
  // out stay leased until the engine ends them).
  co_await ok(a->close());
  co_await ok(b->close());
  EXPECT_EQ(co_await urls_in(w->pool, "queued"), queued - 2);
}

TEST(MariaDbFrontierTest, ClaimsLeaseOnlyTheTurnsAheadWhenFewAreQueued) {
  aio::run(claims_ahead(MariaDbServer::shared().fresh_database(), 5, 1));
}

TEST(MariaDbFrontierTest, ClaimsLeaseWideAheadWhileAnOriginHasPlenty) {
  aio::run(claims_ahead(MariaDbServer::shared().fresh_database(), 300, 112));
}

// A claim held back by the worker's share while URLs are queued leaves its
// pending completions to their batch (commit_delay); only a claim that finds
// nothing queued hurries them (their links may be all that is left).
Coro<void> held_back_claims_let_batches_grow(db::Options opts) {
  auto w = co_await world(opts, job_options());
  MariaDbFrontierOptions fo = fopts(4);
  fo.commit_delay = std::chrono::minutes(1);
  auto a = co_await frontier(*w, fo);
  auto b = co_await frontier(*w, fo);
  std::vector<std::string> paths;
  for (int i = 0; i < 6; ++i) paths.push_back("/p" + std::to_string(i));
  co_await ok(a->add(links(paths, 0)));
  Claim first = co_await claim(*a, 64);  // A's share: 2 of the 4 turns
  CO_ASSERT_EQ(first.leases.size(), 2u);
  co_await ok(a->complete(first.leases[0], fetched()));
  Claim refill = co_await claim(*a, 64);  // the turn that ended
  EXPECT_EQ(refill.leases.size(), 1u);
  Claim held = co_await claim(*a, 64);  // share used: nothing, not finished
  EXPECT_TRUE(held.leases.empty());
  EXPECT_FALSE(held.finished);
  EXPECT_EQ(co_await urls_in(w->pool, "done"), 0);  // still in its batch
  co_await ok(a->flush());
  EXPECT_EQ(co_await urls_in(w->pool, "done"), 1);
  // With nothing queued (B takes the rest), an empty claim commits what is
  // pending before it says so.
  Claim rest = co_await claim(*b, 64);
  EXPECT_EQ(rest.leases.size(), 2u);
  co_await ok(a->complete(first.leases[1], fetched()));
  std::vector<Lease> more = rest.leases;
  for (const Lease& l : more) co_await ok(b->release(l));
  Claim all = co_await claim(*b, 64);  // B's share again
  EXPECT_EQ(all.leases.size(), 2u);
  co_await ok(a->complete(refill.leases[0], fetched()));
  Claim last = co_await claim(*a, 64);  // the last queued URL
  EXPECT_EQ(last.leases.size(), 1u);
  co_await ok(a->complete(last.leases[0], fetched()));
  Claim empty = co_await claim(*a, 64);
  EXPECT_TRUE(empty.leases.empty());
  EXPECT_EQ(co_await urls_in(w->pool, "done"), 4);  // committed by the claim
  for (const Lease& l : all.leases) co_await ok(b->complete(l, fetched()));
  co_await ok(a->close());
  co_await ok(b->close());
  EXPECT_EQ(co_await urls_in(w->pool, "done"), 6);
}

// A claim that finds nothing queued while another worker's leases are in
// flight (their pages' links come with that worker's commits) makes the
// next claim wait: 10 ms, doubling up to 80 ms. The worker does not run a
// claim transaction after each of its own pages; the first claim that
// leases something ends the waits.
Coro<void> starved_claims_back_off(db::Options opts) {
  auto w = co_await world(opts, job_options());
  auto a = co_await frontier(*w, fopts(8));
  auto b = co_await frontier(*w, fopts(8));
  {
    std::vector<Link> v = links({"/s1", "/s2"}, 0);
    co_await add(*a, std::move(v));
  }
  Claim ca = co_await claim(*a, 64);
  CO_ASSERT_EQ(ca.leases.size(), 2u);
  const uint64_t before = b->claim_transactions();
  EventLoop& loop = get_event_loop();
  const TimePoint start = loop.time();
  int calls = 0;
  while (loop.time() - start < std::chrono::milliseconds(300)) {
    Claim cb = co_await claim(*b, 64);
    EXPECT_TRUE(cb.leases.empty());
    EXPECT_FALSE(cb.finished);  // A's pages are in flight
    ++calls;
  }
  // Waits of 10, 20, 40, 80, 80 ... ms: claims start at 0, 10, 30, 70,
  // 150, 230 and 310 ms, so at most 7 transactions for the calls begun
  // within 300 ms (one per call: the waits are in claim()).
  const uint64_t ran = b->claim_transactions() - before;
  EXPECT_EQ(ran, static_cast<uint64_t>(calls));
  EXPECT_LE(ran, 7u);
  EXPECT_GE(ran, 1u);
  // A's page ends with a link: B's next claim (after its wait) takes it,
  // and the one after that runs at once.
  {
    Completion page = fetched(links({"/s3"}, 1));
    co_await complete(*a, ca.leases[0], std::move(page));
  }
  co_await ok(a->flush());
  Claim got = co_await claim(*b, 64);
  {
    std::vector<std::string> want = {u("/s3")};
    CO_ASSERT_EQ(urls(got), want);
  }
  const TimePoint after = loop.time();
  co_await ok(b->complete(got.leases[0], fetched()));
  Claim again = co_await claim(*b, 64);
  EXPECT_TRUE(again.leases.empty());
  EXPECT_LT(loop.time() - after, std::chrono::milliseconds(80));
  co_await complete(*a, ca.leases[1], fetched());
  co_await ok(a->close());
  co_await ok(b->close());
  EXPECT_EQ(co_await urls_in(w->pool, "done"), 3);
}

TEST(MariaDbFrontierTest, ClaimsThatFindNothingWhileOthersWorkBackOff) {
  aio::run(starved_claims_back_off(MariaDbServer::shared().fresh_database()));
}

TEST(MariaDbFrontierTest, HeldBackClaimsLetCompletionBatchesGrow) {
  aio::run(held_back_claims_let_batches_grow(
      MariaDbServer::shared().fresh_database()));
}

Coro<void> budget(db::Options opts) {
  Options o = job_options();
  o.max_pages = 5;
  auto w = co_await world(opts, o);
  auto a = co_await frontier(*w, fopts(100));
  auto b = co_await frontier(*w, fopts(100));
  std::vector<std::string> paths;
  for (int i = 0; i < 20; ++i) paths.push_back("/p" + std::to_string(i));
  co_await ok(a->add(links(paths, 0)));
  // A hands out 3 and claims the other 2 of the budget ahead: B gets none.
  Claim ca = co_await claim(*a, 3);
  Claim cb = co_await claim(*b, 64);
  EXPECT_EQ(ca.leases.size(), 3u);
  EXPECT_TRUE(cb.leases.empty());
  EXPECT_FALSE(cb.finished);  // leases outstanding
  Claim ahead = co_await claim(*a, 64);  // from what A claimed ahead
  EXPECT_EQ(ahead.leases.size(), 2u);
  // A skipped page (robots) gives its slot back; a released one too.
  Completion skipped;
  skipped.outcome = PageOutcome::kSkipped;
  co_await ok(a->complete(ca.leases[0], skipped));
  co_await ok(a->flush());
  Claim more = co_await claim(*b, 64);
  CO_ASSERT_EQ(more.leases.size(), 1u);
  co_await ok(b->release(more.leases[0]));
  Claim again = co_await claim(*b, 64);
  EXPECT_EQ(again.leases.size(), 1u);
  Claim none = co_await claim(*a, 64);
  EXPECT_TRUE(none.leases.empty());
  for (size_t i = 1; i < ca.leases.size(); ++i) {
    co_await ok(a->complete(ca.leases[i], fetched()));
  }
  for (const Lease& l : ahead.leases) co_await ok(a->complete(l, fetched()));
  for (const Lease& l : again.leases) co_await ok(b->complete(l, fetched()));
  co_await ok(a->flush());
  co_await ok(b->flush());
  Claim fa = co_await claim(*a, 64);
  Claim fb = co_await claim(*b, 64);
  EXPECT_TRUE(fa.finished);
  EXPECT_TRUE(fb.finished);
  // Exactly five pages fetched over both workers.
  EXPECT_EQ(co_await urls_in(w->pool, "done"), 5);
  EXPECT_EQ(co_await count(w->pool, "SELECT budget_used FROM crawl_jobs"), 5);
  co_await ok(a->close());
  co_await ok(b->close());
  // The counts close() makes (for the summary), told apart: the budget,
  // and the 14 URLs left (of 20: 5 done, 1 skipped).
  EXPECT_EQ(a->stats().budget_used, 5u);
  EXPECT_EQ(b->stats().budget_used, 5u);
  EXPECT_EQ((co_await a->left()).value_or(0), 14u);
}

TEST(MariaDbFrontierTest, PageBudgetIsExactOverTwoWorkers) {
  aio::run(budget(MariaDbServer::shared().fresh_database()));
}

Coro<void> depth_and_dedup(db::Options opts) {
  auto w = co_await world(opts, job_options());
  MariaDbFrontierOptions fo = fopts();
  fo.limits.max_depth = 1;
  auto a = co_await frontier(*w, fo);
  auto b = co_await frontier(*w, fo);
  // One page each (A would claim a second one ahead).
  {
    std::vector<Link> v = links({"/x"}, 0);
    co_await add(*a, std::move(v));
  }
  Claim ca = co_await claim(*a, 1);
  {
    std::vector<Link> v = links({"/y"}, 0);
    co_await add(*b, std::move(v));
  }
  Claim cb = co_await claim(*b, 1);
  CO_ASSERT_EQ(ca.leases.size(), 1u);
  CO_ASSERT_EQ(cb.leases.size(), 1u);
  // Both pages link to /shared (twice on one page); /deep is too deep.
  std::vector<Link> found = links({"/shared", "/shared", "/only-a"}, 1);
  found.push_back(Link{u("/deep"), 2, 0});
  co_await ok(a->complete(ca.leases[0], fetched(found)));
  {
    Completion page = fetched(links({"/shared"}, 1));
    co_await complete(*b, cb.leases[0], std::move(page));
  }
  co_await ok(a->flush());
  co_await ok(b->flush());
  EXPECT_EQ(co_await count(w->pool,
                           "SELECT COUNT(*) FROM crawl_urls WHERE url LIKE "
                           "'%/shared'"),
            1);
  EXPECT_EQ(co_await count(w->pool,
                           "SELECT COUNT(*) FROM crawl_urls WHERE url LIKE "
                           "'%/deep'"),
            0);
  EXPECT_EQ(a->stats().too_deep, 1u);
  EXPECT_EQ(co_await count(w->pool, "SELECT COUNT(*) FROM crawl_urls"), 4);
  Claim rest = co_await claim(*a, 64);
  EXPECT_EQ(rest.leases.size(), 2u);
  for (const Lease& l : rest.leases) {
    EXPECT_EQ(l.link.depth, 1);
    co_await ok(a->complete(l, fetched()));
  }
  co_await ok(a->close());
  co_await ok(b->close());
}

TEST(MariaDbFrontierTest, DepthLimitAndOneRowPerUrlOverTwoWorkers) {
  aio::run(depth_and_dedup(MariaDbServer::shared().fresh_database()));
}

// A's lease expires and B takes it over; A comes back late. With
// `registered_again`, A's heartbeat registers it again before its late
// completion: its crawl_workers row stands again, and the lease from before
// the takeover is still fenced off (a commit trusts the done marks without
// reading them back only for leases of the worker's current incarnation).
// Either way A's next lease, claimed afterwards, takes.
Coro<void> takeover(db::Options opts, bool registered_again) {
  auto w = co_await world(opts, job_options());
  MariaDbFrontierOptions fo = fopts();
  fo.lease = std::chrono::milliseconds(300);
  auto a = co_await frontier(*w, fo);  // the worker that "dies"
  auto b = co_await frontier(*w, fo);
  {
    std::vector<Link> v = links({"/slow"}, 0);
    co_await add(*a, std::move(v));
  }
  Claim ca = co_await claim(*a, 64);
  CO_ASSERT_EQ(ca.leases.size(), 1u);
  // Before the lease ends, nothing is taken over.
  co_await ok(b->maintain_once());
  EXPECT_EQ(b->expired_taken_over(), 0u);
  EXPECT_TRUE((co_await claim(*b, 64)).leases.empty());
  co_await aio::sleep(std::chrono::milliseconds(600));
  co_await ok(b->maintain_once());
  EXPECT_EQ(b->expired_taken_over(), 1u);
  // A's heartbeat row and its requests-in-flight row went with its leases.
  EXPECT_EQ(co_await count(w->pool, "SELECT COUNT(*) FROM crawl_workers"), 1);
  EXPECT_EQ(co_await count(w->pool, "SELECT COUNT(*) FROM crawl_inflight"), 0);
  if (registered_again) {
    co_await ok(a->maintain_once());  // finds its row gone: registers again
    EXPECT_EQ(co_await count(w->pool, "SELECT COUNT(*) FROM crawl_workers"),
              2);
  }
  Claim cb = co_await claim(*b, 64);
  CO_ASSERT_EQ(urls(cb), std::vector<std::string>{u("/slow")});
  // A comes back late: its completion is fenced off, nothing of it stored.
  {
    Completion page =
        fetched(links({"/from-a"}, 1), {record(u("/slow"), 0, "A")});
    co_await complete(*a, ca.leases[0], std::move(page));
  }
  co_await ok(a->flush());
  EXPECT_EQ(a->taken_over(), 1u);
  // No record and no done mark of A's; its links (found on a real fetch)
  // are queued like any link.
  EXPECT_EQ(co_await count(w->pool, "SELECT COUNT(*) FROM titles"), 0);
  EXPECT_EQ(co_await urls_in(w->pool, "done"), 0);
  // B's completion is the one that counts.
  {
    Completion page = fetched({}, {record(u("/slow"), 0, "B")});
    co_await complete(*b, cb.leases[0], std::move(page));
  }
  co_await ok(b->flush());
  if (!registered_again) {
    // A's next heartbeat finds its row gone and registers again.
    co_await ok(a->maintain_once());
    EXPECT_EQ(co_await count(w->pool, "SELECT COUNT(*) FROM crawl_workers"),
              2);
  }
  absl::StatusOr<db::ResultSet> t = co_await w->pool.query("SELECT title FROM titles");
  CO_ASSERT_TRUE(t.ok());
  CO_ASSERT_EQ(t->size(), 1u);
  EXPECT_EQ((*t)[0].get<std::string>(0).value_or(""), "B");
  EXPECT_EQ(b->taken_over(), 0u);
  // A's lease claimed after it registered again takes.
  Claim ca2 = co_await claim(*a, 64);
  CO_ASSERT_EQ(urls(ca2), std::vector<std::string>{u("/from-a")});
  {
    Completion page = fetched({}, {record(u("/from-a"), 0, "A2")});
    co_await complete(*a, ca2.leases[0], std::move(page));
  }
  co_await ok(a->flush());
  EXPECT_EQ(a->taken_over(), 1u);
  EXPECT_EQ(co_await urls_in(w->pool, "done"), 2);
  EXPECT_EQ(co_await count(w->pool, "SELECT COUNT(*) FROM titles"), 2);
  co_await ok(a->close());
  co_await ok(b->close());
}

TEST(MariaDbFrontierTest, ExpiredLeaseIsTakenOverAndTheLateCompletionStoresNothing) {
  aio::run(takeover(MariaDbServer::shared().fresh_database(), false));
}

// A takeover reads the job's unfinished URLs only (through the claim index),
// not every URL the job ever had: with 2,000 finished ones, queuing a dead
// worker's lease again reads a handful of index entries.
Coro<void> takeover_reads_unfinished_only(db::Options opts) {
  auto w = co_await world(opts, job_options());
  MariaDbFrontierOptions fo = fopts();
  fo.lease = std::chrono::milliseconds(300);
  auto a = co_await frontier(*w, fo);
  auto b = co_await frontier(*w, fo);
  {
    std::vector<Link> v = links({"/slow"}, 0);
    co_await add(*a, std::move(v));
  }
  Claim ca = co_await claim(*a, 64);
  CO_ASSERT_EQ(ca.leases.size(), 1u);
  const std::string done =
      absl::StrCat("INSERT INTO crawl_urls (job_id, url_hash, url, origin_id,"
                   " depth, redirects, seq, state)"
                   " SELECT ", w->job.id, ", UNHEX(SHA2(CONCAT('", u("/done"),
                   "', seq), 256)), CONCAT('", u("/done"), "', seq),"
                   " (SELECT id FROM crawl_origins), 1, 0, seq, 'done'"
                   " FROM seq_1_to_2000");
  absl::StatusOr<db::ExecResult> made = co_await w->pool.execute(done);
  EXPECT_TRUE(made.ok()) << made.status();
  CO_ASSERT_TRUE(made.ok());
  co_await aio::sleep(std::chrono::milliseconds(600));
  const std::string reads =
      "SELECT CAST(VARIABLE_VALUE AS SIGNED) FROM"
      " information_schema.GLOBAL_STATUS"
      " WHERE VARIABLE_NAME = 'HANDLER_READ_NEXT'";
  const int64_t before = co_await count(w->pool, reads);
  co_await ok(b->maintain_once());
  const int64_t after = co_await count(w->pool, reads);
  EXPECT_EQ(b->expired_taken_over(), 1u);
  EXPECT_LT(after - before, 100);  // was 2,001: the job's every row
  EXPECT_EQ(co_await urls_in(w->pool, "queued"), 1);
  co_await ok(a->close());
  co_await ok(b->close());
}

TEST(MariaDbFrontierTest, TakeoverReadsOnlyTheJobsUnfinishedUrls) {
  aio::run(takeover_reads_unfinished_only(
      MariaDbServer::shared().fresh_database()));
}

TEST(MariaDbFrontierTest, LateCompletionAfterRegisteringAgainStoresNothing) {
  aio::run(takeover(MariaDbServer::shared().fresh_database(), true));
}

// A URL a worker claimed is stored (another worker sent it): the worker's
// seen-cache holds it, so a link to it found later is not sent again. A
// link to a URL it never saw is.
Coro<void> claimed_urls_are_seen(db::Options opts) {
  auto w = co_await world(opts, job_options());
  auto a = co_await frontier(*w, fopts());
  auto b = co_await frontier(*w, fopts());
  {
    std::vector<Link> v = links({"/x", "/y"}, 0);
    co_await add(*a, std::move(v));
  }
  Claim cb = co_await claim(*b, 64);
  CO_ASSERT_EQ(cb.leases.size(), 2u);
  const uint64_t sent = b->stats().seen;
  {
    Completion page = fetched(links({"/y", "/z"}, 1));
    co_await complete(*b, cb.leases[0], std::move(page));
  }
  co_await ok(b->flush());
  EXPECT_EQ(b->stats().seen, sent + 1);  // /z only
  EXPECT_EQ(co_await count(w->pool, "SELECT COUNT(*) FROM crawl_urls"), 3);
  co_await ok(b->release(cb.leases[1]));
  co_await ok(a->close());
  co_await ok(b->close());
}

TEST(MariaDbFrontierTest, UrlsClaimedAreNotSentAgainAsLinks) {
  aio::run(claimed_urls_are_seen(MariaDbServer::shared().fresh_database()));
}

// With two workers on the job, a commit first reads what the other worker
// stored (stored_lag 0: up to now): links to those URLs are not sent again
// unless found at a smaller depth (then the queued row takes it).
Coro<void> stored_links_are_read(db::Options opts) {
  auto w = co_await world(opts, job_options());
  MariaDbFrontierOptions fo = fopts();
  fo.stored_lag = Duration::zero();
  auto a = co_await frontier(*w, fo);
  auto b = co_await frontier(*w, fo);
  // One page for A, then two for B (a claim takes all it can ahead); the
  // claims count two live workers.
  {
    std::vector<Link> v = links({"/a"}, 0);
    co_await add(*a, std::move(v));
  }
  Claim ca = co_await claim(*a, 1);
  {
    std::vector<Link> v = links({"/b1", "/b2"}, 0);
    co_await add(*b, std::move(v));
  }
  Claim cb = co_await claim(*b, 2);
  CO_ASSERT_EQ(ca.leases.size(), 1u);
  CO_ASSERT_EQ(cb.leases.size(), 2u);
  {
    std::vector<Link> found = links({"/s"}, 1);
    found.push_back(Link{u("/d"), 3, 0});
    Completion page = fetched(std::move(found));
    co_await complete(*a, ca.leases[0], std::move(page));
  }
  co_await ok(a->flush());
  const uint64_t sent = b->stats().seen;
  {
    // /s at the same depth and deeper: not sent; /d shallower: sent; /t
    // new: sent.
    std::vector<Link> found = links({"/s", "/t"}, 1);
    found.push_back(Link{u("/s"), 2, 0});
    found.push_back(Link{u("/d"), 2, 0});
    Completion page = fetched(std::move(found));
    co_await complete(*b, cb.leases[0], std::move(page));
  }
  co_await ok(b->flush());
  EXPECT_EQ(b->stats().seen, sent + 2);  // /d and /t
  EXPECT_EQ(co_await count(w->pool, "SELECT depth FROM crawl_urls WHERE url "
                                    "LIKE '%/d'"),
            2);
  EXPECT_EQ(co_await count(w->pool, "SELECT COUNT(*) FROM crawl_urls"), 6);
  {
    // Known now at depth 2 (sent by b itself): deeper is not sent again.
    std::vector<Link> found;
    found.push_back(Link{u("/d"), 3, 0});
    Completion page = fetched(std::move(found));
    co_await complete(*b, cb.leases[1], std::move(page));
  }
  co_await ok(b->flush());
  EXPECT_EQ(b->stats().seen, sent + 2);
  co_await ok(a->close());
  co_await ok(b->close());
}

TEST(MariaDbFrontierTest, UrlsOtherWorkersStoredAreNotSentAgainUnlessShallower) {
  aio::run(stored_links_are_read(MariaDbServer::shared().fresh_database()));
}

// A seen-cache of 0 remembers nothing for long: every link found is sent,
// and the table still holds each URL once.
Coro<void> no_seen_cache(db::Options opts) {
  auto w = co_await world(opts, job_options());
  MariaDbFrontierOptions fo = fopts();
  fo.seen_cache = 0;
  auto a = co_await frontier(*w, fo);
  {
    std::vector<Link> v = links({"/p", "/q"}, 0);
    co_await add(*a, std::move(v));
  }
  Claim c = co_await claim(*a, 2);
  CO_ASSERT_EQ(c.leases.size(), 2u);
  const uint64_t sent = a->stats().seen;
  for (const Lease& l : c.leases) {
    Completion page = fetched(links({"/r", "/s"}, 1));
    co_await complete(*a, l, std::move(page));
  }
  co_await ok(a->flush());
  EXPECT_EQ(a->stats().seen, sent + 4);  // both links, from both pages
  EXPECT_EQ(co_await count(w->pool, "SELECT COUNT(*) FROM crawl_urls"), 4);
  co_await ok(a->close());
}

TEST(MariaDbFrontierTest, SeenCacheOfZeroSendsEveryLinkAndStoresEachOnce) {
  aio::run(no_seen_cache(MariaDbServer::shared().fresh_database()));
}

// A claim reads an origin's queue from where the last claim stopped (its
// cursor); URLs that reach the queue behind it — found at a smaller depth,
// or handed back — are still claimed.
Coro<void> cursor(db::Options opts) {
  auto w = co_await world(opts, job_options());
  auto a = co_await frontier(*w, fopts(8));
  {
    std::vector<Link> v = links({"/a1", "/a2", "/a3"}, 2);
    co_await add(*a, std::move(v));
  }
  Claim c1 = co_await claim(*a, 2);
  CO_ASSERT_EQ(urls(c1), (std::vector<std::string>{u("/a1"), u("/a2")}));
  EXPECT_EQ(co_await count(w->pool, "SELECT next_depth FROM crawl_origins"), 2);
  {
    std::vector<Link> v = links({"/b"}, 1);  // behind the cursor
    co_await add(*a, std::move(v));
  }
  Claim c2 = co_await claim(*a, 8);
  std::vector<std::string> got = urls(c2);
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, (std::vector<std::string>{u("/a3"), u("/b")}));
  EXPECT_TRUE((co_await claim(*a, 8)).leases.empty());
  // Handed back: the cursor moves back to it if it is after it (here it is
  // at /b, depth 1, where the claim of /b moved it: A had leased /a3 ahead
  // with /a1 and /a2), and the next claim has it.
  co_await ok(a->release(c1.leases[0]));
  EXPECT_EQ(co_await count(w->pool, "SELECT next_depth FROM crawl_origins"), 1);
  Claim c3 = co_await claim(*a, 8);
  EXPECT_EQ(urls(c3), std::vector<std::string>{u("/a1")});
  for (const Lease& l : c2.leases) co_await ok(a->complete(l, fetched()));
  for (const Lease& l : c3.leases) co_await ok(a->complete(l, fetched()));
  co_await ok(a->complete(c1.leases[1], fetched()));
  co_await ok(a->flush());
  EXPECT_EQ(co_await urls_in(w->pool, "done"), 4);
  EXPECT_EQ(co_await count(w->pool, "SELECT CAST(COALESCE(SUM(n), 0) AS SIGNED)"
                                    " FROM crawl_inflight"),
            0);
  co_await ok(a->close());
}

// Nothing queued after the cursor, links queued behind it (a smaller
// depth): the claim reads them from the start and moves the cursor back to
// the last one it leased, so the next claims read on from there.
Coro<void> cursor_moves_back(db::Options opts) {
  auto w = co_await world(opts, job_options());
  auto a = co_await frontier(*w, fopts(8));
  {
    std::vector<Link> v = links({"/a1", "/a2"}, 2);
    co_await add(*a, std::move(v));
  }
  Claim c1 = co_await claim(*a, 8);
  CO_ASSERT_EQ(c1.leases.size(), 2u);
  const char* kCursor = "SELECT next_depth FROM crawl_origins";
  EXPECT_EQ(co_await count(w->pool, kCursor), 2);
  {
    std::vector<Link> v = links({"/b1", "/b2"}, 1);
    co_await add(*a, std::move(v));
  }
  Claim c2 = co_await claim(*a, 8);
  std::vector<std::string> got = urls(c2);
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, (std::vector<std::string>{u("/b1"), u("/b2")}));
  EXPECT_EQ(co_await count(w->pool, kCursor), 1);  // moved back
  const int64_t seq_b2 = co_await count(
      w->pool, "SELECT MAX(seq) FROM crawl_urls WHERE depth = 1");
  EXPECT_EQ(co_await count(w->pool, "SELECT next_seq FROM crawl_origins"),
            seq_b2);
  // A link found after them, at depth 1: after the cursor, claimed.
  {
    std::vector<Link> v = links({"/b3"}, 1);
    co_await add(*a, std::move(v));
  }
  Claim c3 = co_await claim(*a, 8);
  EXPECT_EQ(urls(c3), std::vector<std::string>{u("/b3")});
  for (Claim* c : {&c1, &c2, &c3}) {
    for (const Lease& l : c->leases) co_await ok(a->complete(l, fetched()));
  }
  co_await ok(a->close());
  EXPECT_EQ(co_await urls_in(w->pool, "done"), 5);
}

TEST(MariaDbFrontierTest, CursorMovesBackToUrlsQueuedBehindIt) {
  aio::run(cursor_moves_back(MariaDbServer::shared().fresh_database()));
}

TEST(MariaDbFrontierTest, UrlsQueuedBehindTheClaimCursorAreClaimed) {
  aio::run(cursor(MariaDbServer::shared().fresh_database()));
}

// A worker's turns (its crawl_inflight row, which other workers read for
// --per_host): held for the URLs it claimed ahead, even those the engine
// refused for now, and given back by flush() as its pages end.
Coro<void> in_flight_count(db::Options opts) {
  auto w = co_await world(opts, job_options());
  auto a = co_await frontier(*w, fopts(8));
  {
    std::vector<Link> v = links({"/r1", "/r2", "/r3"}, 1);
    co_await add(*a, std::move(v));
  }
  absl::StatusOr<Claim> refused = co_await a->claim(8, never);
  CO_ASSERT_TRUE(refused.ok());
  EXPECT_TRUE(refused->leases.empty());
  const std::string sum =
      "SELECT CAST(COALESCE(SUM(n), 0) AS SIGNED) FROM crawl_inflight";
  co_await ok(a->flush());
  EXPECT_EQ(co_await count(w->pool, sum), 3);
  Claim c = co_await claim(*a, 8);
  CO_ASSERT_EQ(c.leases.size(), 3u);
  EXPECT_EQ(co_await count(w->pool, sum), 3);
  co_await ok(a->complete(c.leases[0], fetched()));
  co_await ok(a->flush());
  EXPECT_EQ(co_await count(w->pool, sum), 2);
  co_await ok(a->release(c.leases[1]));
  co_await ok(a->complete(c.leases[2], fetched()));
  co_await ok(a->flush());
  EXPECT_EQ(co_await count(w->pool, sum), 0);
  co_await ok(a->close());
}

TEST(MariaDbFrontierTest, RequestsInFlightCountFollowsClaimsRefusalsAndCompletions) {
  aio::run(in_flight_count(MariaDbServer::shared().fresh_database()));
}

Coro<void> renewal(db::Options opts) {
  auto w = co_await world(opts, job_options());
  MariaDbFrontierOptions fo = fopts();
  fo.lease = std::chrono::milliseconds(300);
  fo.background = true;  // renews every 100 ms
  auto a = co_await frontier(*w, fo);
  MariaDbFrontierOptions fb = fopts();
  fb.lease = fo.lease;
  auto b = co_await frontier(*w, fb);
  {
    std::vector<Link> v = links({"/long"}, 0);
    co_await add(*a, std::move(v));
  }
  Claim ca = co_await claim(*a, 64);
  CO_ASSERT_EQ(ca.leases.size(), 1u);
  co_await aio::sleep(std::chrono::milliseconds(900));  // three leases long
  co_await ok(b->maintain_once());
  EXPECT_EQ(b->expired_taken_over(), 0u);  // a live worker keeps its lease
  co_await ok(a->complete(ca.leases[0], fetched()));
  co_await ok(a->flush());
  EXPECT_EQ(a->taken_over(), 0u);
  EXPECT_EQ(co_await count(w->pool,
                           "SELECT COUNT(*) FROM crawl_workers WHERE "
                           "last_seen > UTC_TIMESTAMP(6) - INTERVAL 1 MINUTE"),
            2);
  co_await ok(a->close());
  co_await ok(b->close());
}

// A process id that no process has (a child that has exited and been
// reaped).
pid_t dead_pid() {
  pid_t child = fork();
  if (child == 0) _exit(0);
  int status = 0;
  waitpid(child, &status, 0);
  return child;
}

Coro<void> dead_local_worker(db::Options opts) {
  auto w = co_await world(opts, job_options());
  MariaDbFrontierOptions fa = fopts();
  fa.worker_id = "killed";
  auto a = co_await frontier(*w, fa);
  MariaDbFrontierOptions fc = fopts();
  fc.worker_id = "alive";
  auto c = co_await frontier(*w, fc);
  {
    std::vector<Link> v = links({"/1", "/2"}, 0);
    co_await add(*a, std::move(v));
  }
  Claim ca = co_await claim(*a, 2);
  CO_ASSERT_EQ(ca.leases.size(), 2u);
  {
    std::vector<Link> v = links({"/3"}, 0);
    co_await add(*a, std::move(v));
  }
  Claim cc = co_await claim(*c, 1);
  CO_ASSERT_EQ(cc.leases.size(), 1u);
  // "killed" was a process of this host that is gone (kill -9); "alive" one
  // that still runs (pid 1). Their leases have not expired (--lease 60s).
  absl::StatusOr<db::ExecResult> k = co_await w->pool.execute(
      "UPDATE crawl_workers SET pid = ? WHERE worker_id = 'killed'",
      static_cast<int64_t>(dead_pid()));
  EXPECT_TRUE(k.ok()) << k.status();
  k = co_await w->pool.execute(
      "UPDATE crawl_workers SET pid = 1 WHERE worker_id = 'alive'");
  EXPECT_TRUE(k.ok()) << k.status();
  // The same command started again: the dead worker's URLs at once.
  MariaDbFrontierOptions fb = fopts();
  fb.worker_id = "restarted";
  auto b = co_await frontier(*w, fb);
  EXPECT_EQ(b->expired_taken_over(), 2u);
  Claim cb = co_await claim(*b, 64);
  std::vector<std::string> want = urls(ca);
  std::vector<std::string> got = urls(cb);
  std::sort(want.begin(), want.end());
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, want);
  EXPECT_EQ(co_await count(w->pool, "SELECT COUNT(*) FROM crawl_workers"
                                    " WHERE worker_id = 'killed'"),
            0);
  EXPECT_EQ(co_await count(w->pool, "SELECT COUNT(*) FROM crawl_urls"
                                    " WHERE lease_owner = 'alive'"),
            1);
  co_await ok(b->close());
  co_await ok(c->close());
}

TEST(MariaDbFrontierTest, DeadWorkerOfThisHostHasItsLeasesTakenOverAtOnce) {
  aio::run(dead_local_worker(MariaDbServer::shared().fresh_database()));
}

TEST(MariaDbFrontierTest, LiveWorkerRenewsItsLeases) {
  aio::run(renewal(MariaDbServer::shared().fresh_database()));
}

Coro<void> many_pages(db::Options opts) {
  // More pages than one batch, with links among them: everything committed
  // once, records exactly once.
  auto w = co_await world(opts, job_options());
  MariaDbFrontierOptions fo = fopts(1000);
  fo.commit_batch = 16;
  auto a = co_await frontier(*w, fo);
  auto b = co_await frontier(*w, fo);
  std::vector<std::string> paths;
  for (int i = 0; i < 300; ++i) paths.push_back("/n" + std::to_string(i));
  co_await ok(a->add(links(paths, 0)));
  int rounds = 0;
  for (bool done = false; !done && rounds < 100; ++rounds) {
    done = true;
    for (MariaDbFrontier* f : {a.get(), b.get()}) {
      Claim c = co_await claim(*f, 64);
      if (!c.finished) done = false;
      for (const Lease& l : c.leases) {
        std::vector<Link> found = links({"/n1", "/n2", "/n299"}, 1);
        Completion page = fetched(found, {record(l.link.url, 0, "t")});
        co_await complete(*f, l, std::move(page));
      }
    }
  }
  EXPECT_LT(rounds, 100);
  EXPECT_EQ(co_await count(w->pool, "SELECT COUNT(*) FROM titles"), 300);
  EXPECT_EQ(co_await urls_in(w->pool, "done"), 300);
  co_await ok(a->close());
  co_await ok(b->close());
}

TEST(MariaDbFrontierTest, ManyPagesOverTwoWorkersAreStoredOnce) {
  aio::run(many_pages(MariaDbServer::shared().fresh_database()));
}

Coro<void> ready_refused(db::Options opts) {
  auto w = co_await world(opts, job_options());
  auto f = co_await frontier(*w, fopts());
  {
    std::vector<Link> v = links({"/1", "/2", "/3"}, 0);
    v.push_back(Link{"http://other.test/1", 0, 0});
    v.push_back(Link{"http://other.test/2", 0, 0});
    co_await add(*f, std::move(v));
  }
  // The engine takes one URL of site.test and none of other.test now.
  int asked_site = 0, asked_other = 0;
  auto ready = [&](std::string_view o) {
    if (o == "http://other.test") {
      ++asked_other;
      return false;
    }
    return ++asked_site <= 1;
  };
  absl::StatusOr<Claim> c = co_await f->claim(64, ready);
  CO_ASSERT_TRUE(c.ok());
  EXPECT_EQ(urls(*c), std::vector<std::string>{u("/1")});
  // Asked once per lease handed out, and once more for each refusal.
  EXPECT_EQ(asked_site, 2);
  EXPECT_EQ(asked_other, 1);
  // What it refused stays claimed ahead (leased by this worker, within its
  // turns), for the next claim: no round trip to hand it back.
  EXPECT_EQ(co_await urls_in(w->pool, "queued"), 0);
  EXPECT_EQ(f->stats().in_flight, 1u);
  // Origins take turns: the next claim serves both.
  Claim d = co_await claim(*f, 2);
  CO_ASSERT_EQ(d.leases.size(), 2u);
  EXPECT_NE(d.leases[0].link.url.substr(0, 12), d.leases[1].link.url.substr(0, 12));
  // Closing queues again what was claimed ahead and never handed out;
  // the three handed out stay leased (the engine releases or completes them).
  co_await ok(f->close());
  EXPECT_EQ(co_await urls_in(w->pool, "queued"), 2);
  EXPECT_EQ(co_await urls_in(w->pool, "leased"), 3);
}

TEST(MariaDbFrontierTest, RefusedLeasesStayClaimedAheadAndOriginsTakeTurns) {
  aio::run(ready_refused(MariaDbServer::shared().fresh_database()));
}

TEST(MariaDbFrontierTest, CrashPointSpecIsParsedOrRejected) {
  auto none = parse_crash_point("");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
  auto c = parse_crash_point("commit:3");
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE(c->has_value());
  EXPECT_EQ((*c)->point, "commit");
  EXPECT_EQ((*c)->n, 3);
  EXPECT_TRUE(parse_crash_point("claim:1").ok());
  EXPECT_TRUE(parse_crash_point("committed:99999999999").ok());
  for (const char* bad : {"commit", "commit:", "commit:0", "commit:-1",
                          "fetch:1", ":1", "commit:1x",
                          "commit:99999999999999999999"}) {
    auto r = parse_crash_point(bad);
    EXPECT_FALSE(r.ok()) << bad;
    if (!r.ok()) {
      EXPECT_NE(r.status().message().find("AIO_CRAWLER_CRASH"),
                std::string::npos);
    }
  }
}

// The queued count (stats().queued) over the job: once per `every` over
// the live workers together, and never more often than 100 times its cost.
TEST(MariaDbFrontierTest, CountSpacingSharesTheIntervalAndBoundsTheCost) {
  using std::chrono::milliseconds;
  using std::chrono::seconds;
  const Duration kMax = Duration::max();
  EXPECT_EQ(count_spacing(seconds(5), 1, Duration::zero()), seconds(5));
  EXPECT_EQ(count_spacing(seconds(5), 4, milliseconds(10)), seconds(20));
  // A count that took 300 ms waits 30 s, however few workers share it.
  EXPECT_EQ(count_spacing(seconds(5), 4, milliseconds(300)), seconds(30));
  // live 0 or negative counts as one worker.
  EXPECT_EQ(count_spacing(seconds(5), 0, Duration::zero()), seconds(5));
  EXPECT_EQ(count_spacing(seconds(5), -3, Duration::zero()), seconds(5));
  // every 0: as often as the cost allows; negative durations count as 0.
  EXPECT_EQ(count_spacing(Duration::zero(), 8, Duration::zero()),
            Duration::zero());
  EXPECT_EQ(count_spacing(Duration::zero(), 8, milliseconds(2)),
            milliseconds(200));
  EXPECT_EQ(count_spacing(seconds(-5), 2, seconds(-1)), Duration::zero());
  // The maximum saturates, in every argument.
  EXPECT_EQ(count_spacing(kMax, 1, Duration::zero()), kMax);
  EXPECT_EQ(count_spacing(kMax, 2, Duration::zero()), kMax);
  EXPECT_EQ(count_spacing(seconds(5), std::numeric_limits<int64_t>::max(),
                          Duration::zero()),
            kMax);
  EXPECT_EQ(count_spacing(seconds(5), 1, kMax), kMax);
  EXPECT_EQ(count_spacing(seconds(5), 1, kMax / 50), kMax);
}

// Workers that start together count at open and not again before the
// spacing: a maintenance step right after open does not count; one after
// count_every does.
Coro<void> queued_counts(db::Options opts) {
  auto w = co_await world(opts, job_options());
  MariaDbFrontierOptions fo = fopts();
  fo.count_every = std::chrono::seconds(2);
  auto a = co_await frontier(*w, fo);
  const TimePoint opened = get_event_loop().time();
  auto b = co_await frontier(*w, fo);
  EXPECT_EQ(a->stats().queued, 0u);
  {
    std::vector<Link> v = links({"/q1", "/q2", "/q3"}, 0);
    co_await add(*b, std::move(v));
  }
  co_await ok(a->maintain_once());
  EXPECT_EQ(a->stats().queued, 0u);  // not counted again yet
  // Counted again once the spacing is over (2 s, or 100 times the count's
  // own time if that is longer, as under a sanitizer).
  while (a->stats().queued == 0 &&
         get_event_loop().time() - opened < std::chrono::seconds(20)) {
    co_await aio::sleep(std::chrono::milliseconds(100));
    co_await ok(a->maintain_once());
  }
  EXPECT_EQ(a->stats().queued, 3u);  // b's links, counted
  EXPECT_GE(get_event_loop().time() - opened, std::chrono::seconds(2));
  co_await ok(a->close());
  co_await ok(b->close());
}

TEST(MariaDbFrontierTest, QueuedCountWaitsItsSpacingAfterOpen) {
  aio::run(queued_counts(MariaDbServer::shared().fresh_database()));
}

TEST(MariaDbFrontierTest, UrlHashIsTheServersSha2) {
  // The value MariaDB computes for UNHEX(SHA2('abc', 256)).
  std::string h = url_hash("abc");
  ASSERT_EQ(h.size(), 32u);
  EXPECT_EQ(static_cast<unsigned char>(h[0]), 0xba);
  EXPECT_EQ(static_cast<unsigned char>(h[31]), 0xad);
}

// What open() says of `fo` (a frontier that opens is closed again).
Coro<absl::StatusCode> open_code(World& w, MariaDbFrontierOptions fo) {
  absl::StatusOr<std::unique_ptr<MariaDbFrontier>> r =
      co_await MariaDbFrontier::open(w.pool, w.job, fo);
  if (r.ok()) co_await ok((*r)->close());
  co_return r.status().code();
}

Coro<void> bad_options(db::Options opts) {
  auto w = co_await world(opts, job_options());
  const absl::StatusCode kBad = absl::StatusCode::kInvalidArgument;
  const absl::StatusCode kOk = absl::StatusCode::kOk;
  using std::chrono::milliseconds;
  // Each duration at 0, negative and the maximum (and per_host at 0).
  struct Case {
    const char* what;
    std::function<void(MariaDbFrontierOptions&)> set;
    absl::StatusCode want;
  };
  const std::vector<Case> cases = {
      {"lease 0", [](auto& o) { o.lease = Duration::zero(); }, kBad},
      {"lease < 0", [](auto& o) { o.lease = milliseconds(-5000); }, kBad},
      {"lease max", [](auto& o) { o.lease = Duration::max(); }, kBad},
      {"db_outage 0", [](auto& o) { o.db_outage = Duration::zero(); }, kBad},
      {"db_outage < 0", [](auto& o) { o.db_outage = milliseconds(-1); }, kBad},
      {"db_outage max", [](auto& o) { o.db_outage = Duration::max(); }, kBad},
      {"per_host 0", [](auto& o) { o.per_host = 0; }, kBad},
      {"commit_delay < 0", [](auto& o) { o.commit_delay = milliseconds(-1); },
       kBad},
      {"commit_delay max", [](auto& o) { o.commit_delay = Duration::max(); },
       kBad},
      // Commit at once: fine.
      {"commit_delay 0", [](auto& o) { o.commit_delay = Duration::zero(); },
       kOk},
      {"count_every < 0", [](auto& o) { o.count_every = milliseconds(-1); },
       kBad},
      {"count_every max", [](auto& o) { o.count_every = Duration::max(); },
       kBad},
      // Count at every background step: fine.
      {"count_every 0", [](auto& o) { o.count_every = Duration::zero(); },
       kOk},
      {"stored_lag < 0", [](auto& o) { o.stored_lag = milliseconds(-1); },
       kBad},
      {"stored_lag max", [](auto& o) { o.stored_lag = Duration::max(); },
       kBad},
      // Read what others stored up to now: fine.
      {"stored_lag 0", [](auto& o) { o.stored_lag = Duration::zero(); },
       kOk},
      // Sizes: nothing remembered for long, or never forgotten.
      {"seen_cache 0", [](auto& o) { o.seen_cache = 0; }, kOk},
      {"seen_cache max", [](auto& o) { o.seen_cache = SIZE_MAX; }, kOk},
  };
  for (const Case& c : cases) {
    MariaDbFrontierOptions fo = fopts();
    c.set(fo);
    EXPECT_EQ(co_await open_code(*w, fo), c.want) << c.what;
  }
  setenv("AIO_CRAWLER_CRASH", "nowhere:1", 1);
  const absl::StatusCode crash_spec = co_await open_code(*w, fopts());
  unsetenv("AIO_CRAWLER_CRASH");
  EXPECT_EQ(crash_spec, kBad);
  auto f = co_await frontier(*w, fopts());
  absl::StatusOr<Claim> zero = co_await f->claim(0, any);
  EXPECT_EQ(zero.status().code(), absl::StatusCode::kInvalidArgument);
  co_await ok(f->close());
}

TEST(MariaDbFrontierTest, BadDurationsCountsAndCrashSpecAreRejected) {
  aio::run(bad_options(MariaDbServer::shared().fresh_database()));
}

// The database killed while pages wait for their commit: the frontier says
// it is paused, retries, and commits everything once the server is back.
Coro<void> outage(MariaDbServer* server, db::Options opts) {
  auto w = co_await world(opts, job_options());
  MariaDbFrontierOptions fo = fopts();
  auto f = co_await frontier(*w, fo);
  {
    std::vector<Link> v = links({"/", "/2"}, 0);
    co_await add(*f, std::move(v));
  }
  Claim c = co_await claim(*f, 64);
  CO_ASSERT_EQ(c.leases.size(), 2u);
  server->kill();
  {
    Completion page = fetched(links({"/new"}, 1), {record(u("/"), 0, "T")});
    co_await complete(*f, c.leases[0], std::move(page));
  }
  co_await aio::sleep(std::chrono::milliseconds(500));
  EXPECT_TRUE(f->stats().paused.has_value());
  absl::Status up = server->restart();
  EXPECT_TRUE(up.ok()) << up;
  if (!up.ok()) co_return;
  co_await ok(f->flush());
  EXPECT_FALSE(f->stats().paused.has_value());
  co_await ok(f->complete(c.leases[1], fetched()));
  co_await ok(f->flush());
  EXPECT_EQ(co_await count(w->pool, "SELECT COUNT(*) FROM titles"), 1);
  EXPECT_EQ(co_await urls_in(w->pool, "done"), 2);
  EXPECT_EQ(co_await urls_in(w->pool, "queued"), 1);
  co_await ok(f->close());
  // Down for longer than --db_outage: the worker gives up with the reason.
  MariaDbFrontierOptions short_outage = fopts();
  short_outage.db_outage = std::chrono::milliseconds(700);
  auto g = co_await frontier(*w, short_outage);
  server->kill();
  absl::StatusOr<Claim> gone = co_await g->claim(64, any);
  EXPECT_EQ(gone.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_NE(gone.status().message().find("unreachable"), std::string::npos)
      << gone.status();
  EXPECT_NE(gone.status().message().find("--db_outage"), std::string::npos);
  EXPECT_FALSE(g->stats().paused.has_value());
  absl::Status again = co_await g->close();
  EXPECT_FALSE(again.ok());
  absl::Status up2 = server->restart();
  EXPECT_TRUE(up2.ok()) << up2;
}

TEST(MariaDbFrontierTest, DatabaseOutagePausesRetriesAndGivesUpAfterTheBound) {
  auto server = MariaDbServer::start({});
  ASSERT_TRUE(server.ok()) << server.status();
  aio::run(outage(server->get(), (*server)->fresh_database()));
}

}  // namespace
}  // namespace aio::crawler
