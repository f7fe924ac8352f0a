#pragma once

#include <QFuture>

#include <optional>

#include "daemon-core/reports/healthsource.h"
#include "daemon-core/reports/reportmodel.h"

namespace prophasis {

class Database;
class StorageExecutor;

// A host's report for [from, to): each (check, plugin) series with its latest result, its value
// and metrics downsampled to at most maxPoints (ResultStore::range: raw results for short ranges,
// hourly rollups for long ones), its recent messages, and the host's state changes.
//
// loadHostDetail is the one call for the API and the status page: the present is read from the
// source on the caller's loop, the history in one storage job. The future fails with
// StorageError NotFound for a host that is not in the configuration.
QFuture<HostDetail> loadHostDetail(StorageExecutor &storage, const HealthSource &source,
                                   const HostDetailQuery &query,
                                   const QDateTime &now = QDateTime::currentDateTimeUtc());

// Its two halves. The present (names, states; no history yet); nullopt for an unknown host.
std::optional<HostDetail> planHostDetail(const HealthSource &source, const HostDetailQuery &query,
                                         const QDateTime &now = QDateTime::currentDateTimeUtc());
// The history of a planned report, on a storage thread.
void readHostHistory(Database &db, const HostDetailQuery &query, HostDetail &detail);

} // namespace prophasis
