// The live-data predictions of lint (D001-D004).
#include "core/lint.h"

namespace strata::core {

Status AskLiveData(driver::Driver& db, const std::vector<lint::LocatedCheck>& checks, LintReport& report) {
  (void)db;
  (void)checks;
  (void)report;
  return Status::Ok();
}

}  // namespace strata::core
