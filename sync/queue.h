// aio::Queue<T>, aio::PriorityQueue<T, Compare> and aio::LifoQueue<T>
// (asyncio.Queue, PriorityQueue, LifoQueue, with Python 3.13's shutdown).
//
//   aio::Queue<Url> q(100);               // maxsize 100; 0 means unbounded
//   co_await q.put(url);                  // waits while the queue is full
//   Url u = co_await q.get();             // waits while it is empty
//   q.task_done();  co_await q.join();    // wait until every item is processed
//   q.shutdown();                         // producers and consumers stop
//
// Order: Queue is FIFO, LifoQueue returns the newest item, PriorityQueue the
// smallest by Compare (std::less: smallest first; equal priorities come out
// in insertion order).
//
// Fairness and hand-off: getters and putters are each served in arrival
// order. An item put while getters wait goes straight to the first getter; a
// slot freed while putters wait is reserved for the first putter. Items and
// slots promised to a woken waiter are not available to anyone else (no
// barging), so qsize() counts the items a get() could take now, while full()
// also counts promised items and reserved slots: full() is true exactly when
// put_nowait() would throw QueueFull.
//
// Cancellation: a getter cancelled while waiting takes nothing; one cancelled
// after an item was handed to it gives the item back to the next getter (or
// to the front of the queue). A putter cancelled while waiting, or after a
// slot was reserved for it, does not put its item (CancelledError means "not
// put") and its slot goes to the next putter. No item is lost or duplicated.
//
// Shutdown: shutdown() makes put()/put_nowait() throw QueueShutDown, wakes
// every blocked putter and getter with QueueShutDown, and lets get() drain the
// remaining items before it throws QueueShutDown. shutdown(true) ("immediate")
// also discards the remaining items, counting each as done, so join()
// returns. Items already handed to woken getters are theirs.
//
// Threads and loops: use from one loop's thread (another thread must go
// through loop.call_soon_threadsafe). A queue binds to the first loop that
// uses it; use from another loop throws std::logic_error. put_nowait() may be
// called before any loop runs. Waiters resume on the bound loop through its
// run queue. Destroying a queue that tasks wait on wakes them with
// std::logic_error.
#ifndef AIO_SYNC_QUEUE_H_
#define AIO_SYNC_QUEUE_H_

#include <algorithm>
#include <coroutine>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <stdexcept>
#include <utility>
#include <vector>

#include "sync/event.h"
#include "sync/internal/loop_binding.h"
#include "loop/park.h"

namespace aio {

// get_nowait() on an empty queue (asyncio.QueueEmpty).
class QueueEmpty : public std::runtime_error {
 public:
  QueueEmpty() : std::runtime_error("aio::QueueEmpty: the queue is empty") {}
};

// put_nowait() on a full queue (asyncio.QueueFull).
class QueueFull : public std::runtime_error {
 public:
  QueueFull() : std::runtime_error("aio::QueueFull: the queue is full") {}
};

// put on a shut-down queue, or get on one that is shut down and empty
// (asyncio.QueueShutDown, Python 3.13).
class QueueShutDown : public std::runtime_error {
 public:
  QueueShutDown()
      : std::runtime_error("aio::QueueShutDown: the queue is shut down") {}
};

namespace internal {

// Storage policies: push, pop (the next item to get), give_back (an item a
// cancelled getter returns: it goes out first again), size, clear.
template <typename T>
class FifoStore {
 public:
  void push(T&& v) { d_.push_back(std::move(v)); }
  T pop() {
    T v = std::move(d_.front());
    d_.pop_front();
    return v;
  }
  void give_back(T&& v) { d_.push_front(std::move(v)); }
  size_t size() const { return d_.size(); }
  void clear() { d_.clear(); }

 private:
  std::deque<T> d_;
};

template <typename T>
class LifoStore {
 public:
  void push(T&& v) { v_.push_back(std::move(v)); }
  T pop() {
    T v = std::move(v_.back());
    v_.pop_back();
    return v;
  }
  void give_back(T&& v) { v_.push_back(std::move(v)); }
  size_t size() const { return v_.size(); }
  void clear() { v_.clear(); }

 private:
  std::vector<T> v_;
};

template <typename T, typename Compare>
class PriorityStore {
 public:
  void push(T&& v) {
    heap_.push_back(Entry{next_seq_++, std::move(v)});
    std::push_heap(heap_.begin(), heap_.end(), Later{&comp_});
  }
  T pop() {
    std::pop_heap(heap_.begin(), heap_.end(), Later{&comp_});
    T v = std::move(heap_.back().value);
    heap_.pop_back();
    return v;
  }
  // A returned item goes before every item of equal priority.
  void give_back(T&& v) {
    heap_.push_back(Entry{--first_seq_, std::move(v)});
    std::push_heap(heap_.begin(), heap_.end(), Later{&comp_});
  }
  size_t size() const { return heap_.size(); }
  void clear() { heap_.clear(); }

 private:
  struct Entry {
    int64_t seq;
    T value;
  };
  // std heaps keep the greatest on top: "greater" means "gets out first".
  struct Later {
    Compare* comp;
    bool operator()(const Entry& a, const Entry& b) const {
      if ((*comp)(b.value, a.value)) return true;
      if ((*comp)(a.value, b.value)) return false;
      return a.seq > b.seq;
    }
  };
  std::vector<Entry> heap_;
  Compare comp_;
  int64_t next_seq_ = 0;
  int64_t first_seq_ = 0;
};

}  // namespace internal

template <typename T, typename Store>
class BasicQueue {
  using ListWaiter = internal::ListWaiter;
  using Outcome = ListWaiter::Outcome;

 public:
  using value_type = T;

  // `maxsize` 0 means unbounded.
  explicit BasicQueue(size_t maxsize = 0) : maxsize_(maxsize) {
    finished_.set();
  }
  ~BasicQueue() {
    internal::abandon(getters_, granted_getters_);
    internal::abandon(putters_, granted_putters_);
  }
  BasicQueue(const BasicQueue&) = delete;
  BasicQueue& operator=(const BasicQueue&) = delete;

  class [[nodiscard]] PutAwaiter : private ListWaiter {
   public:
    PutAwaiter(BasicQueue* q, T item) : q_(q), item_(std::move(item)) {}
    PutAwaiter(PutAwaiter&&) = default;  // until awaited (loop/park.h)
    PutAwaiter& operator=(const PutAwaiter&) = delete;
    ~PutAwaiter() {
      internal::unpark(this);
      if (outcome == Outcome::kGranted) q_->release_reservation();
    }
    bool await_ready() {
      q_->check();
      if (q_->shutdown_) {
        immediate_ = kRefused;
        return true;
      }
      if (!q_->has_capacity()) return false;
      q_->enqueue(std::move(item_));
      immediate_ = kDone;
      return true;
    }
    bool await_suspend(std::coroutine_handle<> h) {
      return internal::park(this, q_->putters_, h, "aio::Queue::put");
    }
    void await_resume() {
      if (immediate_ == kDone) return;
      if (immediate_ == kRefused) throw QueueShutDown();
      switch (outcome) {
        case Outcome::kGranted:
          internal::take_grant(this);
          if (task->must_cancel() || q_->shutdown_) {
            q_->release_reservation();
            task->throw_if_must_cancel();
            throw QueueShutDown();
          }
          --q_->reserved_;
          q_->enqueue(std::move(item_));
          return;
        case Outcome::kShutDown:
          task->throw_if_must_cancel();
          throw QueueShutDown();
        case Outcome::kAbandoned:
          throw std::logic_error(
              "aio::Queue destroyed while a task was waiting to put");
        default:
          task->throw_if_must_cancel();
          throw std::logic_error("aio::Queue::put: resumed without a slot");
      }
    }

   private:
    enum : uint8_t { kParked, kDone, kRefused };
    BasicQueue* q_;
    T item_;
    uint8_t immediate_ = kParked;
  };

  class [[nodiscard]] GetAwaiter : private ListWaiter {
   public:
    explicit GetAwaiter(BasicQueue* q) : q_(q) {}
    GetAwaiter(GetAwaiter&&) = default;  // until awaited (loop/park.h)
    GetAwaiter& operator=(const GetAwaiter&) = delete;
    ~GetAwaiter() {
      internal::unpark(this);
      if (outcome == Outcome::kGranted) q_->give_back(std::move(*item_));
    }
    bool await_ready() {
      q_->check();
      if (q_->store_.size() > 0) {
        item_.emplace(q_->take());
        return true;
      }
      return q_->shutdown_;  // empty and shut down: await_resume throws
    }
    bool await_suspend(std::coroutine_handle<> h) {
      return internal::park(this, q_->getters_, h, "aio::Queue::get");
    }
    T await_resume() {
      if (outcome == Outcome::kWaiting && item_) return std::move(*item_);
      switch (outcome) {
        case Outcome::kGranted:
          internal::take_grant(this);
          if (task->must_cancel()) {
            q_->give_back(std::move(*item_));
            task->throw_if_must_cancel();
          }
          --q_->in_flight_;
          q_->grant_putters();
          return std::move(*item_);
        case Outcome::kAbandoned:
          throw std::logic_error(
              "aio::Queue destroyed while a task was waiting to get");
        case Outcome::kShutDown:
          task->throw_if_must_cancel();
          throw QueueShutDown();
        default:
          if (task) task->throw_if_must_cancel();
          if (q_->shutdown_) throw QueueShutDown();
          throw std::logic_error("aio::Queue::get: resumed without an item");
      }
    }

   private:
    friend class BasicQueue;
    BasicQueue* q_;
    std::optional<T> item_;
  };

  // Puts `item`, waiting while the queue is full. Throws QueueShutDown.
  PutAwaiter put(T item) { return PutAwaiter(this, std::move(item)); }
  // Takes the next item, waiting while the queue is empty. Throws
  // QueueShutDown once the queue is shut down and empty.
  GetAwaiter get() { return GetAwaiter(this); }

  // Puts at once or throws QueueFull / QueueShutDown.
  void put_nowait(T item) {
    check();
    if (shutdown_) throw QueueShutDown();
    if (!has_capacity()) throw QueueFull();
    enqueue(std::move(item));
  }
  // Takes at once or throws QueueEmpty / QueueShutDown (shut down and empty).
  T get_nowait() {
    check();
    if (store_.size() == 0) {
      if (shutdown_) throw QueueShutDown();
      throw QueueEmpty();
    }
    return take();
  }

  // Marks one item that get() returned as processed; join() returns once
  // every item put has been marked. std::logic_error if called more times than
  // items were put (asyncio's ValueError).
  void task_done() {
    check();
    if (unfinished_ == 0) {
      throw std::logic_error("aio::Queue::task_done() called too many times");
    }
    if (--unfinished_ == 0) finished_.set();
  }
  // Waits until every item put has been marked with task_done().
  Event::WaitAwaiter join() {
    check();
    return finished_.wait();
  }

  // See the header comment. Idempotent; shutdown(true) after shutdown() also
  // discards what is left.
  void shutdown(bool immediate = false) {
    check();
    shutdown_ = true;
    if (immediate) {
      immediate_ = true;
      while (store_.size() > 0) {
        store_.pop();
        count_discarded();
      }
    }
    internal::wake_all(getters_, Outcome::kShutDown);
    internal::wake_all(putters_, Outcome::kShutDown);
  }

  // Items a get() could take now.
  size_t qsize() const { return store_.size(); }
  bool empty() const { return store_.size() == 0; }
  // True when put_nowait() would throw QueueFull.
  bool full() const { return !has_capacity(); }
  size_t maxsize() const { return maxsize_; }
  bool is_shutdown() const { return shutdown_; }
  // Items put and not yet marked with task_done().
  size_t unfinished_tasks() const { return unfinished_; }

 private:
  void check() {
    binding_.check("aio::Queue", getters_.empty() && putters_.empty() &&
                                     granted_getters_.empty() &&
                                     granted_putters_.empty());
  }

  bool has_capacity() const {
    return maxsize_ == 0 || store_.size() + in_flight_ + reserved_ < maxsize_;
  }

  // A new item: to the first waiting getter, else into the store.
  void enqueue(T&& item) {
    ++unfinished_;
    if (unfinished_ == 1) finished_.clear();
    deliver(std::move(item));
  }
  void deliver(T&& item) {
    if (getters_.empty()) {
      store_.push(std::move(item));
      return;
    }
    auto* g = static_cast<GetAwaiter*>(getters_.pop_front());
    g->item_.emplace(std::move(item));
    ++in_flight_;
    internal::grant(g, granted_getters_);
  }
  T take() {
    T item = store_.pop();
    grant_putters();
    return item;
  }
  // A woken getter that will not take its item returns it.
  void give_back(T&& item) {
    --in_flight_;
    if (immediate_) {
      count_discarded();
      grant_putters();
    } else if (!getters_.empty()) {
      deliver(std::move(item));
    } else {
      store_.give_back(std::move(item));
    }
  }
  void release_reservation() {
    --reserved_;
    grant_putters();
  }
  // Reserves freed slots for waiting putters, in order.
  void grant_putters() {
    while (!putters_.empty() && has_capacity()) {
      ++reserved_;
      internal::grant(putters_.pop_front(), granted_putters_);
    }
  }
  void count_discarded() {
    if (unfinished_ > 0 && --unfinished_ == 0) finished_.set();
  }

  const size_t maxsize_;
  Store store_;
  size_t in_flight_ = 0;  // items handed to woken getters that have not run
  size_t reserved_ = 0;   // slots reserved for woken putters that have not run
  size_t unfinished_ = 0;
  bool shutdown_ = false;
  bool immediate_ = false;
  internal::WaitList getters_;
  internal::WaitList putters_;
  internal::WaitList granted_getters_;  // handed an item, not yet resumed
  internal::WaitList granted_putters_;  // given a slot, not yet resumed
  Event finished_;
  internal::LoopBinding binding_;
};

template <typename T>
class Queue : public BasicQueue<T, internal::FifoStore<T>> {
 public:
  using BasicQueue<T, internal::FifoStore<T>>::BasicQueue;
};

template <typename T>
class LifoQueue : public BasicQueue<T, internal::LifoStore<T>> {
 public:
  using BasicQueue<T, internal::LifoStore<T>>::BasicQueue;
};

template <typename T, typename Compare = std::less<T>>
class PriorityQueue
    : public BasicQueue<T, internal::PriorityStore<T, Compare>> {
 public:
  using BasicQueue<T, internal::PriorityStore<T, Compare>>::BasicQueue;
};

}  // namespace aio

#endif  // AIO_SYNC_QUEUE_H_
