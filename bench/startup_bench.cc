// Start-up cost of embedding strata: Up() on a SQLite database that is already up to date, with
// N embedded migrations. "Warm" reuses the application's Migrator (a periodic or repeated check);
// "Cold" builds a new Migrator each time (what a process start-up pays: parse the embedded
// source, open the database, which makes SQLite parse its schema, read the history, plan).
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

#include "strata/migrator.h"

namespace {

struct Fixture {
  std::vector<std::string> storage;
  std::vector<strata::Source::File> files;
  std::string path;

  explicit Fixture(int n) {
    path = "/tmp/strata-startup-bench-" + std::to_string(getpid()) + "-" + std::to_string(n) + ".db";
    std::remove(path.c_str());
    storage.reserve(static_cast<std::size_t>(n));
    for (int v = 1; v <= n; ++v) {
      std::string t = "t_" + std::to_string(v);
      storage.push_back("CREATE TABLE " + t + " (id INTEGER PRIMARY KEY, name TEXT NOT NULL, qty INTEGER);\n"
                        "CREATE INDEX ix_" + t + " ON " + t + " (name);\n"
                        "INSERT INTO " + t + " (name, qty) VALUES ('a', 1), ('b', 2), ('c', 3);\n");
    }
    char name[64];
    for (int v = 1; v <= n; ++v) {
      std::snprintf(name, sizeof name, "v%04d_table_%d.sql", v, v);
      files.push_back({name, storage[static_cast<std::size_t>(v - 1)]});
    }
  }
  ~Fixture() { std::remove(path.c_str()); }

  strata::Source source() const { return strata::Source::Embedded(files, "bench"); }
  std::string url() const { return "sqlite:" + path; }
};

bool Prepare(benchmark::State& state, const Fixture& f) {
  auto m = strata::Migrator::Open(f.url(), f.source());
  auto r = m.ok() ? (*m)->Up() : strata::Result<strata::RunReport>(m.status());
  if (!r.ok()) state.SkipWithError(r.status().ToString().c_str());
  return r.ok();
}

void BM_UpToDateWarm(benchmark::State& state) {
  Fixture f(static_cast<int>(state.range(0)));
  if (!Prepare(state, f)) return;
  auto m = strata::Migrator::Open(f.url(), f.source());
  if (!m.ok() || !(*m)->Up().ok()) {  // first call: opens, reads, remembers
    state.SkipWithError("setup failed");
    return;
  }
  for (auto _ : state) {
    auto r = (*m)->Up();
    if (!r.ok() || !r->migrations.empty()) {
      state.SkipWithError("expected an up-to-date database");
      break;
    }
    benchmark::DoNotOptimize(r);
  }
}

void BM_UpToDateCold(benchmark::State& state) {
  Fixture f(static_cast<int>(state.range(0)));
  if (!Prepare(state, f)) return;
  for (auto _ : state) {
    auto m = strata::Migrator::Open(f.url(), f.source());
    auto r = m.ok() ? (*m)->Up() : strata::Result<strata::RunReport>(m.status());
    if (!r.ok() || !r->migrations.empty()) {
      state.SkipWithError("expected an up-to-date database");
      break;
    }
    benchmark::DoNotOptimize(r);
  }
}

}  // namespace

BENCHMARK(BM_UpToDateWarm)->Arg(1000)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_UpToDateCold)->Arg(100)->Arg(1000)->Unit(benchmark::kMicrosecond);
BENCHMARK_MAIN();
