// Human-readable output helpers shared by the commands.
#pragma once

#include <string>

#include "cli.h"

namespace strata::cli {

// Prints one progress event (human text, or an NDJSON line with --json).
void PrintEvent(const Invocation& inv, const std::string& redacted_url, const Event& event);

// A statement collapsed onto one line and cut to 120 characters.
std::string OneLineStatement(const std::string& statement);

}  // namespace strata::cli
