#include "crawler/memory_frontier.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "loop/run.h"

namespace aio::crawler {
namespace {

bool any(std::string_view) { return true; }

template <typename T>
T sync(Coro<T> c) {
  return aio::run(std::move(c));
}

std::vector<std::string> urls(const Claim& c) {
  std::vector<std::string> out;
  for (const Lease& l : c.leases) out.push_back(l.link.url);
  return out;
}

Coro<void> add(MemoryFrontier& f, std::vector<Link> links) {
  absl::Status s = co_await f.add(std::move(links));
  EXPECT_TRUE(s.ok()) << s;
}

Coro<Claim> claim(MemoryFrontier& f, size_t n,
                  Frontier::OriginReady ready = any) {
  absl::StatusOr<Claim> c = co_await f.claim(n, ready);
  EXPECT_TRUE(c.ok()) << c.status();
  co_return *std::move(c);
}

Coro<void> done(MemoryFrontier& f, Lease l, std::vector<Link> links = {},
                PageOutcome outcome = PageOutcome::kFetched) {
  Completion c;
  c.outcome = outcome;
  c.links = std::move(links);
  absl::Status s = co_await f.complete(std::move(l), std::move(c));
  EXPECT_TRUE(s.ok()) << s;
}

TEST(MemoryFrontierTest, QueuesEachUrlOnceInDiscoveryOrder) {
  sync([]() -> Coro<void> {
    MemoryFrontier f;
    {
      std::vector<Link> links = {{"http://a/1"}, {"http://a/2"}, {"http://a/1"}};
      co_await add(f, std::move(links));
    }
    Claim c = co_await claim(f, 10);
    EXPECT_EQ(urls(c), (std::vector<std::string>{"http://a/1", "http://a/2"}));
    EXPECT_FALSE(c.finished);  // two in flight
    {
      std::vector<Link> links = {{"http://a/2", 1}, {"http://a/3", 1}};
      co_await done(f, c.leases[0], std::move(links));
    }
    {
      std::vector<Link> links = {{"http://a/1", 1}};
      co_await done(f, c.leases[1], std::move(links));
    }
    Claim d = co_await claim(f, 10);
    EXPECT_EQ(urls(d), (std::vector<std::string>{"http://a/3"}));
    EXPECT_EQ(d.leases[0].link.depth, 1);
    co_await done(f, d.leases[0]);
    Claim e = co_await claim(f, 10);
    EXPECT_TRUE(e.leases.empty());
    EXPECT_TRUE(e.finished);
    EXPECT_EQ(f.stats().seen, 3u);
    EXPECT_EQ(f.stats().done, 3u);
  }());
}

TEST(MemoryFrontierTest, TooDeepLinksAreDroppedButNotMarkedSeen) {
  sync([]() -> Coro<void> {
    MemoryFrontier f(FrontierLimits{.max_depth = 1});
    {
      std::vector<Link> links = {{"http://a/deep", 2}};
      co_await add(f, std::move(links));
    }
    EXPECT_EQ(f.stats().too_deep, 1u);
    EXPECT_EQ(f.stats().seen, 0u);
    {
      std::vector<Link> links = {{"http://a/deep", 1}};
      co_await add(f, std::move(links));
    }  // a shallower path
    Claim c = co_await claim(f, 10);
    EXPECT_EQ(urls(c), (std::vector<std::string>{"http://a/deep"}));
  }());
}

TEST(MemoryFrontierTest, RediscoveryAtSmallerDepthWhileQueuedKeepsTheSmaller) {
  sync([]() -> Coro<void> {
    MemoryFrontier f;
    {
      std::vector<Link> links = {{"http://a/x", 5}};
      co_await add(f, std::move(links));
    }
    {
      std::vector<Link> links = {{"http://a/x", 2}};
      co_await add(f, std::move(links));
    }
    {
      std::vector<Link> links = {{"http://a/x", 4}};
      co_await add(f, std::move(links));
    }
    Claim c = co_await claim(f, 1);
    EXPECT_EQ(c.leases.at(0).link.depth, 2);
  }());
}

TEST(MemoryFrontierTest, BudgetIsHardAndSkippedPagesGiveTheirSlotBack) {
  sync([]() -> Coro<void> {
    MemoryFrontier f(FrontierLimits{.max_pages = 2});
    {
      std::vector<Link> links = {{"http://a/1"}, {"http://a/2"}, {"http://a/3"}};
      co_await add(f, std::move(links));
    }
    Claim c = co_await claim(f, 10);
    EXPECT_EQ(c.leases.size(), 2u);
    Claim none = co_await claim(f, 10);
    EXPECT_TRUE(none.leases.empty());
    EXPECT_FALSE(none.finished);  // in flight may still give slots back
    co_await done(f, c.leases[0], std::vector<Link>(), PageOutcome::kSkipped);
    Claim third = co_await claim(f, 10);
    EXPECT_EQ(urls(third), (std::vector<std::string>{"http://a/3"}));
    co_await done(f, c.leases[1]);
    co_await done(f, third.leases[0]);
    Claim end = co_await claim(f, 10);
    EXPECT_TRUE(end.finished);
    EXPECT_EQ(f.stats().budget_used, 2u);
  }());
}

TEST(MemoryFrontierTest, FinishedWhenTheBudgetIsUsedEvenWithUrlsQueued) {
  sync([]() -> Coro<void> {
    MemoryFrontier f(FrontierLimits{.max_pages = 1});
    {
      std::vector<Link> links = {{"http://a/1"}, {"http://a/2"}};
      co_await add(f, std::move(links));
    }
    Claim c = co_await claim(f, 10);
    co_await done(f, c.leases[0]);
    Claim end = co_await claim(f, 10);
    EXPECT_TRUE(end.leases.empty());
    EXPECT_TRUE(end.finished);
    EXPECT_EQ(f.stats().queued, 1u);
  }());
}

TEST(MemoryFrontierTest, ReleasedLeasesAreQueuedAgainFirst) {
  sync([]() -> Coro<void> {
    MemoryFrontier f(FrontierLimits{.max_pages = 1});
    {
      std::vector<Link> links = {{"http://a/1", 0}, {"http://a/2", 0}};
      co_await add(f, std::move(links));
    }
    Claim c = co_await claim(f, 1);
    absl::Status s = co_await f.release(c.leases[0]);
    EXPECT_TRUE(s.ok());
    EXPECT_EQ(f.stats().queued, 2u);
    EXPECT_EQ(f.stats().budget_used, 0u);
    Claim again = co_await claim(f, 1);
    EXPECT_EQ(urls(again), (std::vector<std::string>{"http://a/1"}));
    // A lease can end only once.
    co_await done(f, again.leases[0]);
    Completion nothing;
    absl::Status twice = co_await f.complete(again.leases[0], std::move(nothing));
    EXPECT_EQ(twice.code(), absl::StatusCode::kFailedPrecondition);
    absl::Status rel = co_await f.release(again.leases[0]);
    EXPECT_EQ(rel.code(), absl::StatusCode::kFailedPrecondition);
  }());
}

TEST(MemoryFrontierTest, OriginsTakeTurnsAndBusyOriginsAreSkipped) {
  sync([]() -> Coro<void> {
    MemoryFrontier f;
    {
      std::vector<Link> links = {{"http://a/1"}, {"http://a/2"}, {"http://a/3"},
                     {"http://b/1"}, {"http://b/2"}, {"https://a/1"}};
      co_await add(f, std::move(links));
    }
    Claim c = co_await claim(f, 4);
    EXPECT_EQ(urls(c), (std::vector<std::string>{"http://a/1", "http://b/1",
                                                 "https://a/1", "http://a/2"}));
    auto not_a = [](std::string_view o) { return o != "http://a"; };
    Claim d = co_await claim(f, 4, not_a);
    EXPECT_EQ(urls(d), (std::vector<std::string>{"http://b/2"}));
    auto none = [](std::string_view) { return false; };
    Claim e = co_await claim(f, 4, none);
    EXPECT_TRUE(e.leases.empty());
    EXPECT_FALSE(e.finished);
    EXPECT_EQ(f.stats().queued, 1u);
  }());
}

TEST(MemoryFrontierTest, ClaimOfZeroIsAnError) {
  sync([]() -> Coro<void> {
    MemoryFrontier f;
    absl::StatusOr<Claim> c = co_await f.claim(0, any);
    EXPECT_EQ(c.status().code(), absl::StatusCode::kInvalidArgument);
  }());
}

TEST(MemoryFrontierTest, UnlimitedWhenLimitsAreZeroOrNegative) {
  sync([]() -> Coro<void> {
    MemoryFrontier f(FrontierLimits{.max_depth = -1, .max_pages = 0});
    std::vector<Link> links;
    for (int i = 0; i < 1000; ++i) {
      links.push_back(Link{"http://a/" + std::to_string(i), 1000000});
    }
    co_await add(f, std::move(links));
    Claim c = co_await claim(f, 5000);
    EXPECT_EQ(c.leases.size(), 1000u);
  }());
}

}  // namespace
}  // namespace aio::crawler
