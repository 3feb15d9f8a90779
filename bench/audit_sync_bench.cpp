// The disk's floor for a durable audit admission: latency of one ~600-byte record made durable,
// by each way of writing it, on the machine's real disk (the system temp directory, or
// $GW_BENCH_DIR). Reported as counters p50_us / p99_us / p999_us over every write of the run.
//   append_fdatasync      write() at the end of a growing O_APPEND file, then fdatasync (the
//                         spool before ADR 0058: every sync also commits the size change)
//   prezeroed_fdatasync   pwrite() into blocks already written with zeros and synced once
//                         (the spool's preallocated segments, ADR 0058): data-only flush
//   fallocated_fdatasync  pwrite() into fallocate()d (unwritten) extents: each sync must also
//                         convert an extent in the journal
//   prezeroed_odsync      as prezeroed, with O_DSYNC on the descriptor instead of fdatasync
//   append_odsync         O_APPEND | O_DSYNC
// A single thread writes one record at a time: no group commit, the raw cost of a sync.
//
// BM_GroupCommitFloor/<rate>: the floor of ANY group-commit scheme at an open-loop arrival rate.
// Requests "arrive" on a fixed schedule (no threads, no hand-offs: timestamps); one loop takes
// every request that has arrived, appends one ~600-byte record each with one write(), syncs
// once, and counts each request's latency from its scheduled arrival to the end of the sync that
// holds it. No gateway can add less at that rate with one durable record per request on this disk.
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "core/common/clock.hpp"

namespace {

enum Mode { append_fdatasync, prezeroed_fdatasync, fallocated_fdatasync, prezeroed_odsync, append_odsync };
constexpr const char* k_names[] = {"append_fdatasync", "prezeroed_fdatasync", "fallocated_fdatasync",
                                   "prezeroed_odsync", "append_odsync"};
constexpr size_t k_record = 600;
constexpr size_t k_prealloc = 8u << 20;

double pct(std::vector<int64_t>& v, double p) {
  if (v.empty()) return 0;
  size_t k = std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())));
  std::nth_element(v.begin(), v.begin() + static_cast<long>(k), v.end());
  return static_cast<double>(v[k]) / 1000.0;
}

void BM_Sync(benchmark::State& state) {
  const auto mode = static_cast<Mode>(state.range(0));
  state.SetLabel(k_names[mode]);
  const char* base = std::getenv("GW_BENCH_DIR");
  std::string tmpl = std::string(base ? base : "/tmp") + "/gw-sync-bench-XXXXXX";
  if (!mkdtemp(tmpl.data())) return state.SkipWithError("mkdtemp failed");
  const std::string path = tmpl + "/seg";
  const bool append = mode == append_fdatasync || mode == append_odsync;
  const bool odsync = mode == prezeroed_odsync || mode == append_odsync;
  int flags = O_WRONLY | O_CREAT | O_CLOEXEC | (append ? O_APPEND : 0);
  int fd = ::open(path.c_str(), flags, 0600);
  if (fd < 0) return state.SkipWithError("open failed");
  if (mode == prezeroed_fdatasync || mode == prezeroed_odsync) {
    std::string zeros(1 << 20, '\0');
    for (size_t off = 0; off < k_prealloc; off += zeros.size())
      if (::pwrite(fd, zeros.data(), zeros.size(), static_cast<off_t>(off)) < 0) std::abort();
    ::fsync(fd);
  } else if (mode == fallocated_fdatasync) {
    if (::fallocate(fd, 0, 0, k_prealloc) != 0) return state.SkipWithError("fallocate failed");
    ::fsync(fd);
  }
  if (odsync) {  // reopen with O_DSYNC after the set-up writes
    ::close(fd);
    fd = ::open(path.c_str(), flags | O_DSYNC, 0600);
  }
  std::string record(k_record - 1, 'x');
  record.push_back('\n');
  std::vector<int64_t> lat;
  off_t off = 0;
  for (auto _ : state) {
    if (static_cast<size_t>(off) + k_record > k_prealloc) off = 0;  // stay in the prepared area
    int64_t start = gw::mono_ns();
    ssize_t n = append ? ::write(fd, record.data(), record.size())
                       : ::pwrite(fd, record.data(), record.size(), off);
    if (n != static_cast<ssize_t>(record.size())) std::abort();
    if (!odsync && ::fdatasync(fd) != 0) std::abort();
    lat.push_back(gw::mono_ns() - start);
    off += static_cast<off_t>(record.size());
  }
  ::close(fd);
  state.counters["p50_us"] = pct(lat, 0.50);
  state.counters["p99_us"] = pct(lat, 0.99);
  state.counters["p999_us"] = pct(lat, 0.999);
  std::error_code ec;
  std::filesystem::remove_all(tmpl, ec);
}
BENCHMARK(BM_Sync)->DenseRange(0, 4)->Iterations(3000)->UseRealTime()->Unit(benchmark::kMicrosecond);

void BM_GroupCommitFloor(benchmark::State& state) {
  const int64_t rate = state.range(0);
  const int64_t count = state.range(1);
  const char* base = std::getenv("GW_BENCH_DIR");
  std::string tmpl = std::string(base ? base : "/tmp") + "/gw-sync-bench-XXXXXX";
  if (!mkdtemp(tmpl.data())) return state.SkipWithError("mkdtemp failed");
  const std::string path = tmpl + "/seg";
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) return state.SkipWithError("open failed");
  std::string record(k_record - 1, 'x');
  record.push_back('\n');
  std::vector<int64_t> lat;
  int64_t syncs = 0;
  for (auto _ : state) {
    const int64_t start = gw::mono_ns(), period = 1'000'000'000 / rate;
    int64_t next = 0;  // first request not yet committed
    std::string buf;
    while (next < count) {
      int64_t now = gw::mono_ns();
      int64_t arrived = std::min<int64_t>(count, (now - start) / period + 1);
      if (arrived <= next) {  // nothing waiting: idle until the next arrival
        struct timespec ts{0, static_cast<long>(start + next * period - now)};
        nanosleep(&ts, nullptr);
        continue;
      }
      buf.clear();
      for (int64_t i = next; i < arrived; ++i) buf += record;
      if (::write(fd, buf.data(), buf.size()) != static_cast<ssize_t>(buf.size()) || ::fdatasync(fd) != 0)
        std::abort();
      ++syncs;
      const int64_t done = gw::mono_ns();
      for (int64_t i = next; i < arrived; ++i) lat.push_back(done - (start + i * period));
      next = arrived;
    }
  }
  ::close(fd);
  state.SetLabel("append + fdatasync, group commit at " + std::to_string(rate) + " req/s");
  state.counters["p50_us"] = pct(lat, 0.50);
  state.counters["p99_us"] = pct(lat, 0.99);
  state.counters["p999_us"] = pct(lat, 0.999);
  state.counters["requests_per_sync"] = static_cast<double>(lat.size()) / static_cast<double>(std::max<int64_t>(syncs, 1));
  std::error_code ec;
  std::filesystem::remove_all(tmpl, ec);
}
BENCHMARK(BM_GroupCommitFloor)->Args({500, 3000})->Iterations(1)->UseRealTime()->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
