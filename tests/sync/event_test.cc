#include "sync/event.h"

#include <gtest/gtest.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "loop/sleep.h"
#include "loop/task.h"
#include "tests/common/test_util.h"

namespace aio {
namespace {

using testing::VirtualTime;
using testing::yield;



Coro<void> wait_and_log(Event* ev, std::vector<int>* log, int id) {
  co_await ev->wait();
  log->push_back(id);
}

Coro<void> set_wakes_all(Event* ev, std::vector<int>* log) {
  std::vector<Task<void>> tasks;
  for (int i = 0; i < 4; ++i)
    tasks.push_back(create_task(wait_and_log(ev, log, i)));
  co_await yield();
  EXPECT_EQ(ev->waiting(), 4u);
  EXPECT_TRUE(log->empty());
  ev->set();
  for (auto& t : tasks) co_await t;
}

TEST(Event, SetWakesEveryWaiterInTheOrderTheyWaited) {
  EventLoop loop(VirtualTime());
  Event ev;
  std::vector<int> log;
  loop.run_until_complete(set_wakes_all(&ev, &log));
  EXPECT_EQ(log, (std::vector<int>{0, 1, 2, 3}));
  EXPECT_TRUE(ev.is_set());
}

Coro<void> wait_when_set(Event* ev, int* passed) {
  co_await ev->wait();
  ++*passed;
  co_await ev->wait();
  ++*passed;
}

TEST(Event, WaitReturnsAtOnceWhileSetAndBlocksAfterClear) {
  EventLoop loop(VirtualTime());
  Event ev;
  ev.set();  // before any loop runs
  int passed = 0;
  loop.run_until_complete(wait_when_set(&ev, &passed));
  EXPECT_EQ(passed, 2);
  ev.clear();
  EXPECT_FALSE(ev.is_set());
  loop.run_until_complete([](Event* e, int* passed) -> Coro<void> {
    auto t = create_task(wait_when_set(e, passed));
    co_await sleep(5.0);
    EXPECT_EQ(*passed, 2);  // still blocked
    e->set();
    co_await t;
  }(&ev, &passed));
  EXPECT_EQ(passed, 4);
}

Coro<std::string> wait_report(Event* ev) {
  try {
    co_await ev->wait();
    co_return "woken";
  } catch (const CancelledError&) {
    co_return "cancelled";
  } catch (const std::logic_error& e) {
    co_return e.what();
  }
}

Coro<void> cancel_scenario(Event* ev, std::vector<std::string>* out) {
  auto a = create_task(wait_report(ev));
  auto b = create_task(wait_report(ev));
  auto c = create_task(wait_report(ev));
  co_await yield();
  a.cancel();  // while waiting
  EXPECT_EQ(ev->waiting(), 2u);
  ev->set();
  b.cancel();  // just after being woken
  out->push_back(co_await a);
  out->push_back(co_await b);
  out->push_back(co_await c);
}

TEST(Event, CancellationWhileWaitingOrAfterWakeUpRaisesCancelledError) {
  EventLoop loop(VirtualTime());
  Event ev;
  std::vector<std::string> out;
  loop.run_until_complete(cancel_scenario(&ev, &out));
  EXPECT_EQ(out, (std::vector<std::string>{"cancelled", "cancelled", "woken"}));
  EXPECT_TRUE(ev.is_set());  // the flag survives
}

Coro<void> destroy_scenario(std::unique_ptr<Event>* ev, std::string* out) {
  auto t = create_task(wait_report(ev->get()));
  co_await yield();
  ev->reset();
  *out = co_await t;
}

TEST(Event, DestroyingItWakesWaitersWithAClearError) {
  EventLoop loop(VirtualTime());
  auto ev = std::make_unique<Event>();
  std::string out;
  loop.run_until_complete(destroy_scenario(&ev, &out));
  EXPECT_NE(out.find("aio::Event destroyed"), std::string::npos) << out;
}

Coro<void> wait_once(Event* ev) { co_await ev->wait(); }

TEST(Event, UseFromASecondLiveLoopThrowsLogicError) {
  Event ev;
  ev.set();
  EventLoop a(VirtualTime("event-loop-a"));
  a.run_until_complete(wait_once(&ev));
  EventLoop b(VirtualTime("event-loop-b"));
  try {
    b.run_until_complete(wait_once(&ev));
    FAIL() << "expected std::logic_error";
  } catch (const std::logic_error& e) {
    EXPECT_NE(std::string(e.what()).find("event-loop-a"), std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace aio
