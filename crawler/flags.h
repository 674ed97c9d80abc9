// aio::crawler command line: absl::flags definitions of every crawler flag
// and their conversion to Options.
//
// Syntax: --name=value or --name value; booleans also --name / --noname and
// --name=false; durations as absl writes them ("5s", "500ms", "1m30s");
// --start_url, --allow_host, --allow and --deny may be repeated (each
// occurrence adds one value, commas included). --help prints the flags by
// topic and exits 0; --version prints the version.
#ifndef AIO_CRAWLER_FLAGS_H_
#define AIO_CRAWLER_FLAGS_H_

#include <string>

#include "absl/status/statusor.h"
#include "crawler/options.h"

namespace aio::crawler {

// Parses argv into Options. A bad flag, value or stray argument is an
// InvalidArgument status whose message is one readable line. --help and
// --version print to stdout and exit(0).
absl::StatusOr<Options> parse_command_line(int argc, char** argv);

// The --help text.
std::string usage_text();

// "10MiB", "512k", "1048576" -> bytes (K/M/G are powers of 1024).
absl::StatusOr<size_t> parse_size(std::string_view text);
// "3/1m", "10/s", "100/1h30m" -> Rate.
absl::StatusOr<Rate> parse_rate(std::string_view text);

}  // namespace aio::crawler

#endif  // AIO_CRAWLER_FLAGS_H_
