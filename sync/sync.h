// //sync: asyncio's synchronisation primitives for tasks of one event loop.
//
// Semaphore / BoundedSemaphore (semaphore.h), Lock (lock.h), Event (event.h),
// Condition (condition.h), Queue / PriorityQueue / LifoQueue (queue.h),
// RateLimiter (rate_limiter.h); acquire() returns a PermitGuard
// (permit_guard.h). Every primitive: FIFO waiters with no barging,
// cancellation that loses nothing, binds to the first loop that uses it and
// refuses other loops with std::logic_error. Cross-thread work belongs to
// //executor.
#ifndef AIO_SYNC_SYNC_H_
#define AIO_SYNC_SYNC_H_

#include "sync/condition.h"
#include "sync/event.h"
#include "sync/lock.h"
#include "sync/permit_guard.h"
#include "sync/queue.h"
#include "sync/rate_limiter.h"
#include "sync/semaphore.h"

#endif  // AIO_SYNC_SYNC_H_
