// The tutorial's "at most 3 requests a minute": a Semaphore(3) whose holders
// sleep 60 s after their request before releasing the permit.
//
//   async def req(delay, sem):
//       print(f'请求一个延迟为{delay}秒的接口')
//       async with sem:
//           async with httpx.AsyncClient(timeout=20) as client:
//               resp = await client.get(f'http://127.0.0.1:8000/sleep/{delay}')
//               result = resp.json()
//               print(result)
//           await asyncio.sleep(60)
//
// and a main() (the tutorial does not show one):
//
//   async def main():
//       sem = asyncio.Semaphore(3)
//       start = time.perf_counter()
//       await asyncio.gather(*(req(delay, sem) for delay in [1, 2, 3, 1, 2, 3, 1]))
//       print(f"7 requests in {time.perf_counter() - start:.0f} s")
//   asyncio.run(main())
//
// The tutorial's server (http://127.0.0.1:8000/sleep/{delay}) is not shown:
// it answers after `delay` seconds. sleep_endpoint() stands in for it and for
// httpx here (it waits `delay` on the loop and returns the JSON {"delay": n},
// printed as Python prints the dict); aio::http::Client in //net is the real
// httpx.AsyncClient.
//
// What it shows: requests 1-3 get their answers at 1, 2, 3 s and keep their
// permits until 61, 62, 63 s; 4-6 start then; 7 waits for request 4's permit
// (122 s) and ends at 183 s. Holding a permit for a minute limits requests
// to 3 in flight per minute, but the program ends a minute after the last
// request; aio::RateLimiter does "3 per minute" exactly and holds nothing
// (rate_limit_per_minute.cc).
#include <cstdio>
#include <string>
#include <vector>

#include "examples/example_util.h"
#include "loop/loop.h"
#include "sync/sync.h"

// GET http://127.0.0.1:8000/sleep/{delay}, resp.json().
aio::Coro<std::string> sleep_endpoint(int delay) {
  co_await aio::sleep(delay);
  co_return "{'delay': " + std::to_string(delay) + "}";
}

aio::Coro<void> req(int delay, aio::Semaphore* sem) {
  std::printf("请求一个延迟为%d秒的接口\n", delay);
  auto permit = co_await sem->acquire();
  std::string result = co_await sleep_endpoint(delay);
  std::printf("%s\n", result.c_str());
  co_await aio::sleep(60);
}

aio::Coro<void> amain() {
  aio::Semaphore sem(3);
  aio::TimePoint start = aio::get_running_loop().time();
  std::vector<aio::Coro<void>> reqs;
  for (int delay : {1, 2, 3, 1, 2, 3, 1}) reqs.push_back(req(delay, &sem));
  co_await aio::gather(std::move(reqs));
  std::printf("7 requests in %.0f s\n",
              std::chrono::duration<double>(aio::get_running_loop().time() -
                                            start)
                  .count());
}

int main(int argc, char** argv) {
  aio::run(amain(), examples::options_from_args(argc, argv));
}
