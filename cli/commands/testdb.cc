// strata testdb: fresh, fully migrated databases for tests, cloned from a template
// (docs/cli.md, "testdb").
#include <fmt/format.h>

#include "../cli.h"
#include "../json_output.h"
#include "strata/testdb.h"

namespace strata::cli {

namespace {

TestDatabaseOptions OptionsFor(const Invocation& inv) {
  TestDatabaseOptions options;
  if (!inv.url.empty()) options.url = inv.url;
  options.options = inv.options;
  options.dir = inv.testdb_dir;
  return options;
}

int Create(const Invocation& inv) {
  auto created = CreateTestDatabase(Source::Directory(inv.dir), OptionsFor(inv));
  if (!created.ok()) return ReportError(inv, created.status());
  if (inv.json) {
    fmt::print("{}\n", JsonTestDatabase(*created));
  } else {
    fmt::print("{}\n", created->printable_url);
  }
  if (inv.verbose || created->template_built) {
    fmt::print(stderr, "{} the template {} for {}; created {} in {:.1f} ms\n",
               created->template_built ? "built" : "used", created->template_name, inv.dir, created->name,
               created->ms);
  }
  if (created->password_left_out && !inv.json) {
    const bool mariadb = created->printable_url.starts_with("mariadb:") || created->printable_url.starts_with("mysql:");
    fmt::print(stderr, "the URL is printed without its password: {}\n",
               mariadb ? "connect with the password of --url (mariadb clients: MYSQL_PWD or ~/.my.cnf)"
                       : "connect with PGPASSWORD or ~/.pgpass");
  }
  return kExitOk;
}

int Drop(const Invocation& inv) {
  if (inv.inputs.empty()) {
    return ReportError(inv, Status(ErrorCode::kInvalidArgument, "testdb drop needs the URL of the test database to remove"));
  }
  for (const std::string& url : inv.inputs) {
    if (Status st = DropTestDatabase(url); !st.ok()) return ReportError(inv, st);
  }
  if (inv.json) {  // the URLs as given may hold a password: only their redacted form is printed
    std::vector<std::string> dropped;
    for (const std::string& url : inv.inputs) dropped.push_back(RedactSecrets(url));
    fmt::print("{}\n", JsonStrings("dropped", dropped));
  }
  return kExitOk;
}

int Clean(const Invocation& inv) {
  auto removed = DropTestTemplates(OptionsFor(inv), inv.testdb_instances);
  if (!removed.ok()) return ReportError(inv, removed.status());
  if (inv.json) {
    fmt::print("{{\"removed\":{}}}\n", *removed);
  } else {
    fmt::print("removed {} database{}\n", *removed, *removed == 1 ? "" : "s");
  }
  return kExitOk;
}

}  // namespace

int RunTestDb(const Invocation& inv) {
  if (inv.testdb_action == "create") return Create(inv);
  if (inv.testdb_action == "drop") return Drop(inv);
  return Clean(inv);
}

}  // namespace strata::cli
