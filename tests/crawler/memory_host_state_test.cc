#include "crawler/memory_host_state.h"

#include <chrono>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/common/test_util.h"
#include "loop/errors.h"
#include "loop/event_loop.h"
#include "loop/run.h"
#include "loop/sleep.h"
#include "loop/task.h"
#include "loop/wait.h"

namespace aio::crawler {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr char kOrigin[] = "http://a.test";

template <typename C>
auto run_virtual(C coro) {
  EventLoop::Options o;
  o.virtual_time = true;
  return aio::run(std::move(coro), o);
}

// A second caller: its turn, once it has one, and when it got it.
struct Asker {
  absl::StatusOr<RobotsTurn> turn = absl::UnknownError("not yet");
  TimePoint at{};
};

Coro<void> ask(MemoryHostState* hs, Asker* out) {
  out->turn = co_await hs->robots(kOrigin, seconds(30));
  out->at = get_event_loop().time();
}

Coro<void> answer_waits_for_the_turn() {
  MemoryHostState hs;
  absl::StatusOr<RobotsTurn> first = co_await hs.robots(kOrigin, seconds(30));
  CO_ASSERT_TRUE(first.ok());
  EXPECT_TRUE(first->fetch());
  Asker second;
  Task<void> t = create_task(ask(&hs, &second));
  co_await aio::sleep(seconds(5));
  EXPECT_FALSE(second.turn.ok());  // still waiting: the turn is taken
  const TimePoint stored_at = get_event_loop().time();
  RobotsAnswer a;
  a.status = 200;
  a.body = "User-agent: *\nDisallow: /x\n";
  absl::StatusOr<Duration> valid =
      co_await hs.store_robots(kOrigin, first->token, a);
  CO_ASSERT_TRUE(valid.ok());
  EXPECT_EQ(*valid, Duration::max());  // for the crawl
  co_await t;
  CO_ASSERT_TRUE(second.turn.ok());
  CO_ASSERT_TRUE(!second.turn->fetch());
  EXPECT_EQ(second.turn->answer->status, 200);
  EXPECT_EQ(second.turn->answer->body, a.body);
  EXPECT_EQ(second.at, stored_at);  // woken by the answer, not by polling
  // Another origin is its own: a turn at once.
  absl::StatusOr<RobotsTurn> other = co_await hs.robots("http://b.test", seconds(1));
  CO_ASSERT_TRUE(other.ok());
  EXPECT_TRUE(other->fetch());
}

TEST(MemoryHostStateTest, OneTurnPerOriginAndOthersWaitForItsAnswer) {
  run_virtual(answer_waits_for_the_turn());
}

Coro<void> abandoned_turn_passes_on() {
  MemoryHostState hs;
  absl::StatusOr<RobotsTurn> first = co_await hs.robots(kOrigin, seconds(30));
  CO_ASSERT_TRUE(first.ok() && first->fetch());
  Asker second;
  Task<void> t = create_task(ask(&hs, &second));
  co_await aio::sleep(seconds(1));
  // A stale token changes nothing.
  EXPECT_TRUE((co_await hs.abandon_robots(kOrigin, first->token + 7)).ok());
  co_await aio::sleep(seconds(1));
  EXPECT_FALSE(second.turn.ok());
  EXPECT_TRUE((co_await hs.abandon_robots(kOrigin, first->token)).ok());
  co_await t;
  CO_ASSERT_TRUE(second.turn.ok());
  EXPECT_TRUE(second.turn->fetch());  // the turn passed on
  EXPECT_NE(second.turn->token, first->token);
  // The old holder's late answer is ignored; the new one's is kept.
  RobotsAnswer late;
  late.status = 503;
  (void)co_await hs.store_robots(kOrigin, first->token, late);
  RobotsAnswer now;
  now.status = 404;
  (void)co_await hs.store_robots(kOrigin, second.turn->token, now);
  absl::StatusOr<RobotsTurn> third = co_await hs.robots(kOrigin, seconds(1));
  CO_ASSERT_TRUE(third.ok() && !third->fetch());
  EXPECT_EQ(third->answer->status, 404);
}

TEST(MemoryHostStateTest, AnAbandonedTurnPassesToTheNextCaller) {
  run_virtual(abandoned_turn_passes_on());
}

Coro<void> cancelled_waiter_leaves_no_trace() {
  MemoryHostState hs;
  absl::StatusOr<RobotsTurn> first = co_await hs.robots(kOrigin, seconds(30));
  CO_ASSERT_TRUE(first.ok());
  bool timed_out = false;
  try {
    (void)co_await aio::wait_for(hs.robots(kOrigin, seconds(30)), seconds(2));
  } catch (const TimeoutError&) {
    timed_out = true;
  }
  EXPECT_TRUE(timed_out);
  RobotsAnswer a;
  a.status = 200;
  (void)co_await hs.store_robots(kOrigin, first->token, a);
  absl::StatusOr<RobotsTurn> again = co_await hs.robots(kOrigin, seconds(30));
  CO_ASSERT_TRUE(again.ok() && !again->fetch());
}

TEST(MemoryHostStateTest, AWaiterCancelledBeforeTheAnswerLeavesNoTrace) {
  run_virtual(cancelled_waiter_leaves_no_trace());
}

Coro<void> bad_leases() {
  MemoryHostState hs;
  for (Duration lease : {Duration::zero(), Duration(-seconds(1)), Duration::min()}) {
    absl::StatusOr<RobotsTurn> t = co_await hs.robots(kOrigin, lease);
    EXPECT_EQ(t.status().code(), absl::StatusCode::kInvalidArgument);
  }
  absl::StatusOr<RobotsTurn> t = co_await hs.robots(kOrigin, Duration::max());
  EXPECT_TRUE(t.ok() && t->fetch());
}

TEST(MemoryHostStateTest, ALeaseOfZeroOrLessIsRejectedAndMaxIsAccepted) {
  run_virtual(bad_leases());
}

Coro<void> reservations_on_the_loop_clock() {
  MemoryHostState hs;
  SendLimits gap{seconds(2), std::nullopt};
  std::vector<Duration> waits;
  for (int i = 0; i < 3; ++i) {
    absl::StatusOr<Duration> w = co_await hs.reserve_send(kOrigin, gap);
    CO_ASSERT_TRUE(w.ok());
    waits.push_back(*w);
  }
  EXPECT_EQ(waits, (std::vector<Duration>{Duration::zero(), seconds(2),
                                          seconds(4)}));
  co_await aio::sleep(seconds(3));
  absl::StatusOr<Duration> w = co_await hs.reserve_send(kOrigin, gap);
  CO_ASSERT_TRUE(w.ok());
  EXPECT_EQ(*w, seconds(3));  // 6 s after the first, 3 s from now
  // Another origin is independent.
  absl::StatusOr<Duration> b = co_await hs.reserve_send("http://b.test", gap);
  CO_ASSERT_TRUE(b.ok());
  EXPECT_EQ(*b, Duration::zero());
  // Huge spacing: the next one waits "forever" (a duration, not a wrap).
  SendLimits never{Duration::max(), std::nullopt};
  CO_ASSERT_TRUE((co_await hs.reserve_send("http://c.test", never)).ok());
  absl::StatusOr<Duration> c = co_await hs.reserve_send("http://c.test", never);
  CO_ASSERT_TRUE(c.ok());
  EXPECT_GT(*c, std::chrono::hours(24 * 365 * 100));
  // Bad limits are an error, not an assertion.
  SendLimits neg{-seconds(1), std::nullopt};
  EXPECT_EQ((co_await hs.reserve_send(kOrigin, neg)).status().code(),
            absl::StatusCode::kInvalidArgument);
  SendLimits zero_rate{Duration::zero(), Rate{0, seconds(1)}};
  EXPECT_EQ((co_await hs.reserve_send(kOrigin, zero_rate)).status().code(),
            absl::StatusCode::kInvalidArgument);
  SendLimits neg_rate{Duration::zero(), Rate{-1, seconds(1)}};
  EXPECT_EQ((co_await hs.reserve_send(kOrigin, neg_rate)).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(MemoryHostStateTest, ReservationsQueueOnTheLoopClockPerOrigin) {
  run_virtual(reservations_on_the_loop_clock());
}

}  // namespace
}  // namespace aio::crawler
