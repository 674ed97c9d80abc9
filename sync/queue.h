// aio::Queue<T>, aio::PriorityQueue<T, Compare> and aio::LifoQueue<T>
// (asyncio.Queue, PriorityQueue, LifoQueue, with Python 3.13's shutdown).
//
//   aio::Queue<Url> q(100);               // maxsize 100; <= 0: unbounded
//   co_await q.put(url);                  // waits while the queue is full
//   Url u = co_await q.get();             // waits while it is empty
//   q.task_done();  co_await q.join();    // wait until every item is processed
//   q.shutdown();                         // producers and consumers stop
//
// Order: Queue is FIFO, LifoQueue returns the newest item, PriorityQueue the
// smallest by Compare (std::less: smallest first; equal priorities come out
// in insertion order).
//
// Fairness and hand-off: items always wait in the queue's container, and a get()
// takes the next item in the queue's order when its task runs, never before
// (as in asyncio), so neither a woken getter nor a cancelled one can change
// the order items come out in. Getters and putters are each served in
// arrival order: an item put while getters wait wakes the first getter and is
// promised to it (it is counted out of qsize() until that getter runs), and a
// slot freed while putters wait is reserved for the first putter; what is
// promised to a woken waiter is not available to anyone else (no barging).
// So qsize() counts the items a get() could take now, and full() is true
// exactly when put_nowait() would throw QueueFull.
//
// Cancellation: a getter cancelled while waiting, or after it was woken but
// before it ran, takes nothing; its promise passes to the next waiting getter
// (the item stays where it is in the queue). A putter cancelled while
// waiting, or after a slot was reserved for it, does not put its item
// (CancelledError means "not put") and its slot goes to the next putter. No
// item is lost or duplicated.
//
// Shutdown (Python 3.13): shutdown() makes put()/put_nowait() throw
// QueueShutDown, wakes every blocked putter and getter with QueueShutDown
// (woken putters that have not run yet too), and lets get() drain the
// remaining items before it throws QueueShutDown. shutdown(true)
// ("immediate") also discards the remaining items, counting each as done so
// that join() returns, and a getter that was woken for one of them raises
// QueueShutDown when it runs.
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
#include <stdexcept>
#include <type_traits>
#include <utility>
#include <vector>

#include "loop/park.h"
#include "sync/event.h"
#include "sync/internal/loop_binding.h"

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

// Storage policies: push, pop (the next item to get), size, clear.
template <typename T>
class FifoStore {
 public:
  void push(T&& v) { d_.push_back(std::move(v)); }
  T pop() {
    T v = std::move(d_.front());
    d_.pop_front();
    return v;
  }
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
  size_t size() const { return heap_.size(); }
  void clear() { heap_.clear(); }

 private:
  struct Entry {
    uint64_t seq;  // insertion order, for ties
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
  uint64_t next_seq_ = 0;
};

}  // namespace internal

template <typename T, typename Store>
class BasicQueue {
  // ListWaiter::WaitState stays qualified: aio::Outcome<T> is another thing.
  using ListWaiter = internal::ListWaiter;

 public:
  using value_type = T;

  // `maxsize` 0 means unbounded.
  explicit BasicQueue(size_t maxsize = 0) : maxsize_(maxsize) {
    finished_.set();
  }
  // asyncio's rule for a signed maxsize: zero or negative means unbounded.
  template <typename I>
  requires std::is_integral_v<I> && std::is_signed_v<I>
  explicit BasicQueue(I maxsize)
      : BasicQueue(maxsize > 0 ? static_cast<size_t>(maxsize) : size_t{0}) {}
  ~BasicQueue() {
    internal::abandon(getters_, woken_getters_);
    internal::abandon(putters_, woken_putters_);
  }
  BasicQueue(const BasicQueue&) = delete;
  BasicQueue& operator=(const BasicQueue&) = delete;

  // WaitState on entry to await_resume: kTaken when await_ready finished the
  // put at once, kShutDown when it refused it, else what the wake-up said.
  class [[nodiscard]] PutAwaiter : private ListWaiter {
   public:
    PutAwaiter(BasicQueue* q, T item) : q_(q), item_(std::move(item)) {}
    PutAwaiter(PutAwaiter&&) = default;  // until awaited (loop/park.h)
    PutAwaiter& operator=(const PutAwaiter&) = delete;
    ~PutAwaiter() {
      // Leaving woken_putters_ frees the slot reserved for this putter.
      const bool had_slot = outcome == ListWaiter::WaitState::kGranted;
      internal::unpark(this);
      if (had_slot) q_->grant_putters();
    }
    bool await_ready() {
      q_->check();
      if (q_->shutdown_) {
        outcome = ListWaiter::WaitState::kShutDown;
        return true;
      }
      if (!q_->has_capacity()) return false;
      q_->enqueue(std::move(item_));
      outcome = ListWaiter::WaitState::kTaken;
      return true;
    }
    bool await_suspend(std::coroutine_handle<> h) {
      return internal::park(this, q_->putters_, h, "aio::Queue::put");
    }
    void await_resume() {
      switch (outcome) {
        case ListWaiter::WaitState::kTaken:
          return;
        case ListWaiter::WaitState::kGranted:
          internal::take_grant(this);  // the reserved slot is ours to fill
          if (task->must_cancel()) {
            q_->grant_putters();
            task->throw_if_must_cancel();
          }
          q_->enqueue(std::move(item_));
          return;
        case ListWaiter::WaitState::kShutDown:
          if (task) task->throw_if_must_cancel();
          throw QueueShutDown();
        case ListWaiter::WaitState::kAbandoned:
          throw std::logic_error(
              "aio::Queue destroyed while a task was waiting to put");
        case ListWaiter::WaitState::kWaiting:
          break;
      }
      // Cancelled while waiting (or before parking): nothing was put.
      task->throw_if_must_cancel();
      throw std::logic_error("aio::Queue::put: resumed without a slot");
    }

   private:
    BasicQueue* q_;
    T item_;
  };

  // WaitState on entry to await_resume: kTaken when await_ready found an item
  // free, kShutDown when it found the queue shut down and empty, else what
  // the wake-up said. The item itself is taken from the container only here.
  class [[nodiscard]] GetAwaiter : private ListWaiter {
   public:
    explicit GetAwaiter(BasicQueue* q) : q_(q) {}
    GetAwaiter(GetAwaiter&&) = default;  // until awaited (loop/park.h)
    GetAwaiter& operator=(const GetAwaiter&) = delete;
    ~GetAwaiter() {
      // Leaving woken_getters_ releases the item promised to this getter.
      const bool promised = outcome == ListWaiter::WaitState::kGranted;
      internal::unpark(this);
      if (promised) q_->wake_getter();
    }
    bool await_ready() {
      q_->check();
      if (q_->available() > 0) {
        outcome = ListWaiter::WaitState::kTaken;
        return true;
      }
      if (q_->shutdown_) {
        outcome = ListWaiter::WaitState::kShutDown;
        return true;
      }
      return false;
    }
    bool await_suspend(std::coroutine_handle<> h) {
      return internal::park(this, q_->getters_, h, "aio::Queue::get");
    }
    T await_resume() {
      switch (outcome) {
        case ListWaiter::WaitState::kTaken:
          return q_->take();
        case ListWaiter::WaitState::kGranted:
          internal::take_grant(this);  // the promised item is ours to take
          if (task->must_cancel()) {
            q_->wake_getter();
            task->throw_if_must_cancel();
          }
          return q_->take();
        case ListWaiter::WaitState::kShutDown:
          if (task) task->throw_if_must_cancel();
          throw QueueShutDown();
        case ListWaiter::WaitState::kAbandoned:
          throw std::logic_error(
              "aio::Queue destroyed while a task was waiting to get");
        case ListWaiter::WaitState::kWaiting:
          break;
      }
      // Cancelled while waiting (or before parking): nothing was taken.
      task->throw_if_must_cancel();
      throw std::logic_error("aio::Queue::get: resumed without an item");
    }

   private:
    BasicQueue* q_;
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
  // Items promised to woken getters are not free.
  T get_nowait() {
    check();
    if (available() == 0) {
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
      const size_t discarded = store_.size();
      store_.clear();
      unfinished_ -= std::min(discarded, unfinished_);
      if (unfinished_ == 0) finished_.set();
      // Their items are gone: they raise QueueShutDown when they run.
      mark_woken(woken_getters_, ListWaiter::WaitState::kShutDown);
    }
    internal::wake_all(getters_, ListWaiter::WaitState::kShutDown);
    internal::wake_all(putters_, ListWaiter::WaitState::kShutDown);
    mark_woken(woken_putters_, ListWaiter::WaitState::kShutDown);
  }

  // Items a get() could take now.
  size_t qsize() const { return available(); }
  bool empty() const { return available() == 0; }
  // True when put_nowait() would throw QueueFull.
  bool full() const { return !has_capacity(); }
  size_t maxsize() const { return maxsize_; }
  bool is_shutdown() const { return shutdown_; }
  // Items put and not yet marked with task_done().
  size_t unfinished_tasks() const { return unfinished_; }

 private:
  void check() {
    binding_.check("aio::Queue", getters_.empty() && putters_.empty() &&
                                     woken_getters_.empty() &&
                                     woken_putters_.empty());
  }

  // Items in the container not promised to a woken getter. Getters wait
  // only while this is 0.
  size_t available() const { return store_.size() - woken_getters_.size(); }
  // Promised items still occupy their slots; reserved slots count as taken.
  bool has_capacity() const {
    return maxsize_ == 0 || store_.size() + woken_putters_.size() < maxsize_;
  }

  void enqueue(T&& item) {
    ++unfinished_;
    if (unfinished_ == 1) finished_.clear();
    store_.push(std::move(item));
    wake_getter();
  }
  // Promises a free item to the first waiting getter.
  void wake_getter() {
    if (!getters_.empty() && available() > 0) {
      internal::grant(getters_.pop_front(), woken_getters_);
    }
  }
  T take() {
    T item = store_.pop();
    grant_putters();
    return item;
  }
  // Reserves free slots for waiting putters, in order.
  void grant_putters() {
    while (!putters_.empty() && has_capacity()) {
      internal::grant(putters_.pop_front(), woken_putters_);
    }
  }
  // Woken waiters that have not run: tell them `outcome` instead of their
  // grant (they are already scheduled to run).
  static void mark_woken(internal::WaitList& woken,
                         ListWaiter::WaitState outcome) {
    while (!woken.empty()) woken.pop_front()->outcome = outcome;
  }

  const size_t maxsize_;
  Store store_;
  size_t unfinished_ = 0;
  bool shutdown_ = false;
  internal::WaitList getters_;
  internal::WaitList putters_;
  // Woken with a grant, not yet run: an item of store_ is promised to each
  // woken getter, and a slot reserved for each woken putter.
  internal::WaitList woken_getters_;
  internal::WaitList woken_putters_;
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
