#include "loop/internal/ready_queue.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <deque>
#include <random>

namespace aio::internal {
namespace {

TEST(ReadyQueueTest, IsFifo) {
  ReadyQueue q;
  EXPECT_TRUE(q.empty());
  for (uintptr_t v = 1; v <= 5; ++v) q.push(v);
  EXPECT_EQ(q.size(), 5u);
  for (uintptr_t v = 1; v <= 5; ++v) EXPECT_EQ(q.pop(), v);
  EXPECT_TRUE(q.empty());
}

TEST(ReadyQueueTest, GrowingKeepsOrderWhenTheRingHasWrapped) {
  ReadyQueue q;
  // Wrap the ring (its first capacity is 1024), then grow it past that while
  // wrapped: every value must come out once, in order.
  uintptr_t next_in = 0, next_out = 0;
  for (int i = 0; i < 1000; ++i) q.push(next_in++);
  for (int i = 0; i < 900; ++i) EXPECT_EQ(q.pop(), next_out++);
  for (int i = 0; i < 5000; ++i) q.push(next_in++);
  EXPECT_EQ(q.size(), next_in - next_out);
  while (!q.empty()) EXPECT_EQ(q.pop(), next_out++);
  EXPECT_EQ(next_out, next_in);
}

TEST(ReadyQueueTest, MatchesADequeUnderRandomUse) {
  std::mt19937 rng(7);
  ReadyQueue q;
  std::deque<uintptr_t> model;
  uintptr_t next = 0;
  for (int i = 0; i < 100000; ++i) {
    if (model.empty() || rng() % 5 < 3) {
      q.push(next);
      model.push_back(next++);
    } else {
      ASSERT_EQ(q.pop(), model.front());
      model.pop_front();
    }
    ASSERT_EQ(q.size(), model.size());
  }
}

}  // namespace
}  // namespace aio::internal
