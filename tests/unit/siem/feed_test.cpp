#include <doctest/doctest.h>

#include <thread>

#include "core/siem/feed.hpp"

using namespace gw::siem;
using namespace std::chrono_literals;

TEST_CASE("MemoryFeed: reads events after a position, in order, up to max") {
  MemoryFeed feed;
  for (int i = 0; i < 5; ++i) feed.append("{\"i\":" + std::to_string(i) + "}");
  auto got = feed.read_after(1, 3);
  REQUIRE(got);
  REQUIRE(got->size() == 3);
  CHECK((*got)[0].position == 2);
  CHECK((*got)[2].position == 4);
  CHECK((*got)[2].json == "{\"i\":3}");
  CHECK(feed.read_after(5, 10)->empty());
  CHECK(feed.read_after(99, 10)->empty());
}

TEST_CASE("MemoryFeed: wait_for_new wakes when an event arrives and times out otherwise") {
  MemoryFeed feed;
  CHECK_FALSE(feed.wait_for_new(0, 1ms));
  std::thread writer([&] { feed.append("{}"); });
  CHECK(feed.wait_for_new(0, 10s));
  writer.join();
  CHECK_FALSE(feed.wait_for_new(1, 1ms));
}
