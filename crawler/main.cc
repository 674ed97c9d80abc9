// The crawler binary: flags -> Options -> crawler::run (crawler/engine.h).
#include <stdio.h>

#include "crawler/engine.h"
#include "crawler/flags.h"
#include "loop/run.h"

int main(int argc, char** argv) {
  absl::StatusOr<aio::crawler::Options> options =
      aio::crawler::parse_command_line(argc, argv);
  if (!options.ok()) {
    fprintf(stderr, "crawler: %s\n",
            std::string(options.status().message()).c_str());
    return 2;
  }
  return aio::run(aio::crawler::run(*std::move(options)));
}
