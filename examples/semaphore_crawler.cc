// The tutorial's crawler loop, limited to 3 fetches at a time by a Semaphore.
// `auto permit = co_await sem.acquire();` is the C++ form of `async with sem:`.
//
//   async def fetch(url, sem):
//       async with sem:
//           print(f"fetching {url}")
//           await asyncio.sleep(1)  # the network
//           print(f"done     {url}")
//           return f"<html of {url}>"
//
//   async def main():
//       sem = asyncio.Semaphore(3)
//       urls = [f"https://example.com/page/{i}" for i in range(1, 8)]
//       start = time.perf_counter()
//       pages = await asyncio.gather(*(fetch(u, sem) for u in urls))
//       print(f"{len(pages)} pages in {time.perf_counter() - start:.1f} s")
//
//   asyncio.run(main())
#include <cstdio>
#include <string>
#include <vector>

#include "examples/example_util.h"
#include "loop/loop.h"
#include "sync/sync.h"

aio::Coro<std::string> fetch(std::string url, aio::Semaphore* sem) {
  auto permit = co_await sem->acquire();
  std::printf("fetching %s\n", url.c_str());
  co_await aio::sleep(1.0);  // the network
  std::printf("done     %s\n", url.c_str());
  co_return "<html of " + url + ">";
}

aio::Coro<void> amain() {
  aio::Semaphore sem(3);
  std::vector<aio::Coro<std::string>> fetches;
  for (int i = 1; i <= 7; ++i) {
    fetches.push_back(
        fetch("https://example.com/page/" + std::to_string(i), &sem));
  }
  aio::TimePoint start = aio::get_running_loop().time();
  std::vector<std::string> pages = co_await aio::gather(std::move(fetches));
  std::printf("%zu pages in %s s\n", pages.size(),
              examples::since(start).c_str());
}

int main(int argc, char** argv) {
  aio::run(amain(), examples::options_from_args(argc, argv));
}
