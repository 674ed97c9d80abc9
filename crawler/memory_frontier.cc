#include "crawler/memory_frontier.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "crawler/canonical_url.h"

namespace aio::crawler {

MemoryFrontier::MemoryFrontier(FrontierLimits limits) : limits_(limits) {}

bool MemoryFrontier::budget_left() const {
  return limits_.max_pages <= 0 ||
         stats_.budget_used < static_cast<uint64_t>(limits_.max_pages);
}

void MemoryFrontier::enqueue(const std::string* url, OriginQueue* o,
                             bool front) {
  if (front) {
    o->queue.push_front(url);
  } else {
    o->queue.push_back(url);
  }
  if (!o->in_ring) {
    o->in_ring = true;
    ring_.push_back(o);
  }
  ++stats_.queued;
}

void MemoryFrontier::add_one(Link link) {
  if (limits_.max_depth >= 0 && link.depth > limits_.max_depth) {
    ++stats_.too_deep;
    return;
  }
  auto [it, inserted] = seen_.try_emplace(std::move(link.url));
  Entry& e = it->second;
  if (inserted) {
    e.depth = link.depth;
    e.redirects = link.redirects;
    std::string o = origin(it->first);
    auto [oit, fresh] = origins_.try_emplace(o);
    if (fresh) oit->second.origin = std::move(o);
    e.origin = &oit->second;
    ++stats_.seen;
    enqueue(&it->first, e.origin, false);
  } else if (e.state == State::kQueued && link.depth < e.depth) {
    e.depth = link.depth;
    e.redirects = link.redirects;
  }
}

Coro<absl::Status> MemoryFrontier::add(std::vector<Link> links) {
  for (Link& l : links) add_one(std::move(l));
  co_return absl::OkStatus();
}

Coro<absl::StatusOr<Claim>> MemoryFrontier::claim(size_t max,
                                                  OriginReady ready) {
  if (max == 0) {
    co_return absl::InvalidArgumentError("Frontier::claim: max must be >= 1");
  }
  Claim out;
  // Origins take turns; each origin not ready now is looked at once.
  size_t skipped = 0;
  while (out.leases.size() < max && !ring_.empty() && budget_left() &&
         skipped < ring_.size()) {
    OriginQueue* o = ring_.front();
    ring_.pop_front();
    if (!ready(o->origin)) {
      ring_.push_back(o);
      ++skipped;
      continue;
    }
    skipped = 0;
    const std::string* url = o->queue.front();
    o->queue.pop_front();
    if (o->queue.empty()) {
      o->in_ring = false;
    } else {
      ring_.push_back(o);
    }
    Entry& e = seen_.find(*url)->second;
    e.state = State::kLeased;
    --stats_.queued;
    ++stats_.in_flight;
    ++stats_.budget_used;
    out.leases.push_back(Lease{next_id_++, Link{*url, e.depth, e.redirects}});
  }
  out.finished = out.leases.empty() && stats_.in_flight == 0 &&
                 (stats_.queued == 0 || !budget_left());
  co_return out;
}

Coro<absl::Status> MemoryFrontier::complete(Lease lease,
                                            Completion completion) {
  auto it = seen_.find(lease.link.url);
  if (it == seen_.end() || it->second.state != State::kLeased) {
    co_return absl::FailedPreconditionError(
        absl::StrCat("Frontier::complete: ", lease.link.url, " is not leased"));
  }
  it->second.state = State::kDone;
  --stats_.in_flight;
  ++stats_.done;
  if (completion.outcome == PageOutcome::kSkipped) --stats_.budget_used;
  for (Link& l : completion.links) add_one(std::move(l));
  co_return absl::OkStatus();
}

Coro<absl::Status> MemoryFrontier::release(Lease lease) {
  auto it = seen_.find(lease.link.url);
  if (it == seen_.end() || it->second.state != State::kLeased) {
    co_return absl::FailedPreconditionError(
        absl::StrCat("Frontier::release: ", lease.link.url, " is not leased"));
  }
  it->second.state = State::kQueued;
  --stats_.in_flight;
  --stats_.budget_used;
  enqueue(&it->first, it->second.origin, true);
  co_return absl::OkStatus();
}

}  // namespace aio::crawler
