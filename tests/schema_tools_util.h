// Helpers shared by the schema-toolkit tests on both engines (schema_tools_test.cc and
// schema_tools_postgres_test.cc): running the binary, reading files, the texts it prints.
#pragma once

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "test_util.h"

namespace strata::testing {

// Runs strata in `cwd` (so that relative paths in its output are the ones the test passed).
inline ProcessResult Strata(const std::string& cwd, std::vector<std::string> args) {
  args.insert(args.begin(), STRATA_BINARY);
  return strata::testing::Run(args, {}, cwd);
}

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in) << "cannot read " << path;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The first line of `schema diff A B` when they differ.
inline std::string Header(const std::string& a, const std::string& b, int n) {
  return a + " -> " + b + " (" + std::to_string(n) + (n == 1 ? " difference):\n" : " differences):\n");
}

// What `verify` prints for these problems.
inline std::string ProblemList(const std::vector<std::string>& lines) {
  std::string out = std::to_string(lines.size()) + (lines.size() == 1 ? " problem:\n" : " problems:\n");
  for (const std::string& l : lines) out += "  " + l + "\n";
  return out;
}

// `err` is "strata: error: FILE:LINE:COL: message", then the source line and a caret under COL.
// `located` is "FILE:LINE:COL: message".
inline void ExpectLocatedError(const std::string& err, const std::string& located) {
  std::string first = err.substr(0, err.find('\n'));
  EXPECT_EQ(first, "strata: error: " + located);
  std::size_t line_colon = located.find(':', located.find(':') + 1);
  std::size_t col = std::stoul(located.substr(line_colon + 1));
  std::size_t caret = err.rfind('\n', err.size() - 2);
  ASSERT_NE(caret, std::string::npos) << err;
  EXPECT_EQ(err.substr(caret + 1), std::string(4 + col - 1, ' ') + "^\n") << err;
}

}  // namespace strata::testing
