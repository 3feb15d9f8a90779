// The progress spinner: drawn only when enabled (a terminal, colour allowed), only after its
// delay, and always erased, so nothing of it stays in the output.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <unistd.h>

#include <string>

#include "cli/commands/progress.hpp"

using namespace gw::cli;
using namespace std::chrono_literals;

namespace {

struct Pipe {
  int fds[2] = {-1, -1};
  Pipe() { REQUIRE(::pipe2(fds, O_CLOEXEC) == 0); }
  ~Pipe() {
    if (fds[0] >= 0) ::close(fds[0]);
    if (fds[1] >= 0) ::close(fds[1]);
  }
  // Everything written so far (call after the writer is done).
  std::string drain() {
    ::close(fds[1]);
    fds[1] = -1;
    std::string out;
    char buf[512];
    ssize_t n;
    while ((n = ::read(fds[0], buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
    return out;
  }
  // Blocks until the first byte arrives (the spinner drew), returns it.
  char first_byte() {
    char c = 0;
    REQUIRE(::read(fds[0], &c, 1) == 1);
    return c;
  }
};

}  // namespace

TEST_CASE("Progress: on a terminal the label is drawn, updated, and the line erased at the end") {
  Pipe p;
  {
    Progress progress("starting the sidecar...", p.fds[1], true, 0ms);
    CHECK(p.first_byte() == '\r');  // waits for the first frame: no timing assumption
    progress.set("checking the central gateway...");
  }
  std::string out = p.drain();
  CHECK(out.find("starting the sidecar...") != std::string::npos);
  REQUIRE(out.size() >= 4);
  CHECK(out.substr(out.size() - 4) == "\r\033[K");  // nothing left on the line
}

TEST_CASE("Progress: disabled (not a terminal, NO_COLOR) it writes nothing at all") {
  Pipe p;
  {
    Progress progress("working...", p.fds[1], false, 0ms);
    progress.set("still working...");
  }
  CHECK(p.drain().empty());
}

TEST_CASE("Progress: work that ends before the delay shows nothing") {
  Pipe p;
  { Progress progress("quick", p.fds[1], true, 3600s); }
  CHECK(p.drain().empty());
}
