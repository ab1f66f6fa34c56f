// The engine's Migrator implementation, built by the public factories in open.cc.
#pragma once

#include <memory>

#include "base/clock.h"
#include "base/fs.h"
#include "base/url.h"
#include "drivers/driver.h"
#include "strata/migrator.h"

namespace strata::core {

// Where the engine meets the world besides the database: the files of a directory source and the
// clock. Both must outlive the Migrator; the defaults live as long as the program.
struct Environment {
  base::FileSystem* fs = &base::RealFileSystem();
  const base::Clock* clock = &base::RealClock();
};

// `driver`, when given, is used for every call (an application's own connection).
std::unique_ptr<Migrator> NewMigrator(base::DatabaseUrl url, Source source, Options options,
                                      std::shared_ptr<driver::Driver> driver = nullptr, Environment env = {});

}  // namespace strata::core
