#include "crawler/memory_host_state.h"

#include <utility>

#include "loop/event_loop.h"

namespace aio::crawler {

Coro<absl::StatusOr<RobotsTurn>> MemoryHostState::robots(std::string origin,
                                                         Duration lease) {
  if (lease <= Duration::zero()) {
    co_return absl::InvalidArgumentError("robots.txt turn lease must be > 0");
  }
  for (;;) {
    Origin& o = origins_[origin];
    if (o.answer) {
      RobotsTurn turn;
      turn.answer = o.answer;
      co_return turn;
    }
    if (o.token == 0) {
      o.token = next_token_++;
      o.turn_ended = std::make_shared<Event>();
      RobotsTurn turn;
      turn.token = o.token;
      co_return turn;
    }
    // Held here: the entry's next turn gets an Event of its own.
    std::shared_ptr<Event> ended = o.turn_ended;
    co_await ended->wait();
  }
}

Coro<absl::StatusOr<Duration>> MemoryHostState::store_robots(
    std::string origin, uint64_t token, RobotsAnswer answer) {
  auto it = origins_.find(origin);
  if (it != origins_.end() && it->second.token == token && token != 0) {
    Origin& o = it->second;
    o.answer = std::move(answer);
    o.token = 0;
    std::shared_ptr<Event> ended = std::move(o.turn_ended);
    ended->set();
  }
  co_return Duration::max();
}

Coro<absl::Status> MemoryHostState::abandon_robots(std::string origin,
                                                   uint64_t token) {
  auto it = origins_.find(origin);
  if (it != origins_.end() && it->second.token == token && token != 0) {
    Origin& o = it->second;
    o.token = 0;
    std::shared_ptr<Event> ended = std::move(o.turn_ended);
    ended->set();
  }
  co_return absl::OkStatus();
}

Coro<absl::StatusOr<Duration>> MemoryHostState::reserve_send(
    std::string origin, SendLimits limits) {
  absl::Status ok = check_limits(limits);
  if (!ok.ok()) co_return ok;
  const int64_t now = get_event_loop().time().time_since_epoch().count();
  const int64_t t = origins_[origin].schedule.reserve(now, limits);
  co_return Duration(t - now);
}

}  // namespace aio::crawler
