// aio::crawler::MemoryFrontier: the in-process Frontier (frontier.h) — one
// FIFO queue per origin (breadth-first in discovery order within an origin),
// a ring of the origins that have queued URLs (they take turns), and a seen
// set of canonical URLs. State lives and dies with the process.
//
// Memory: one hash-map entry per distinct URL seen (the URL string plus a
// small node) and one queue slot per queued URL, plus one entry per origin;
// nothing is kept of pages themselves, so memory grows with the frontier,
// never with bytes fetched. A queued URL rediscovered at a smaller depth
// takes the smaller depth.
//
// claim() costs O(leases + origins skipped as not ready). Every coroutine
// completes without suspending. Threads: one loop's thread (not
// synchronised); stats() may be read between calls.
#ifndef AIO_CRAWLER_MEMORY_FRONTIER_H_
#define AIO_CRAWLER_MEMORY_FRONTIER_H_

#include <cstdint>
#include <deque>
#include <string>

#include "absl/container/node_hash_map.h"
#include "crawler/frontier.h"

namespace aio::crawler {

class MemoryFrontier final : public Frontier {
 public:
  explicit MemoryFrontier(FrontierLimits limits = {});

  Coro<absl::Status> add(std::vector<Link> links) override;
  Coro<absl::StatusOr<Claim>> claim(size_t max, OriginReady ready) override;
  Coro<absl::Status> complete(Lease lease, Completion completion) override;
  Coro<absl::Status> release(Lease lease) override;
  FrontierStats stats() const override { return stats_; }

 private:
  enum class State : uint8_t { kQueued, kLeased, kDone };
  struct OriginQueue;
  struct Entry {
    int depth = 0;
    int redirects = 0;
    State state = State::kQueued;
    OriginQueue* origin = nullptr;
  };
  struct OriginQueue {
    std::string origin;
    std::deque<const std::string*> queue;  // keys of seen_ (node-stable)
    bool in_ring = false;
  };
  void add_one(Link link);
  void enqueue(const std::string* url, OriginQueue* o, bool front);
  bool budget_left() const;

  FrontierLimits limits_;
  absl::node_hash_map<std::string, Entry> seen_;
  absl::node_hash_map<std::string, OriginQueue> origins_;
  std::deque<OriginQueue*> ring_;  // origins with queued URLs, in turn
  uint64_t next_id_ = 1;
  FrontierStats stats_;
};

}  // namespace aio::crawler

#endif  // AIO_CRAWLER_MEMORY_FRONTIER_H_
