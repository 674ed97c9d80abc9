#include "loop/task_group.h"

namespace aio {

struct TaskGroup::Child : internal::Waiter {
  TaskGroup* group = nullptr;
  internal::FutureBase* task = nullptr;
  size_t index = 0;
};

TaskGroup::TaskGroup()
    : loop_(internal::require_task("aio::TaskGroup")->loop()),
      parent_(internal::current_task_base()),
      all_done_(Future<void>::adopt(nullptr)) {}

TaskGroup::~TaskGroup() {
  size_t left = children_.size();
  for (auto& c : children_) {
    c->task->remove_waiter(c.get());
    c->task->cancel();
    c->task->release();
  }
  if (left && internal::loop_alive(loop_) && !loop_->is_closed()) {
    loop_->call_exception_handler(
        {"TaskGroup destroyed without join(); cancelled " +
             std::to_string(left) + " pending task(s)",
         nullptr, parent_->name()});
  }
}

void TaskGroup::watch(internal::FutureBase* t) {
  auto c = std::make_unique<Child>();
  c->group = this;
  c->task = t;
  c->index = children_.size();
  t->add_ref();
  c->on_done = [](internal::Waiter* w, internal::FutureBase*) {
    auto* child = static_cast<Child*>(w);
    child->group->on_child_done(child);
  };
  t->add_waiter(c.get());
  children_.push_back(std::move(c));
}

void TaskGroup::on_child_done(Child* c) {
  internal::FutureBase* t = c->task;
  // Forget the child (swap-remove), so a long-lived group stays small.
  std::unique_ptr<Child> mine = std::move(children_[c->index]);
  if (c->index + 1 != children_.size()) {
    children_[c->index] = std::move(children_.back());
    children_[c->index]->index = c->index;
  }
  children_.pop_back();
  if (t->state() == internal::State::kException) {
    errors_.push_back(t->exception());
    if (!aborting_) {
      aborting_ = true;
      // Abort from the loop, as asyncio's done-callbacks do: children that
      // fail in this same iteration still report their own errors.
      loop_->call_soon([weak = std::weak_ptr<TaskGroup*>(self_)] {
        if (auto self = weak.lock()) (*self)->abort_and_interrupt();
      });
    }
  }
  t->release();
  if (children_.empty() && all_done_.valid() && !all_done_.done())
    all_done_.set_result();
}

void TaskGroup::abort_and_interrupt() {
  abort();
  // Interrupt the body, as asyncio does; join() swallows this cancel.
  if (!joining_ && !parent_->done()) {
    parent_->cancel();
    cancelled_parent_ = true;
  }
}

void TaskGroup::abort() {
  aborting_ = true;
  std::vector<internal::FutureBase*> tasks;
  tasks.reserve(children_.size());
  for (auto& c : children_) tasks.push_back(c->task);
  for (auto* t : tasks) t->cancel();
}

Coro<void> TaskGroup::join(std::exception_ptr body_error) {
  if (joined_) throw std::logic_error("TaskGroup::join called twice");
  joining_ = true;
  if (body_error) abort();
  std::exception_ptr outer_cancel;
  while (!children_.empty()) {
    all_done_ = loop_->create_future<void>();
    try {
      co_await all_done_;
    } catch (const CancelledError&) {
      // The parent was cancelled while joining: cancel the children and keep
      // waiting for them.
      outer_cancel = std::current_exception();
      abort();
    }
  }
  joined_ = true;
  // Our own cancel of the parent is swallowed (uncancel also drops it if it
  // was never delivered).
  if (cancelled_parent_) parent_->uncancel();
  bool body_failed = false;  // with something other than a cancellation
  if (body_error) {
    try {
      std::rethrow_exception(body_error);
    } catch (const CancelledError&) {
    } catch (...) {
      body_failed = true;
    }
  }
  // As asyncio (3.11+): the body's own error counts like a failing child's,
  // after the children's, and everything is raised together.
  if (!errors_.empty() || body_failed) {
    std::vector<std::exception_ptr> all = errors_;
    if (body_failed) all.push_back(body_error);
    throw ExceptionGroup("unhandled errors in a TaskGroup", std::move(all));
  }
  if (outer_cancel) std::rethrow_exception(outer_cancel);
  if (body_error) std::rethrow_exception(body_error);
}

}  // namespace aio
