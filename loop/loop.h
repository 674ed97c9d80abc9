// The whole public API of //loop: asyncio for C++20.
#ifndef AIO_LOOP_LOOP_H_
#define AIO_LOOP_LOOP_H_

#include "loop/clock.h"
#include "loop/coro.h"
#include "loop/ensure_future.h"
#include "loop/errors.h"
#include "loop/event_loop.h"
#include "loop/future.h"
#include "loop/gather.h"
#include "loop/io.h"
#include "loop/run.h"
#include "loop/shield.h"
#include "loop/sleep.h"
#include "loop/task.h"
#include "loop/task_group.h"
#include "loop/wait.h"

#endif  // AIO_LOOP_LOOP_H_
