// libpq, loaded on first use. Linking libpq would make every strata process (and every embedding
// application, SQLite-only ones included) load it and its ~20 dependencies (Kerberos, LDAP, GnuTLS)
// at start-up: about 5 ms per run, half of a no-op `strata up`. Only the PostgreSQL driver's own
// files include this header; after it, the PQ* names below call through the loaded table.
#pragma once

#include <libpq-fe.h>

#include "strata/status.h"

namespace strata::driver::pg {

struct PqApi {
#define STRATA_PQ_FUNCTIONS(X)                                                                            \
  X(PQconnectdbParams) X(PQstatus) X(PQerrorMessage) X(PQfinish) X(PQsetNoticeProcessor) X(PQexec)      \
  X(PQexecParams) X(PQresultStatus) X(PQresultErrorField) X(PQclear) X(PQtransactionStatus) X(PQntuples) \
  X(PQgetvalue) X(PQgetisnull) X(PQcmdStatus) X(PQescapeLiteral) X(PQfreemem) X(PQnfields)  \
  X(PQgetlength) X(PQenterPipelineMode) X(PQexitPipelineMode) X(PQpipelineSync) X(PQsendQueryParams)      \
  X(PQgetResult) X(PQconsumeInput) X(PQisBusy) X(PQflush) X(PQsetnonblocking) X(PQsocket) X(PQhost) X(PQport)  \
  X(PQgetCancel) X(PQcancel) X(PQfreeCancel)
#define STRATA_PQ_MEMBER(name) decltype(&::name) name##_ = nullptr;
  STRATA_PQ_FUNCTIONS(STRATA_PQ_MEMBER)
#undef STRATA_PQ_MEMBER
};

// Loads libpq.so.5 once (thread-safe). kUnavailable, saying which package to install, if it is
// missing.
Result<const PqApi*> LoadPq();

// The loaded table; only valid after LoadPq() succeeded (every connection is opened through it).
const PqApi& Pq();

}  // namespace strata::driver::pg

#ifndef STRATA_PQ_API_IMPLEMENTATION
#define PQconnectdbParams(...) ::strata::driver::pg::Pq().PQconnectdbParams_(__VA_ARGS__)
#define PQstatus(...) ::strata::driver::pg::Pq().PQstatus_(__VA_ARGS__)
#define PQerrorMessage(...) ::strata::driver::pg::Pq().PQerrorMessage_(__VA_ARGS__)
#define PQfinish(...) ::strata::driver::pg::Pq().PQfinish_(__VA_ARGS__)
#define PQsetNoticeProcessor(...) ::strata::driver::pg::Pq().PQsetNoticeProcessor_(__VA_ARGS__)
#define PQexec(...) ::strata::driver::pg::Pq().PQexec_(__VA_ARGS__)
#define PQexecParams(...) ::strata::driver::pg::Pq().PQexecParams_(__VA_ARGS__)
#define PQresultStatus(...) ::strata::driver::pg::Pq().PQresultStatus_(__VA_ARGS__)
#define PQresultErrorField(...) ::strata::driver::pg::Pq().PQresultErrorField_(__VA_ARGS__)
#define PQclear(...) ::strata::driver::pg::Pq().PQclear_(__VA_ARGS__)
#define PQtransactionStatus(...) ::strata::driver::pg::Pq().PQtransactionStatus_(__VA_ARGS__)
#define PQntuples(...) ::strata::driver::pg::Pq().PQntuples_(__VA_ARGS__)
#define PQgetvalue(...) ::strata::driver::pg::Pq().PQgetvalue_(__VA_ARGS__)
#define PQgetisnull(...) ::strata::driver::pg::Pq().PQgetisnull_(__VA_ARGS__)
#define PQcmdStatus(...) ::strata::driver::pg::Pq().PQcmdStatus_(__VA_ARGS__)
#define PQescapeLiteral(...) ::strata::driver::pg::Pq().PQescapeLiteral_(__VA_ARGS__)
#define PQfreemem(...) ::strata::driver::pg::Pq().PQfreemem_(__VA_ARGS__)
#define PQnfields(...) ::strata::driver::pg::Pq().PQnfields_(__VA_ARGS__)
#define PQgetlength(...) ::strata::driver::pg::Pq().PQgetlength_(__VA_ARGS__)
#define PQenterPipelineMode(...) ::strata::driver::pg::Pq().PQenterPipelineMode_(__VA_ARGS__)
#define PQexitPipelineMode(...) ::strata::driver::pg::Pq().PQexitPipelineMode_(__VA_ARGS__)
#define PQpipelineSync(...) ::strata::driver::pg::Pq().PQpipelineSync_(__VA_ARGS__)
#define PQsendQueryParams(...) ::strata::driver::pg::Pq().PQsendQueryParams_(__VA_ARGS__)
#define PQgetResult(...) ::strata::driver::pg::Pq().PQgetResult_(__VA_ARGS__)
#define PQconsumeInput(...) ::strata::driver::pg::Pq().PQconsumeInput_(__VA_ARGS__)
#define PQisBusy(...) ::strata::driver::pg::Pq().PQisBusy_(__VA_ARGS__)
#define PQflush(...) ::strata::driver::pg::Pq().PQflush_(__VA_ARGS__)
#define PQsetnonblocking(...) ::strata::driver::pg::Pq().PQsetnonblocking_(__VA_ARGS__)
#define PQsocket(...) ::strata::driver::pg::Pq().PQsocket_(__VA_ARGS__)
#define PQhost(...) ::strata::driver::pg::Pq().PQhost_(__VA_ARGS__)
#define PQport(...) ::strata::driver::pg::Pq().PQport_(__VA_ARGS__)
#define PQgetCancel(...) ::strata::driver::pg::Pq().PQgetCancel_(__VA_ARGS__)
#define PQcancel(...) ::strata::driver::pg::Pq().PQcancel_(__VA_ARGS__)
#define PQfreeCancel(...) ::strata::driver::pg::Pq().PQfreeCancel_(__VA_ARGS__)
#endif
