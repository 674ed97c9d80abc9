// Internal: the loop's timers, an intrusive 4-ary min-heap ordered by
// (deadline, insertion sequence), so equal deadlines fire in insertion order.
//
// Nodes live in their owners (a sleep's awaiter in the coroutine frame, or a
// call_later callback node) and record their heap index, so cancelling a timer
// removes it at once in O(log n) and a destroyed frame leaves nothing behind.
#ifndef AIO_LOOP_INTERNAL_TIMER_HEAP_H_
#define AIO_LOOP_INTERNAL_TIMER_HEAP_H_

#include <cstddef>
#include <cstdint>
#include <vector>

namespace aio::internal {

struct TimerNode {
  static constexpr uint32_t kNotQueued = UINT32_MAX;
  int64_t when = 0;  // ns on the loop's clock
  void (*fire)(TimerNode* self) = nullptr;
  uint32_t index = kNotQueued;  // position in the heap
  uint8_t owner_bits = 0;       // free for the owner (fits in padding)
  bool queued() const { return index != kNotQueued; }
};

class TimerHeap {
 public:
  bool empty() const { return heap_.empty(); }
  size_t size() const { return heap_.size(); }
  const TimerNode* top() const { return heap_.front().node; }
  int64_t top_when() const { return heap_.front().when; }

  void push(TimerNode* n) {
    n->index = static_cast<uint32_t>(heap_.size());
    heap_.push_back(Entry{n->when, next_seq_++, n});
    sift_up(n->index);
  }
  // Removes `n` if queued.
  void remove(TimerNode* n) {
    if (!n->queued()) return;
    uint32_t i = n->index;
    n->index = TimerNode::kNotQueued;
    Entry last = heap_.back();
    heap_.pop_back();
    if (i == heap_.size()) return;
    heap_[i] = last;
    last.node->index = i;
    if (i > 0 && less(heap_[i], heap_[(i - 1) / 4])) {
      sift_up(i);
    } else {
      sift_down(i);
    }
  }
  TimerNode* pop() {
    TimerNode* n = heap_.front().node;
    remove(n);
    return n;
  }
  // Unlinks every node without firing it (loop close).
  void clear() {
    for (auto& e : heap_) e.node->index = TimerNode::kNotQueued;
    heap_.clear();
  }

 private:
  struct Entry {
    int64_t when;
    uint64_t seq;
    TimerNode* node;
  };
  static bool less(const Entry& a, const Entry& b) {
    return a.when < b.when || (a.when == b.when && a.seq < b.seq);
  }
  void sift_up(uint32_t i) {
    Entry e = heap_[i];
    while (i > 0) {
      uint32_t p = (i - 1) / 4;
      if (!less(e, heap_[p])) break;
      heap_[i] = heap_[p];
      heap_[i].node->index = i;
      i = p;
    }
    heap_[i] = e;
    e.node->index = i;
  }
  void sift_down(uint32_t i) {
    Entry e = heap_[i];
    const uint32_t n = static_cast<uint32_t>(heap_.size());
    for (;;) {
      uint32_t c = 4 * i + 1;
      if (c >= n) break;
      uint32_t best = c;
      uint32_t end = c + 4 < n ? c + 4 : n;
      for (uint32_t k = c + 1; k < end; ++k) {
        if (less(heap_[k], heap_[best])) best = k;
      }
      if (!less(heap_[best], e)) break;
      heap_[i] = heap_[best];
      heap_[i].node->index = i;
      i = best;
    }
    heap_[i] = e;
    e.node->index = i;
  }

  std::vector<Entry> heap_;
  uint64_t next_seq_ = 0;
};

}  // namespace aio::internal

#endif  // AIO_LOOP_INTERNAL_TIMER_HEAP_H_
