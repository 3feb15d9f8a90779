#include <doctest/doctest.h>

#include <mutex>

#include "core/siem/runner.hpp"
#include "siem_events.hpp"

using namespace gw::siem;
using namespace std::chrono_literals;

namespace {

// Cursors in memory, shared across runner restarts like the file store would be.
class MemoryCursors final : public CursorStore {
public:
  gw::Result<uint64_t> load(const std::string& name) override {
    std::lock_guard lock(m_mu);
    return m_pos[name];
  }
  gw::Status save(const std::string& name, uint64_t position) override {
    std::lock_guard lock(m_mu);
    m_pos[name] = position;
    return {};
  }

private:
  std::mutex m_mu;
  std::map<std::string, uint64_t> m_pos;
};

// Records every delivered position; fails the first `fail_first` attempts; can be held (blocked)
// until released, like a SIEM that hangs.
struct FakeSink final : Sink {
  struct Shared {
    std::mutex mu;
    std::condition_variable cv;
    std::vector<uint64_t> positions;
    std::vector<size_t> batch_sizes;
    int attempts = 0;
    int fail_first = 0;
    bool retryable = true;
    bool held = false;
  };
  explicit FakeSink(std::shared_ptr<Shared> s) : m(std::move(s)) {}
  std::string_view type() const override { return "fake"; }
  Delivery deliver(const std::vector<FeedEvent>& batch) override {
    std::unique_lock lock(m->mu);
    m->cv.wait(lock, [&] { return !m->held; });
    if (++m->attempts <= m->fail_first) return delivery_failed("collector down", m->retryable);
    for (const auto& e : batch) m->positions.push_back(e.position);
    m->batch_sizes.push_back(batch.size());
    return {};
  }
  std::shared_ptr<Shared> m;
};

RunnerOptions opts(const std::string& name, size_t batch = 10) {
  return RunnerOptions{.name = name, .batch_max = batch, .retry_initial_ms = 1, .retry_max_ms = 4,
                       .idle_poll = 20ms};
}

}  // namespace

TEST_CASE("SinkRunner: delivers every event in order, in batches of at most batch_max") {
  MemoryFeed feed;
  MemoryCursors cursors;
  test::fill(feed, 25);
  auto shared = std::make_shared<FakeSink::Shared>();
  SinkRunner runner(opts("a", 10), std::make_unique<FakeSink>(shared), feed, cursors);
  REQUIRE(runner.start());
  REQUIRE(runner.wait_for_cursor(25, 10s));
  test::fill(feed, 3);  // arriving while it runs
  REQUIRE(runner.wait_for_cursor(28, 10s));
  runner.stop();
  std::lock_guard lock(shared->mu);
  REQUIRE(shared->positions.size() == 28);
  for (size_t i = 0; i < 28; ++i) CHECK(shared->positions[i] == i + 1);
  for (size_t n : shared->batch_sizes) CHECK(n <= 10);
  CHECK(cursors.load("a").value() == 28);
  CHECK(runner.status().delivered == 28);
}

TEST_CASE("SinkRunner: a failing destination is retried with the same events until it accepts them") {
  MemoryFeed feed;
  MemoryCursors cursors;
  test::fill(feed, 5);
  auto shared = std::make_shared<FakeSink::Shared>();
  shared->fail_first = 3;
  SinkRunner runner(opts("a"), std::make_unique<FakeSink>(shared), feed, cursors);
  REQUIRE(runner.start());
  REQUIRE(runner.wait_for_cursor(5, 10s));
  runner.stop();
  CHECK(runner.status().failures == 3);
  CHECK(runner.status().last_error.empty());
  std::lock_guard lock(shared->mu);
  CHECK(shared->positions == std::vector<uint64_t>{1, 2, 3, 4, 5});
}

TEST_CASE("SinkRunner: a non-retryable failure (e.g. HTTP 403) still loses nothing once fixed") {
  MemoryFeed feed;
  MemoryCursors cursors;
  test::fill(feed, 2);
  auto shared = std::make_shared<FakeSink::Shared>();
  shared->fail_first = 2;
  shared->retryable = false;
  SinkRunner runner(opts("a"), std::make_unique<FakeSink>(shared), feed, cursors);
  REQUIRE(runner.start());
  REQUIRE(runner.wait_for_cursor(2, 10s));
  runner.stop();
  CHECK(runner.status().failures == 2);
}

TEST_CASE("SinkRunner: after a restart the sink resumes at its cursor, without loss or repeats") {
  MemoryFeed feed;
  MemoryCursors cursors;
  test::fill(feed, 12);
  auto first = std::make_shared<FakeSink::Shared>();
  {
    SinkRunner runner(opts("a", 5), std::make_unique<FakeSink>(first), feed, cursors);
    REQUIRE(runner.start());
    REQUIRE(runner.wait_for_cursor(12, 10s));
  }
  test::fill(feed, 8);  // ingested while the exporter was down
  auto second = std::make_shared<FakeSink::Shared>();
  SinkRunner runner(opts("a", 5), std::make_unique<FakeSink>(second), feed, cursors);
  REQUIRE(runner.start());
  REQUIRE(runner.wait_for_cursor(20, 10s));
  runner.stop();
  std::vector<uint64_t> expect;
  for (uint64_t p = 13; p <= 20; ++p) expect.push_back(p);
  CHECK(second->positions == expect);
}

TEST_CASE("SinkRunner: a hung sink does not hold back another sink on the same feed") {
  MemoryFeed feed;
  MemoryCursors cursors;
  auto hung = std::make_shared<FakeSink::Shared>();
  hung->held = true;
  auto healthy = std::make_shared<FakeSink::Shared>();
  SinkRunner slow(opts("slow"), std::make_unique<FakeSink>(hung), feed, cursors);
  SinkRunner fast(opts("fast"), std::make_unique<FakeSink>(healthy), feed, cursors);
  REQUIRE(slow.start());
  REQUIRE(fast.start());
  test::fill(feed, 30);  // ingest goes on: MemoryFeed::append never waits for a sink
  CHECK(fast.wait_for_cursor(30, 10s));
  CHECK(slow.status().cursor == 0);
  {
    std::lock_guard lock(hung->mu);
    hung->held = false;
  }
  hung->cv.notify_all();
  CHECK(slow.wait_for_cursor(30, 10s));
}
