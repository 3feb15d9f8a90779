#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
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

TEST_CASE("WriteBehind: rows pushed within max_delay of each other go to the sink as one batch") {
  std::mutex m;
  std::condition_variable cv;
  std::vector<size_t> batch_sizes;
  gw::WriteBehind<int> wb(
      [&](const std::vector<int>& rows) {
        std::lock_guard lock(m);
        batch_sizes.push_back(rows.size());
        cv.notify_all();
      },
      gw::WriteBehindOptions{std::chrono::hours(1), 10});
  for (int i = 0; i < 10; ++i) wb.push(i);  // the 10th fills a batch: written before the deadline
  {
    std::unique_lock lock(m);
    cv.wait(lock, [&] { return !batch_sizes.empty(); });
    CHECK(batch_sizes == std::vector<size_t>{10});
  }
  for (int i = 0; i < 3; ++i) wb.push(i);  // not a full batch: waits for the (1 hour) deadline...
  wb.flush();                              // ...unless a reader flushes: taken at once
  std::lock_guard lock(m);
  CHECK(batch_sizes == std::vector<size_t>{10, 3});
  CHECK(wb.batches() == 2);
}

TEST_CASE("WriteBehind: with max_delay 0 every push is handed over at once") {
  std::mutex m;
  std::condition_variable cv;
  int written = 0;
  gw::WriteBehind<int> wb(
      [&](const std::vector<int>& rows) {
        std::lock_guard lock(m);
        written += static_cast<int>(rows.size());
        cv.notify_all();
      },
      gw::WriteBehindOptions{std::chrono::milliseconds(0), 512});
  wb.push(1);
  std::unique_lock lock(m);
  cv.wait(lock, [&] { return written == 1; });  // no flush: the writer took it by itself
  CHECK(written == 1);
}
