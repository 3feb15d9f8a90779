#include <doctest/doctest.h>

#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

#include "core/common/write_behind.hpp"

TEST_CASE("WriteBehind: flush returns only after every row pushed before it was written") {
  std::mutex m;
  std::vector<int> written;
  std::atomic<int> batches{0};
  gw::WriteBehind<int> wb([&](const std::vector<int>& rows) {
    std::lock_guard lock(m);
    written.insert(written.end(), rows.begin(), rows.end());
    ++batches;
  });
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 500; ++i) wb.push(t * 1000 + i);
    });
  for (auto& th : threads) th.join();
  wb.flush();
  std::lock_guard lock(m);
  CHECK(written.size() == 4000);
  CHECK(batches.load() >= 1);
  CHECK(batches.load() <= 4000);
}

TEST_CASE("WriteBehind: stop writes what is still queued") {
  std::vector<int> written;
  {
    gw::WriteBehind<int> wb([&](const std::vector<int>& rows) { written.insert(written.end(), rows.begin(), rows.end()); });
    for (int i = 0; i < 100; ++i) wb.push(i);
  }  // destructor
  REQUIRE(written.size() == 100);
  CHECK(written.front() == 0);
  CHECK(written.back() == 99);  // one writer thread: order kept
}
