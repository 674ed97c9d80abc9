#include "loop/event_loop.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <set>
#include <stdexcept>
#include <system_error>

#include "loop/cpu_relax.h"

namespace aio {
namespace {

thread_local EventLoop* t_running_loop = nullptr;
thread_local EventLoop* t_set_loop = nullptr;
std::atomic<uint32_t> g_loop_counter{0};

std::mutex& live_loops_mu() {
  static std::mutex mu;
  return mu;
}
std::set<const EventLoop*>& live_loops() {
  static auto* s = new std::set<const EventLoop*>;
  return *s;
}

// Signal delivery: the handler writes the signal number to the owning loop's
// pipe (async-signal-safe); the loop reads it and runs the callback.
// Write end of the owning loop's signal pipe, plus one (0: no loop).
std::atomic<int> g_signal_fd[NSIG];
struct sigaction g_old_action[NSIG];

void on_signal(int sig) {
  int saved = errno;
  int fd = g_signal_fd[sig].load(std::memory_order_relaxed) - 1;
  if (fd >= 0) {
    unsigned char b = static_cast<unsigned char>(sig);
    ssize_t r = write(fd, &b, 1);
    (void)r;
  }
  errno = saved;
}

int64_t steady_ns() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

[[noreturn]] void throw_errno(const char* what) {
  throw std::system_error(errno, std::generic_category(), what);
}

constexpr uintptr_t kTagTask = 1;
constexpr unsigned kMaxRunsWithoutPoll = 256;
constexpr int64_t kMaxPollTimeoutNs = int64_t{24} * 3600 * 1'000'000'000;

}  // namespace

namespace internal {
bool loop_alive(const EventLoop* loop) {
  std::lock_guard<std::mutex> lock(live_loops_mu());
  return live_loops().count(loop) != 0;
}
}  // namespace internal

// ---------------------------------------------------------------- Handle

void Handle::cancel() {
  if (!node_ || node_->cancelled) return;
  node_->cancelled = true;
  if (node_->timer.queued() && node_->loop) {
    node_->loop->remove_timer(&node_->timer);
    node_->release();  // the timer heap's reference
  }
  node_->fn = nullptr;  // drop captures now, as asyncio drops the callback
}

TimePoint Handle::when() const {
  return TimePoint(Duration(node_ ? node_->timer.when : 0));
}

// ---------------------------------------------------------------- EventLoop

void EventLoop::fire_callback_timer(internal::TimerNode* t) {
  // `timer` is CallbackNode's first member.
  auto* node = reinterpret_cast<internal::CallbackNode*>(t);
  // The heap's reference moves to the ready queue.
  node->queued = true;
  node->loop->ready_.push(reinterpret_cast<uintptr_t>(node));
}

EventLoop::EventLoop() : EventLoop(Options{}) {}

EventLoop::EventLoop(Options options) : virtual_time_(options.virtual_time) {
  if (options.spin_before_block.count() < 0) {
    throw std::invalid_argument(
        "EventLoop::Options::spin_before_block must not be negative");
  }
  spin_ns_ = internal::to_ns(options.spin_before_block,
                             "EventLoop::Options::spin_before_block");
  uint32_t n = ++g_loop_counter;
  name_ = options.name.empty() ? "EventLoop-" + std::to_string(n)
                               : std::move(options.name);
  epfd_ = epoll_create1(EPOLL_CLOEXEC);
  if (epfd_ < 0) throw_errno("epoll_create1");
  wakefd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (wakefd_ < 0) throw_errno("eventfd");
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = wakefd_;
  if (epoll_ctl(epfd_, EPOLL_CTL_ADD, wakefd_, &ev) < 0)
    throw_errno("epoll_ctl");
  virtual_base_ = steady_ns();
  std::lock_guard<std::mutex> lock(live_loops_mu());
  live_loops().insert(this);
}

EventLoop::~EventLoop() {
  if (running_) {
    std::fprintf(stderr, "aio: %s destroyed while running\n", name_.c_str());
    std::abort();
  }
  close();
  {
    std::lock_guard<std::mutex> lock(live_loops_mu());
    live_loops().erase(this);
  }
  if (t_set_loop == this) t_set_loop = nullptr;
}

void EventLoop::check_open() const {
  if (closed_) throw std::logic_error(name_ + " is closed");
}

int64_t EventLoop::now_ns() const {
  if (virtual_time_) return virtual_base_ + virtual_offset_;
  return steady_ns();
}

void EventLoop::close() {
  if (running_) throw std::logic_error("Cannot close a running event loop");
  if (closed_) return;
  closed_ = true;
  for (auto& [sig, node] : signal_handlers_) {
    g_signal_fd[sig].store(0);
    sigaction(sig, &g_old_action[sig], nullptr);
    node->release();
  }
  signal_handlers_.clear();
  // Parked tasks leave what they wait on (loop/park.h, kDetach) while the
  // loop is still whole, so that completing a Future or setting an Event
  // after the loop is gone touches nothing of it.
  for (auto* t : live_tasks_) {
    if (internal::CancelHook* h = t->awaiting) {
      std::string none;
      h->cancel(h, internal::CancelHook::kDetach, none);
      t->awaiting = nullptr;
    }
  }
  // Pending tasks: the loop drops its reference. Their frames stay alive as
  // long as user handles do; nothing they wait on is registered any more.
  while (!timers_.empty()) {
    internal::TimerNode* t = timers_.pop();
    if (t->fire == &fire_callback_timer) {
      reinterpret_cast<internal::CallbackNode*>(t)->release();
    }
  }
  while (!ready_.empty()) {
    uintptr_t v = ready_.pop();
    if (!(v & kTagTask))
      reinterpret_cast<internal::CallbackNode*>(v)->release();
  }
  for (auto& s : fds_) {
    for (uintptr_t* p : {&s.reader, &s.writer}) {
      if (*p && !(*p & 1))
        reinterpret_cast<internal::CallbackNode*>(*p)->release();
      *p = 0;
    }
  }
  fds_.clear();
  auto tasks = std::move(live_tasks_);
  live_tasks_.clear();
  for (auto* t : tasks) t->live_index = UINT32_MAX;
  for (auto* t : tasks) t->release();
  std::vector<Callback> dropped;
  {
    std::lock_guard<std::mutex> lock(ts_mu_);
    ts_closed_ = true;
    dropped.swap(ts_queue_);
  }
  dropped.clear();  // outside the lock: a destructor may call us back
  if (default_executor_) {
    default_executor_->shutdown(true);
    default_executor_.reset();
  }
  if (sigpipe_[0] >= 0) {
    ::close(sigpipe_[0]);
    ::close(sigpipe_[1]);
    sigpipe_[0] = sigpipe_[1] = -1;
  }
  ::close(wakefd_);
  ::close(epfd_);
  wakefd_ = epfd_ = -1;
}

void EventLoop::stop() {
  stopping_.store(true, std::memory_order_release);
  std::lock_guard<std::mutex> lock(ts_mu_);
  if (!ts_closed_) wake_locked();
}

void EventLoop::wake_locked() {
  // Under ts_mu_, so close() cannot close (and the fd number be reused)
  // between the check of ts_closed_ and this write.
  if (!wake_pending_.exchange(true) && !spinning_.load()) {
    uint64_t one = 1;
    ssize_t r = write(wakefd_, &one, sizeof one);
    (void)r;
  }
}

void EventLoop::check_can_run() const {
  check_open();
  if (running_) throw std::logic_error("This event loop is already running");
  if (t_running_loop != nullptr) {
    throw std::logic_error("Cannot run " + name_ + " while another loop (" +
                           t_running_loop->name_ +
                           ") is running in this thread");
  }
}

void EventLoop::run_forever() {
  check_can_run();
  running_ = true;
  t_running_loop = this;
  struct Reset {
    EventLoop* l;
    ~Reset() {
      l->running_ = false;
      l->stopping_.store(false);
      t_running_loop = nullptr;
    }
  } reset{this};
  for (;;) {
    run_once();
    if (stopping_.load(std::memory_order_acquire)) break;
  }
}

void EventLoop::run_once() {
  // Poll I/O when nothing is ready, and regularly while busy so that I/O and
  // timers are not starved. Skipping the syscall while callbacks are ready
  // keeps task hand-offs cheap.
  if (ready_.empty() || runs_since_poll_ >= kMaxRunsWithoutPoll ||
      stopping_.load(std::memory_order_relaxed)) {
    int64_t timeout = poll_timeout();
    if (timeout != 0 && spin_waits_ > 0 && spin_ns_ > 0 && !virtual_time_)
      timeout = spin_for_wakeup(timeout);
    if (virtual_time_) {
      poll_virtual(timeout);
    } else {
      poll(timeout);
    }
    runs_since_poll_ = 0;
    fire_timers();
  }
  run_ready_batch();
}

int64_t EventLoop::poll_timeout() const {
  if (!ready_.empty() || stopping_.load(std::memory_order_relaxed)) return 0;
  if (timers_.empty() || timers_.top_when() == internal::kNever) return -1;
  const int64_t when = timers_.top_when();
  const int64_t now = now_ns();
  return when <= now ? 0 : when - now;  // now >= 0: no overflow
}

int64_t EventLoop::spin_for_wakeup(int64_t timeout) {
  // A task awaits another thread (an executor job): that thread's
  // call_soon_threadsafe is likely imminent, and waking a thread that
  // blocked in epoll costs ~10 us on a VM. Spin briefly first.
  // While spinning_ is set, wakers skip the eventfd write (a syscall on
  // each side); spinning_ and wake_pending_ are a Dekker pair (seq_cst),
  // so after spinning_ is cleared a skipped wake-up is always seen here.
  const int64_t start = steady_ns();
  const int64_t spin = timeout < 0 || timeout > spin_ns_ ? spin_ns_ : timeout;
  const int64_t until = start + spin;
  int64_t now = start;
  spinning_.store(true);
  while (!wake_pending_.load() && now < until) {
    cpu_relax();
    now = steady_ns();
  }
  spinning_.store(false);
  if (wake_pending_.load()) {
    wake_pending_.store(false);
    drain_threadsafe();
    return 0;
  }
  // The spin used part of the wait: the next timer is that much nearer.
  if (timeout > 0) return std::max<int64_t>(0, timeout - (now - start));
  return timeout;
}

void EventLoop::poll_virtual(int64_t timeout) {
  if (timeout == 0) {
    poll(0);
  } else if (external_waits_ > 0) {
    // A task waits for another thread: the clock must not jump past work in
    // flight. Wait for real, as a real loop would, and let virtual time
    // follow the wall clock meanwhile (never past the next timer).
    const int64_t start = steady_ns();
    poll(timeout);
    const int64_t elapsed = steady_ns() - start;
    virtual_offset_ += timeout < 0 ? elapsed : std::min(elapsed, timeout);
  } else if (timeout > 0) {
    // Autojump: see whether anything real is ready; if not, jump the clock.
    poll(0);
    if (ready_.empty()) virtual_offset_ += timeout;
  } else {
    poll(-1);  // no timers: only I/O or another thread can wake us
  }
}

void EventLoop::poll(int64_t timeout_ns) {
  constexpr int kMaxEvents = 256;
  // As asyncio caps its select timeout: a far timer costs a wake-up a day.
  if (timeout_ns > kMaxPollTimeoutNs) timeout_ns = kMaxPollTimeoutNs;
  epoll_event events[kMaxEvents];
  int n;
  if (timeout_ns < 0) {
    n = epoll_wait(epfd_, events, kMaxEvents, -1);
  } else {
    timespec ts{static_cast<time_t>(timeout_ns / 1'000'000'000),
                static_cast<long>(timeout_ns % 1'000'000'000)};
    n = epoll_pwait2(epfd_, events, kMaxEvents, &ts, nullptr);
  }
  if (n < 0) {
    if (errno == EINTR) return;
    throw_errno("epoll_wait");
  }
  for (int i = 0; i < n; ++i) {
    int fd = events[i].data.fd;
    uint32_t ev = events[i].events;
    if (fd == wakefd_) {
      uint64_t v;
      ssize_t r = read(wakefd_, &v, sizeof v);
      (void)r;
      wake_pending_.store(false);
      drain_threadsafe();
      continue;
    }
    if (fd == sigpipe_[0]) {
      drain_signals();
      continue;
    }
    if (fd < 0 || static_cast<size_t>(fd) >= fds_.size()) continue;
    FdSlot& s = fds_[fd];
    bool want_update = false;
    if (ev & (EPOLLIN | EPOLLHUP | EPOLLERR | EPOLLRDHUP)) {
      if (s.reader & 1) {
        auto* w = reinterpret_cast<IoWaiter*>(s.reader & ~uintptr_t{1});
        s.reader = 0;
        w->events = ev;
        wake_parked(w->task);
      } else if (s.reader) {
        schedule_node(reinterpret_cast<internal::CallbackNode*>(s.reader));
      } else {
        want_update = true;
      }
    }
    if (ev & (EPOLLOUT | EPOLLHUP | EPOLLERR)) {
      if (s.writer & 1) {
        auto* w = reinterpret_cast<IoWaiter*>(s.writer & ~uintptr_t{1});
        s.writer = 0;
        w->events = ev;
        wake_parked(w->task);
      } else if (s.writer) {
        schedule_node(reinterpret_cast<internal::CallbackNode*>(s.writer));
      } else if (ev & EPOLLOUT) {
        want_update = true;
      }
    }
    // Interest is dropped lazily: only when an event arrives that nobody
    // waits for is the epoll registration narrowed (saves a syscall per
    // one-shot wait).
    if (want_update) update_fd(fd);
  }
}

void EventLoop::fire_timers() {
  if (timers_.empty()) return;
  int64_t now = now_ns();
  while (!timers_.empty() && timers_.top_when() <= now) {
    internal::TimerNode* t = timers_.pop();
    t->fire(t);
  }
}

void EventLoop::run_ready_batch() {
  // Only what is ready now runs in this batch; what it schedules runs next.
  size_t n = ready_.size();
  runs_since_poll_ += n ? static_cast<unsigned>(n) : 1;
  for (size_t i = 0; i < n; ++i) {
    uintptr_t v = ready_.pop();
    if (v & kTagTask) {
      internal::FutureBase::step(
          reinterpret_cast<internal::FutureBase*>(v & ~kTagTask));
    } else {
      run_callback(reinterpret_cast<internal::CallbackNode*>(v));
    }
  }
}

void EventLoop::schedule_node(internal::CallbackNode* n) {
  if (n->queued) return;
  n->queued = true;
  n->add_ref();
  ready_.push(reinterpret_cast<uintptr_t>(n));
}

void EventLoop::run_callback(internal::CallbackNode* n) {
  n->queued = false;
  if (!n->cancelled && n->fn) {
    try {
      if (n->persistent) {
        n->fn();
      } else {
        Callback fn = std::move(n->fn);
        fn();
      }
    } catch (...) {
      call_exception_handler(
          {"Exception in callback", std::current_exception(), {}});
    }
  }
  n->release();
}

Handle EventLoop::call_soon(Callback fn) {
  check_open();
  auto* n = new internal::CallbackNode;
  n->loop = this;
  n->fn = std::move(fn);
  Handle h(n);
  n->queued = true;  // the queue owns the initial reference
  ready_.push(reinterpret_cast<uintptr_t>(n));
  return h;
}

Handle EventLoop::add_timer_callback(int64_t when, Callback fn) {
  check_open();
  auto* n = new internal::CallbackNode;
  n->loop = this;
  n->fn = std::move(fn);
  n->timer.when = when;
  n->timer.fire = &fire_callback_timer;
  Handle h(n);
  timers_.push(&n->timer);
  return h;
}

Handle EventLoop::call_at(TimePoint when, Callback fn) {
  return add_timer_callback(when.time_since_epoch().count(), std::move(fn));
}

void EventLoop::call_soon_threadsafe(Callback fn) {
  std::lock_guard<std::mutex> lock(ts_mu_);
  if (ts_closed_) throw std::logic_error(name_ + " is closed");
  ts_queue_.push_back(std::move(fn));
  wake_locked();
}

void EventLoop::drain_threadsafe() {
  std::vector<Callback> batch;
  {
    std::lock_guard<std::mutex> lock(ts_mu_);
    batch.swap(ts_queue_);
  }
  for (auto& fn : batch) call_soon(std::move(fn));
}

// ---------------------------------------------------------------- fds

EventLoop::FdSlot& EventLoop::slot(int fd) {
  if (fd < 0)
    throw std::invalid_argument("invalid file descriptor " +
                                std::to_string(fd));
  if (static_cast<size_t>(fd) >= fds_.size()) fds_.resize(fd + 64);
  return fds_[fd];
}

void EventLoop::update_fd(int fd) {
  FdSlot& s = fds_[fd];
  uint32_t want = (s.reader ? uint32_t{EPOLLIN} : 0u) |
                  (s.writer ? uint32_t{EPOLLOUT} : 0u);
  if (want == s.registered && s.in_epoll == (want != 0)) return;
  epoll_event ev{};
  ev.events = want;
  ev.data.fd = fd;
  if (want == 0) {
    if (s.in_epoll) epoll_ctl(epfd_, EPOLL_CTL_DEL, fd, nullptr);
    s.in_epoll = false;
    s.registered = 0;
    return;
  }
  int op = s.in_epoll ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
  if (epoll_ctl(epfd_, op, fd, &ev) < 0) {
    // The fd may have been closed and reused behind our back: retry.
    if (errno == ENOENT) {
      op = EPOLL_CTL_ADD;
    } else if (errno == EEXIST) {
      op = EPOLL_CTL_MOD;
    } else {
      throw_errno("epoll_ctl");
    }
    if (epoll_ctl(epfd_, op, fd, &ev) < 0) throw_errno("epoll_ctl");
  }
  s.in_epoll = true;
  s.registered = want;
}

void EventLoop::set_fd_callback(int fd, bool write, Callback fn) {
  check_open();
  FdSlot& s = slot(fd);
  uintptr_t& p = write ? s.writer : s.reader;
  if (p & 1) {
    throw std::logic_error("fd " + std::to_string(fd) +
                           " is already awaited by a task for " +
                           (write ? "writing" : "reading"));
  }
  if (p) reinterpret_cast<internal::CallbackNode*>(p)->release();
  auto* n = new internal::CallbackNode;
  n->loop = this;
  n->persistent = true;
  n->fn = std::move(fn);
  p = reinterpret_cast<uintptr_t>(n);
  if ((s.registered & (write ? EPOLLOUT : EPOLLIN)) == 0) {
    try {
      update_fd(fd);
    } catch (...) {
      p = 0;
      n->release();
      throw;
    }
  }
}

bool EventLoop::clear_fd_callback(int fd, bool write) {
  if (fd < 0 || static_cast<size_t>(fd) >= fds_.size()) return false;
  FdSlot& s = fds_[fd];
  uintptr_t& p = write ? s.writer : s.reader;
  if (!p || (p & 1)) return false;
  auto* n = reinterpret_cast<internal::CallbackNode*>(p);
  n->cancelled = true;
  n->release();
  p = 0;
  update_fd(fd);
  return true;
}

void EventLoop::add_reader(int fd, Callback fn) {
  set_fd_callback(fd, false, std::move(fn));
}
void EventLoop::add_writer(int fd, Callback fn) {
  set_fd_callback(fd, true, std::move(fn));
}
bool EventLoop::remove_reader(int fd) { return clear_fd_callback(fd, false); }
bool EventLoop::remove_writer(int fd) { return clear_fd_callback(fd, true); }

void EventLoop::forget_fd(int fd) {
  if (fd < 0 || static_cast<size_t>(fd) >= fds_.size()) return;
  FdSlot& s = fds_[fd];
  for (uintptr_t* p : {&s.reader, &s.writer}) {
    if (*p & 1) {
      // A task awaits this fd: wake it; it will see no readiness events.
      auto* w = reinterpret_cast<IoWaiter*>(*p & ~uintptr_t{1});
      w->events = EPOLLERR;
      wake_parked(w->task);
    } else if (*p) {
      auto* n = reinterpret_cast<internal::CallbackNode*>(*p);
      n->cancelled = true;
      n->release();
    }
    *p = 0;
  }
  if (s.in_epoll) epoll_ctl(epfd_, EPOLL_CTL_DEL, fd, nullptr);
  s.in_epoll = false;
  s.registered = 0;
}

void EventLoop::set_io_waiter(int fd, bool write, IoWaiter* w) {
  check_open();
  FdSlot& s = slot(fd);
  uintptr_t& p = write ? s.writer : s.reader;
  if (p) {
    throw std::logic_error("fd " + std::to_string(fd) + " already has a " +
                           (write ? "writer" : "reader"));
  }
  p = reinterpret_cast<uintptr_t>(w) | 1;
  if ((s.registered & (write ? EPOLLOUT : EPOLLIN)) == 0) {
    try {
      update_fd(fd);
    } catch (...) {
      p = 0;  // e.g. EPERM: a regular file cannot be polled
      throw;
    }
  }
}

void EventLoop::clear_io_waiter(int fd, bool write, IoWaiter* w) {
  if (fd < 0 || static_cast<size_t>(fd) >= fds_.size()) return;
  FdSlot& s = fds_[fd];
  uintptr_t& p = write ? s.writer : s.reader;
  if (p == (reinterpret_cast<uintptr_t>(w) | 1)) p = 0;
}

// ---------------------------------------------------------------- signals

void EventLoop::add_signal_handler(int sig, Callback fn) {
  check_open();
  if (sig <= 0 || sig >= NSIG || sig == SIGKILL || sig == SIGSTOP) {
    throw std::invalid_argument("invalid signal number " + std::to_string(sig));
  }
  if (sigpipe_[0] < 0) {
    if (pipe2(sigpipe_, O_CLOEXEC | O_NONBLOCK) < 0) throw_errno("pipe2");
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = sigpipe_[0];
    if (epoll_ctl(epfd_, EPOLL_CTL_ADD, sigpipe_[0], &ev) < 0)
      throw_errno("epoll_ctl");
  }
  auto* n = new internal::CallbackNode;
  n->loop = this;
  n->persistent = true;
  n->fn = std::move(fn);
  for (auto& [s, node] : signal_handlers_) {
    if (s == sig) {
      // A new node, as add_reader does: the old callable may be the one
      // running now (a handler that replaces itself); it dies with its node
      // once that run ends.
      node->cancelled = true;
      node->release();
      node = n;
      return;
    }
  }
  int expected = 0;
  if (!g_signal_fd[sig].compare_exchange_strong(expected, sigpipe_[1] + 1)) {
    n->release();
    throw std::logic_error("signal " + std::to_string(sig) +
                           " is handled by another event loop");
  }
  signal_handlers_.emplace_back(sig, n);
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sa.sa_flags = SA_RESTART;
  sigemptyset(&sa.sa_mask);
  sigaction(sig, &sa, &g_old_action[sig]);
}

bool EventLoop::remove_signal_handler(int sig) {
  for (auto it = signal_handlers_.begin(); it != signal_handlers_.end(); ++it) {
    if (it->first == sig) {
      g_signal_fd[sig].store(0);
      sigaction(sig, &g_old_action[sig], nullptr);
      it->second->cancelled = true;
      it->second->release();
      signal_handlers_.erase(it);
      return true;
    }
  }
  return false;
}

void EventLoop::drain_signals() {
  unsigned char buf[64];
  for (;;) {
    ssize_t r = read(sigpipe_[0], buf, sizeof buf);
    if (r <= 0) break;
    for (ssize_t i = 0; i < r; ++i) {
      for (auto& [s, node] : signal_handlers_) {
        if (s == buf[i]) schedule_node(node);
      }
    }
  }
}

// ---------------------------------------------------------------- errors

void EventLoop::set_exception_handler(ExceptionHandler handler) {
  exception_handler_ = std::move(handler);
}

void EventLoop::call_exception_handler(const ExceptionContext& ctx) {
  if (exception_handler_) {
    try {
      exception_handler_(*this, ctx);
      return;
    } catch (...) {
      std::fprintf(stderr, "aio: unhandled error in exception handler: %s\n",
                   describe_exception(std::current_exception()).c_str());
    }
  }
  default_exception_handler(ctx);
}

void EventLoop::default_exception_handler(const ExceptionContext& ctx) {
  std::string text = ctx.message;
  if (!ctx.task_name.empty()) text += "\ntask: " + ctx.task_name;
  if (ctx.exception)
    text += "\nexception: " + describe_exception(ctx.exception);
  std::fprintf(stderr, "%s: %s\n", name_.c_str(), text.c_str());
}

void EventLoop::set_default_executor(
    std::shared_ptr<Executor> executor) {
  default_executor_ = std::move(executor);
}

void EventLoop::shutdown_default_executor() {
  executor_shut_down_ = true;
  if (default_executor_) {
    default_executor_->shutdown(true);
    default_executor_.reset();
  }
}

// ---------------------------------------------------------------- tasks

void EventLoop::register_task(internal::FutureBase* t) {
  t->live_index = static_cast<uint32_t>(live_tasks_.size());
  live_tasks_.push_back(t);
}

void EventLoop::unregister_task(internal::FutureBase* t) {
  uint32_t i = t->live_index;
  if (i >= live_tasks_.size() || live_tasks_[i] != t) return;
  live_tasks_[i] = live_tasks_.back();
  live_tasks_[i]->live_index = i;
  live_tasks_.pop_back();
  t->live_index = UINT32_MAX;
}

// ---------------------------------------------------------------- current loop

EventLoop& get_running_loop() {
  if (!t_running_loop) throw std::runtime_error("no running event loop");
  return *t_running_loop;
}

EventLoop* get_running_loop_or_null() { return t_running_loop; }

EventLoop& get_event_loop() {
  if (t_running_loop) return *t_running_loop;
  if (t_set_loop) return *t_set_loop;
  throw std::runtime_error(
      "There is no current event loop in this thread (use aio::run, "
      "aio::new_event_loop or aio::set_event_loop)");
}

void set_event_loop(EventLoop* loop) { t_set_loop = loop; }

std::unique_ptr<EventLoop> new_event_loop(EventLoop::Options options) {
  return std::make_unique<EventLoop>(std::move(options));
}

}  // namespace aio
