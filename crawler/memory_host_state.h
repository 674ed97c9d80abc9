// aio::crawler::MemoryHostState: the in-process HostState
// (crawler/host_state.h) — what one crawler process needs when it is the
// only worker, and the engine's default.
//
// robots.txt: one turn per origin at a time; callers asking meanwhile wait
// (an aio::Event) for the answer, or for the turn to be abandoned (then the
// next of them fetches). There is no lease: a turn's holder lives in this
// process. Answers hold for the crawl (valid_for = Duration::max()): an
// unreachable robots.txt disallows the origin for the rest of the crawl.
// Sending: a SendSchedule per origin on the loop's clock (so under virtual
// time too), exact for any rate.
//
// Threads: one loop's thread. Memory: one entry per origin asked about.
#ifndef AIO_CRAWLER_MEMORY_HOST_STATE_H_
#define AIO_CRAWLER_MEMORY_HOST_STATE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "absl/container/node_hash_map.h"
#include "crawler/host_state.h"
#include "crawler/send_schedule.h"
#include "sync/event.h"

namespace aio::crawler {

class MemoryHostState : public HostState {
 public:
  Coro<absl::StatusOr<RobotsTurn>> robots(std::string origin,
                                          Duration lease) override;
  Coro<absl::StatusOr<Duration>> store_robots(std::string origin,
                                              uint64_t token,
                                              RobotsAnswer answer) override;
  Coro<absl::Status> abandon_robots(std::string origin,
                                    uint64_t token) override;
  Coro<absl::StatusOr<Duration>> reserve_send(std::string origin,
                                              SendLimits limits) override;

 private:
  struct Origin {
    std::optional<RobotsAnswer> answer;
    uint64_t token = 0;  // the turn being fetched; 0 = none
    // Set when the current turn ends (a new Event for every turn, so that
    // waiters of an ended turn never see a later one's flag).
    std::shared_ptr<Event> turn_ended;
    SendSchedule schedule{SIZE_MAX};
  };
  absl::node_hash_map<std::string, Origin> origins_;
  uint64_t next_token_ = 1;
};

}  // namespace aio::crawler

#endif  // AIO_CRAWLER_MEMORY_HOST_STATE_H_
