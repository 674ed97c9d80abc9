// Helpers shared by the //db tests: a pool on a fresh database of the
// binary's private server. The coroutine assertions (CO_ASSERT_OK,
// CO_ASSERT_TRUE) are the ones of every component, tests/common/test_util.h.
#ifndef AIO_TESTS_DB_TEST_UTIL_H_
#define AIO_TESTS_DB_TEST_UTIL_H_

#include <gtest/gtest.h>

#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "db/db.h"
#include "loop/loop.h"
#include "tests/common/test_util.h"
#include "tests/fixtures/mariadb.h"

namespace aio::db::testing {

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
