#include "loop/run.h"

#include <cstdio>
#include <vector>

#include "loop/internal/wait_set.h"

namespace aio {
namespace internal {
namespace {

Coro<void> wait_settled(std::vector<FutureBase*> tasks) {
  WaitSet ws(&get_running_loop(), std::move(tasks));
  co_await ws.wait(ws.size(), WaitSet::kStopOnNothing, std::nullopt, false);
}

}  // namespace

void shutdown_loop(EventLoop& loop) noexcept {
  try {
    std::vector<FutureBase*> tasks = loop.pending_tasks();
    if (!tasks.empty()) {
      std::vector<AnyTask> refs;
      refs.reserve(tasks.size());
      for (auto* t : tasks) refs.emplace_back(t);
      for (auto* t : tasks) t->cancel();
      loop.run_until_complete(wait_settled(tasks));
      for (auto& t : refs) {
        FutureBase* st = t.state();
        if (st->state() == State::kException) {
          loop.call_exception_handler(
              {"unhandled exception during aio::run() shutdown",
               st->exception(), st->name()});
        }
      }
    }
    loop.shutdown_default_executor();
  } catch (...) {
    std::fprintf(stderr, "aio::run: error while shutting down %s: %s\n",
                 loop.name().c_str(),
                 describe_exception(std::current_exception()).c_str());
  }
  set_event_loop(nullptr);
  loop.close();
}

}  // namespace internal
}  // namespace aio
