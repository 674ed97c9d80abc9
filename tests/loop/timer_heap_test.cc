#include "loop/internal/timer_heap.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <random>
#include <utility>
#include <vector>

namespace aio::internal {
namespace {

std::vector<int64_t> drain(TimerHeap& heap) {
  std::vector<int64_t> out;
  while (!heap.empty()) out.push_back(heap.pop()->when);
  return out;
}

TEST(TimerHeapTest, PopsByDeadline) {
  std::vector<TimerNode> nodes(6);
  const int64_t whens[] = {50, 10, 40, 20, 60, 30};
  TimerHeap heap;
  for (int i = 0; i < 6; ++i) {
    nodes[i].when = whens[i];
    heap.push(&nodes[i]);
    EXPECT_TRUE(nodes[i].queued());
  }
  EXPECT_EQ(heap.size(), 6u);
  EXPECT_EQ(heap.top_when(), 10);
  EXPECT_EQ(drain(heap), (std::vector<int64_t>{10, 20, 30, 40, 50, 60}));
  for (auto& n : nodes) EXPECT_FALSE(n.queued());
}

TEST(TimerHeapTest, EqualDeadlinesPopInInsertionOrder) {
  std::vector<TimerNode> nodes(10);
  TimerHeap heap;
  for (auto& n : nodes) {
    n.when = 7;
    heap.push(&n);
  }
  for (auto& n : nodes) EXPECT_EQ(heap.pop(), &n);
}

TEST(TimerHeapTest, RemoveTakesANodeOutAtOnceAndIsIdempotent) {
  std::vector<TimerNode> nodes(100);
  TimerHeap heap;
  for (int i = 0; i < 100; ++i) {
    nodes[i].when = (i * 37) % 100;  // a permutation of 0..99
    heap.push(&nodes[i]);
  }
  std::vector<int64_t> expected;
  for (int i = 0; i < 100; ++i) {
    if (i % 3 == 0) {
      heap.remove(&nodes[i]);
      EXPECT_FALSE(nodes[i].queued());
      heap.remove(&nodes[i]);  // not queued: nothing happens
    } else {
      expected.push_back(nodes[i].when);
    }
  }
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(drain(heap), expected);
}

TEST(TimerHeapTest, RandomPushesAndRemovesStayOrdered) {
  std::mt19937 rng(12345);
  std::vector<std::unique_ptr<TimerNode>> nodes;
  TimerHeap heap;
  std::vector<int64_t> live;
  for (int round = 0; round < 2000; ++round) {
    if (live.empty() || rng() % 3 != 0) {
      auto n = std::make_unique<TimerNode>();
      n->when = static_cast<int64_t>(rng() % 500) - 250;  // negatives too
      heap.push(n.get());
      live.push_back(n->when);
      nodes.push_back(std::move(n));
    } else {
      TimerNode* n = nodes[rng() % nodes.size()].get();
      if (!n->queued()) continue;
      live.erase(std::find(live.begin(), live.end(), n->when));
      heap.remove(n);
    }
  }
  std::sort(live.begin(), live.end());
  EXPECT_EQ(drain(heap), live);
}

TEST(TimerHeapTest, ExtremeDeadlinesDoNotOverflow) {
  TimerNode never, past, now;
  never.when = INT64_MAX;
  past.when = INT64_MIN;
  now.when = 0;
  TimerHeap heap;
  heap.push(&never);
  heap.push(&past);
  heap.push(&now);
  EXPECT_EQ(drain(heap), (std::vector<int64_t>{INT64_MIN, 0, INT64_MAX}));
}

TEST(TimerHeapTest, ClearUnlinksEveryNodeWithoutFiring) {
  std::vector<TimerNode> nodes(5);
  TimerHeap heap;
  for (auto& n : nodes) {
    n.fire = [](TimerNode*) { std::abort(); };
    heap.push(&n);
  }
  heap.clear();
  EXPECT_TRUE(heap.empty());
  for (auto& n : nodes) EXPECT_FALSE(n.queued());
}

}  // namespace
}  // namespace aio::internal
