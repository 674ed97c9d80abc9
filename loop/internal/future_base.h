// Internal: the shared state behind aio::Future<T> and aio::Task<T>.
//
// FutureBase is loop-affine and single-threaded: it is touched only on the
// thread running its loop (cross-thread completion goes through
// EventLoop::call_soon_threadsafe). It is reference counted without atomics.
//
// A Task's state is the promise of its root coroutine, so a task costs one
// allocation: the coroutine frame. Fields used only by tasks (resume point,
// current await point, id, name) live here rather than in a separate object.
#ifndef AIO_LOOP_INTERNAL_FUTURE_BASE_H_
#define AIO_LOOP_INTERNAL_FUTURE_BASE_H_

#include <coroutine>
#include <cstdint>
#include <exception>
#include <string>
#include <utility>

namespace aio {
class EventLoop;
namespace internal {

class FutureBase;

// A node in a future's intrusive list of waiters. When the future completes,
// each waiter is unlinked and `on_done` runs synchronously on the loop thread;
// it must only schedule work (wake a task, queue a callback), never run user
// code. Waiters live in coroutine frames or in callback nodes.
struct Waiter {
  Waiter* next = nullptr;
  Waiter* prev = nullptr;
  void (*on_done)(Waiter* self, FutureBase* fut) = nullptr;
  bool linked() const { return next != nullptr; }
};

// The await point a suspended task is parked at (see loop/park.h, whose
// ParkedTask every awaiter derives from). `cancel` is called on the loop
// thread with:
//   kCancel: task.cancel(msg) reached this await point. Detach the wait and
//     arrange for the task to be resumed. Return true when the await point
//     itself delivers the cancellation (the awaited future was cancelled with
//     `msg` and will raise CancelledError), false when the task must raise
//     CancelledError(msg) on resumption.
//   kDetach: the loop is closing; unregister the wait without waking the
//     task (it will never run again). The return value is ignored.
struct CancelHook {
  enum Op : uint8_t { kCancel, kDetach };
  bool (*cancel)(CancelHook* self, Op op, std::string& msg) = nullptr;
};

enum class State : uint8_t { kPending, kResult, kException, kCancelled };

class FutureBase {
 public:
  FutureBase() : resume_point(nullptr) {}
  FutureBase(const FutureBase&) = delete;
  FutureBase& operator=(const FutureBase&) = delete;

  // GCC and Clang place the promise right after the frame's two function
  // pointers when its alignment is at most 16 (checked in CoroPromise).
  static constexpr size_t kPromiseOffset = 2 * sizeof(void*);

  void add_ref() noexcept { ++refs_; }
  void release() noexcept {
    if (--refs_ == 0) destroy_state();
  }

  bool done() const { return state_ != State::kPending; }
  bool cancelled() const { return state_ == State::kCancelled; }
  State state() const { return state_; }
  bool is_task() const { return flags_ & kIsTask; }
  EventLoop* loop() const { return loop_; }
  // Binds a loop-less future (created outside a running loop) to `loop`, or
  // throws std::logic_error if it belongs to another loop.
  void bind_loop(EventLoop* loop, const char* what) {
    if (loop_ != loop) bind_loop_slow(loop, what);
  }

  // asyncio's Future.cancel(msg) / Task.cancel(msg). Returns false when done.
  bool cancel(std::string msg = {});
  // Completes the future with `e`. Precondition: pending, not a task.
  void set_exception(std::exception_ptr e);
  // Marks a stored result as present and wakes waiters. The typed subclass
  // stores the value first. Precondition: pending.
  void finish_with_result();
  // Throws InvalidStateError if done (for set_result / set_exception).
  void check_settable(const char* op) const {
    if ((flags_ & kIsTask) || state_ != State::kPending) settable_error(op);
  }
  // Rethrows the stored exception / CancelledError; InvalidStateError if
  // pending. Marks the exception as retrieved.
  void rethrow_if_failed() {
    if (state_ != State::kResult) rethrow_slow();
  }
  std::exception_ptr exception();  // nullptr if result; throws if cancelled

  void add_waiter(Waiter* w);
  void remove_waiter(Waiter* w);

  // ---- task part ----
  uint32_t id() const { return id_; }
  std::string name() const;
  void set_name(std::string name);
  int cancelling() const { return cancelling_; }
  int uncancel();
  bool must_cancel() const { return flags_ & kMustCancel; }
  // Consumes a pending cancellation request: if set, clears it and throws
  // CancelledError. Called by await points on resumption.
  void throw_if_must_cancel();
  // A task: the coroutine to resume next time the task runs. (A plain
  // future keeps its deleter here instead; see destroy_state.)
  union {
    std::coroutine_handle<> resume_point;
    void (*deleter_)(FutureBase*);
  };
  // Where the task is parked (nullptr when running or queued).
  CancelHook* awaiting = nullptr;
  // Runs one step of the task: resume_point.resume(). Called by the loop.
  static void step(FutureBase* task);
  // Completes the task from its final suspend point. `exc` is the escaping
  // exception (CancelledError makes the task cancelled).
  void finish_task(std::exception_ptr exc);

  // For EventLoop: registration in the loop's list of pending tasks.
  uint32_t live_index = 0;

 protected:
  // Cold paths of the inline checks above.
  void bind_loop_slow(EventLoop* loop, const char* what);
  [[noreturn]] void settable_error(const char* op) const;
  [[noreturn]] void rethrow_slow();

  // Not virtual: a task's state is destroyed with its coroutine frame, a
  // plain future's by its deleter_ (see destroy_state). No vtable keeps
  // the task state at 64 bytes.
  ~FutureBase();
  // Frees the storage: destroys the coroutine frame around this promise, or
  // calls the plain future's deleter.
  void destroy_state() noexcept;

  void init_task(EventLoop* loop, uint32_t id);
  void report_unretrieved();
  void fire_waiters();

  enum Flags : uint8_t {
    kIsTask = 1,
    kRetrieved = 2,   // exception was looked at
    kMustCancel = 4,  // cancellation requested, not yet delivered
    kStarted = 8,     // task coroutine has begun running
    kEscaped = 16,    // exc_ holds what escaped the coroutine's body
    kIsCoro = 32,     // this is a coroutine promise (else a plain future)
    kHasName = 64,    // a custom name is in the name table
  };

  uint32_t refs_ = 1;
  State state_ = State::kPending;
  uint8_t flags_ = 0;
  uint16_t cancelling_ = 0;
  uint32_t id_ = 0;
  EventLoop* loop_ = nullptr;
  Waiter* waiters_ = nullptr;  // circular doubly-linked list, head
  // The exception when done; while a task runs, a pending cancellation's
  // CancelledError; for a coroutine that is ending, what escaped its body.
  std::exception_ptr exc_;

  friend class ::aio::EventLoop;
};

// Symmetric transfer with a bounded stack.
//
// HACK: symmetric transfer relies on the compiler turning `resume()` of the
// returned handle into a tail call. GCC does so only with -O2 and without
// sanitizers (https://github.com/jbaldwin/libcoro/issues/277), so a debug or
// ASan build would overflow the stack on a long chain of coroutines that
// complete synchronously. Transfers therefore count their nesting: up to
// kMaxDirectTransfers they go direct (free when the tail call happens); past
// that the handle is parked in t_bounce and the task's step loop
// (FutureBase::step) resumes it from the bottom of the stack.
inline constexpr int kMaxDirectTransfers = 64;
inline thread_local int t_transfer_depth = 0;
inline thread_local std::coroutine_handle<> t_bounce = nullptr;

inline std::coroutine_handle<> transfer_to(std::coroutine_handle<> next) {
  if (++t_transfer_depth < kMaxDirectTransfers) return next;
  t_bounce = next;
  return std::noop_coroutine();
}

// The running task on this thread (nullptr outside any task).
inline thread_local FutureBase* t_current_task = nullptr;
inline FutureBase* current_task_base() { return t_current_task; }
// The running task, or std::logic_error naming `what` if there is none.
[[noreturn]] void no_task_error(const char* what);
inline FutureBase* require_task(const char* what) {
  FutureBase* t = current_task_base();
  if (!t) [[unlikely]] no_task_error(what);
  return t;
}

}  // namespace internal
}  // namespace aio

#endif  // AIO_LOOP_INTERNAL_FUTURE_BASE_H_
