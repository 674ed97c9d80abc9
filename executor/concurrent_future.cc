#include "executor/concurrent_future.h"

#include <cstdio>

namespace aio::internal {

void report_callback_exception(std::exception_ptr e) noexcept {
  std::fprintf(stderr,
               "aio: exception in a ConcurrentFuture done callback: %s\n",
               describe_exception(e).c_str());
}

}  // namespace aio::internal
