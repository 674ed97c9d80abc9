// Shared by the examples: `--virtual_time` runs an example on the loop's
// virtual clock (instant and deterministic; the example tests use it),
// since() prints seconds on the loop's clock, and py_list() / task_repr() /
// task_set() print values the way Python's print() shows them, so that an
// example's output reads like its Python original's.
#ifndef AIO_EXAMPLES_EXAMPLE_UTIL_H_
#define AIO_EXAMPLES_EXAMPLE_UTIL_H_

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <type_traits>
#include <vector>

#include "loop/loop.h"

namespace examples {

inline aio::EventLoop::Options options_from_args(int argc, char** argv) {
  aio::EventLoop::Options o;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--virtual_time") == 0) {
      o.virtual_time = true;
    } else {
      std::fprintf(stderr, "usage: %s [--virtual_time]\n", argv[0]);
      std::exit(2);
    }
  }
  return o;
}

// "1.0": seconds on the running loop's clock since `start`, one decimal, as
// the tutorial's f"{time.perf_counter() - start:.1f}".
inline std::string since(aio::TimePoint start) {
  double s =
      std::chrono::duration<double>(aio::get_running_loop().time() - start)
          .count();
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", s);
  return buf;
}

// Python's repr of a value: strings quoted ('text'), numbers as they are.
inline std::string py_repr(const std::string& s) { return "'" + s + "'"; }
inline std::string py_repr(int v) { return std::to_string(v); }

// Python's print() of a list: ['a', 'b'] or [1, 2].
template <typename T>
std::string py_list(const std::vector<T>& v) {
  std::string s = "[";
  for (size_t i = 0; i < v.size(); ++i) {
    if (i) s += ", ";
    s += py_repr(v[i]);
  }
  return s + "]";
}

// Python's repr of a task, e.g.
//   <Task finished name='Task-2' coro=<func() done> result='...'>
// `coro` names the coroutine function (aio does not know it). Python also
// shows where the function is defined (", defined at file.py:3"); left out.
template <typename T>
std::string task_repr(const aio::Task<T>& t, const char* coro) {
  std::string head = "<Task ";
  if (!t.done()) {
    return head + "pending name='" + t.name() + "' coro=<" + coro +
           "() running>>";
  }
  if (t.cancelled()) {
    return head + "cancelled name='" + t.name() + "' coro=<" + coro +
           "() done>>";
  }
  std::string s = head + "finished name='" + t.name() + "' coro=<" + coro +
                  "() done> ";
  if (t.exception()) {
    return s + "exception=" + aio::describe_exception(t.exception()) + ">";
  }
  if constexpr (std::is_void_v<T>) {
    return s + "result=None>";
  } else {
    return s + "result=" + py_repr(t.result()) + ">";
  }
}

// Python's print() of the sets asyncio.wait returns: {<Task ...>, ...} or
// set(). Python's set order is arbitrary (by hash); aio::wait keeps the
// order of its input.
template <typename T>
std::string task_set(const std::vector<aio::Task<T>>& ts, const char* coro) {
  if (ts.empty()) return "set()";
  std::string s = "{";
  for (size_t i = 0; i < ts.size(); ++i) {
    if (i) s += ", ";
    s += task_repr(ts[i], coro);
  }
  return s + "}";
}

}  // namespace examples

#endif  // AIO_EXAMPLES_EXAMPLE_UTIL_H_
