#include "strata/schema.h"

namespace strata::schema {}  // namespace strata::schema
