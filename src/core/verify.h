// Verify: the problems that a status report shows, as Migrator::Verify reports them. Pure: no
// database access.
#pragma once

#include "strata/migrator.h"

namespace strata::core {

// The problems a status shows: a needed baseline, changed, missing, out-of-order and dirty
// migrations, INVALID indexes.
VerifyReport VerifyFromStatus(const StatusReport& status);

}  // namespace strata::core
