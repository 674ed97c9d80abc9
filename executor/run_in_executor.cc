#include "executor/run_in_executor.h"

#include <memory>
#include <stdexcept>

namespace aio {

ThreadPool& default_executor(EventLoop& loop) {
  if (loop.default_executor_shut_down()) {
    throw std::runtime_error(
        "the default executor of " + loop.name() +
        " has been shut down (shutdown_default_executor was called); pass a "
        "pool to run_in_executor");
  }
  if (Executor* current = loop.default_executor()) {
    if (auto* pool = dynamic_cast<ThreadPool*>(current)) return *pool;
    throw std::logic_error(
        "the default executor of " + loop.name() +
        " is not an aio::ThreadPool; pass a pool to run_in_executor");
  }
  auto pool = std::make_shared<ThreadPool>(ThreadPool::default_max_workers());
  ThreadPool& ref = *pool;
  loop.set_default_executor(std::move(pool));
  return ref;
}

}  // namespace aio
