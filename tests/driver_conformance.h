// The conformance suite every driver must pass (after golang-migrate's database/testing). An
// engine's test file provides a harness that opens fresh, empty databases and instantiates the
// suite with INSTANTIATE_TEST_SUITE_P(Engine, DriverConformance, ::testing::Values(factory)).
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <memory>

#include "drivers/driver.h"

namespace strata::testing {

class DriverHarness {
 public:
  virtual ~DriverHarness() = default;
  // Opens a connection to this harness's database (the same database on every call).
  virtual Result<std::unique_ptr<driver::Driver>> Open(const driver::OpenOptions& options) = 0;
};

using HarnessFactory = std::function<std::unique_ptr<DriverHarness>()>;

class DriverConformance : public ::testing::TestWithParam<HarnessFactory> {
 protected:
  void SetUp() override { harness_ = GetParam()(); }
  std::unique_ptr<driver::Driver> OpenOrDie(driver::OpenOptions options = {});

  std::unique_ptr<DriverHarness> harness_;
};

}  // namespace strata::testing
