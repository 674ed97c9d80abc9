#include "db/internal/io_thread.h"

#include <mariadb/mysql.h>

namespace aio::db::internal {
namespace {

EventLoop::Options io_loop_options() {
  EventLoop::Options o;
  o.name = "aio-db-io";
  return o;
}

}  // namespace

IoThread::IoThread() : loop_(io_loop_options()) {
  thread_ = std::thread([this] {
    mysql_thread_init();
    loop_.run_forever();
    mysql_thread_end();
  });
}

IoThread::~IoThread() { stop(); }

void IoThread::stop() {
  if (!thread_.joinable()) return;
  // Posted, not loop_.stop() directly: a stop() that reached the loop before
  // run_forever started would be lost.
  loop_.call_soon_threadsafe([this] { loop_.stop(); });
  thread_.join();
  loop_.close();
}

}  // namespace aio::db::internal
