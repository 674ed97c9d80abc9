// Helpers shared by the //db tests: assertions usable inside coroutines
// (gtest's ASSERT_* return, which a coroutine cannot), and a pool on a fresh
// database of the binary's private server.
#ifndef AIO_TESTS_DB_TEST_UTIL_H_
#define AIO_TESTS_DB_TEST_UTIL_H_

#include <gtest/gtest.h>

#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "db/db.h"
#include "loop/loop.h"
#include "tests/fixtures/mariadb.h"

namespace aio::db::testing {

inline const absl::Status& status_of(const absl::Status& s) { return s; }
template <typename T>
const absl::Status& status_of(const absl::StatusOr<T>& s) {
  return s.status();
}

// Fails the test and leaves the coroutine if `expr` is not OK.
#define CO_ASSERT_OK(expr)                                               \
  do {                                                                   \
    const auto& co_assert_value_ = (expr);                               \
    if (!::aio::db::testing::status_of(co_assert_value_).ok()) {         \
      ADD_FAILURE() << #expr << ": "                                     \
                    << ::aio::db::testing::status_of(co_assert_value_);  \
      co_return;                                                         \
    }                                                                    \
  } while (0)

#define CO_ASSERT_TRUE(cond)                     \
  do {                                           \
    if (!(cond)) {                               \
      ADD_FAILURE() << "expected: " << #cond;    \
      co_return;                                 \
    }                                            \
  } while (0)

inline aio::testing::MariaDbServer& server() {
  return aio::testing::MariaDbServer::shared();
}

// Options for a fresh database, `max` connections.
inline Options fresh_options(size_t max = 4) {
  Options o = server().fresh_database();
  o.max_connections = max;
  return o;
}

}  // namespace aio::db::testing

#endif  // AIO_TESTS_DB_TEST_UTIL_H_
