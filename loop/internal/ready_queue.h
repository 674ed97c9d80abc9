// Internal: the loop's run queue, a growable ring buffer of tagged pointers
// (a task to step, or a callback node to run). FIFO: call_soon order is run
// order. Single-threaded.
#ifndef AIO_LOOP_INTERNAL_READY_QUEUE_H_
#define AIO_LOOP_INTERNAL_READY_QUEUE_H_

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>

namespace aio::internal {

class ReadyQueue {
 public:
  ReadyQueue() { grow(); }
  ~ReadyQueue() { std::free(buf_); }
  ReadyQueue(const ReadyQueue&) = delete;
  ReadyQueue& operator=(const ReadyQueue&) = delete;

  bool empty() const { return head_ == tail_; }
  size_t size() const { return tail_ - head_; }
  void push(uintptr_t v) {
    if (tail_ - head_ == cap_) grow();
    buf_[tail_++ & (cap_ - 1)] = v;
  }
  uintptr_t pop() { return buf_[head_++ & (cap_ - 1)]; }

 private:
  void grow() {
    size_t ncap = cap_ ? cap_ * 2 : 1024;
    auto* nbuf = static_cast<uintptr_t*>(std::malloc(ncap * sizeof(uintptr_t)));
    if (!nbuf) throw std::bad_alloc();
    size_t n = tail_ - head_;
    for (size_t i = 0; i < n; ++i) nbuf[i] = buf_[(head_ + i) & (cap_ - 1)];
    std::free(buf_);
    buf_ = nbuf;
    cap_ = ncap;
    head_ = 0;
    tail_ = n;
  }
  uintptr_t* buf_ = nullptr;
  size_t cap_ = 0;
  size_t head_ = 0;
  size_t tail_ = 0;
};

}  // namespace aio::internal

#endif  // AIO_LOOP_INTERNAL_READY_QUEUE_H_
