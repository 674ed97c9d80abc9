#include "loop/io.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <cstdint>
#include <stdexcept>
#include <string>

#include "loop/loop.h"
#include "tests/loop/test_util.h"

namespace aio {
namespace {

using namespace std::chrono_literals;
using testing::VirtualLoop;

struct Pipe {
  int r = -1, w = -1;
  Pipe() {
    int p[2];
    if (pipe2(p, O_NONBLOCK | O_CLOEXEC) != 0) throw std::runtime_error("pipe");
    r = p[0];
    w = p[1];
  }
  ~Pipe() {
    close(r);
    close(w);
  }
};

Coro<uint32_t> readable(int fd) { co_return co_await wait_readable(fd); }
Coro<uint32_t> writable(int fd) { co_return co_await wait_writable(fd); }

TEST(IoTest, WaitReadableReturnsOnceDataArrives) {
  VirtualLoop loop;
  Pipe p;
  auto main = [&]() -> Coro<uint32_t> {
    auto t = create_task(readable(p.r));
    co_await sleep(1s);
    EXPECT_FALSE(t.done());  // nothing to read yet
    EXPECT_EQ(write(p.w, "x", 1), 1);
    co_return co_await t;
  };
  uint32_t ev = loop->run_until_complete(main());
  EXPECT_TRUE(ev & EPOLLIN);
  loop->forget_fd(p.r);
}

TEST(IoTest, WaitWritableOnAnEmptyPipeReturnsAtOnce) {
  VirtualLoop loop;
  Pipe p;
  TimePoint start = loop->time();
  EXPECT_TRUE(loop->run_until_complete(writable(p.w)) & EPOLLOUT);
  EXPECT_EQ(loop->time(), start);
  loop->forget_fd(p.w);
}

TEST(IoTest, HangUpWakesAReader) {
  VirtualLoop loop;
  Pipe p;
  auto main = [&]() -> Coro<uint32_t> {
    auto t = create_task(readable(p.r));
    co_await sleep(0);
    close(p.w);
    p.w = open("/dev/null", O_WRONLY | O_CLOEXEC);  // keep ~Pipe balanced
    co_return co_await t;
  };
  EXPECT_TRUE(loop->run_until_complete(main()) & EPOLLHUP);
  loop->forget_fd(p.r);
}

TEST(IoTest, CancellingAWaitUnregistersItSoAnotherTaskMayWait) {
  VirtualLoop loop;
  Pipe p;
  auto main = [&]() -> Coro<uint32_t> {
    auto first = create_task(readable(p.r));
    co_await sleep(1s);
    first.cancel();
    for (int i = 0; i < 3; ++i) co_await sleep(0);
    EXPECT_TRUE(first.cancelled());
    auto second = create_task(readable(p.r));  // the slot is free again
    co_await sleep(0);
    EXPECT_EQ(write(p.w, "x", 1), 1);
    co_return co_await second;
  };
  EXPECT_TRUE(loop->run_until_complete(main()) & EPOLLIN);
  loop->forget_fd(p.r);
}

TEST(IoTest, ASecondWaiterForTheSameFdAndDirectionIsRefused) {
  VirtualLoop loop;
  Pipe p;
  auto main = [&]() -> Coro<std::string> {
    auto first = create_task(readable(p.r));
    co_await sleep(0);
    std::string what;
    try {
      co_await wait_readable(p.r);
    } catch (const std::logic_error& e) {
      what = e.what();
    }
    first.cancel();
    co_await sleep(0);
    co_return what;
  };
  EXPECT_NE(loop->run_until_complete(main()).find("already has a reader"),
            std::string::npos);
  loop->forget_fd(p.r);
}

TEST(IoTest, ForgetFdWakesAWaiterWithEpollErr) {
  VirtualLoop loop;
  Pipe p;
  auto main = [&]() -> Coro<uint32_t> {
    auto t = create_task(readable(p.r));
    co_await sleep(0);
    get_running_loop().forget_fd(p.r);
    co_return co_await t;
  };
  EXPECT_EQ(loop->run_until_complete(main()), uint32_t{EPOLLERR});
}

TEST(IoTest, InvalidFdIsRejectedWithAClearError) {
  VirtualLoop loop;
  EXPECT_THROW(loop->run_until_complete(readable(-1)), std::invalid_argument);
}

TEST(IoTest, WaitOutsideATaskIsAClearError) {
  VirtualLoop loop;
  Pipe p;
  auto awaiter = wait_readable(p.r);
  EXPECT_THROW(awaiter.await_suspend(std::noop_coroutine()), std::logic_error);
}

}  // namespace
}  // namespace aio
