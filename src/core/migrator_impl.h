// The engine's Migrator implementation, built by the public factories in open.cc.
#pragma once

#include <memory>

#include "base/url.h"
#include "drivers/driver.h"
#include "strata/migrator.h"

namespace strata::core {

// `driver`, when given, is used for every call (an application's own connection).
std::unique_ptr<Migrator> NewMigrator(base::DatabaseUrl url, Source source, Options options,
                                      std::shared_ptr<driver::Driver> driver = nullptr);

}  // namespace strata::core
