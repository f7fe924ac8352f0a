#pragma once

#include <QFuture>

#include <optional>

#include "daemon-core/reports/healthsource.h"
#include "daemon-core/reports/reportmodel.h"

namespace prophasis {

class StorageExecutor;

// A service's report: its structure (dependencies and redundancy groups, each member with its
// name and present health, each group with its own health), its state, and its state changes in
// [from, to) read in one storage job. The future fails with StorageError NotFound for a service
// that is not in the configuration.
QFuture<ServiceDetail> loadServiceDetail(StorageExecutor &storage, const HealthSource &source,
                                         const ServiceDetailQuery &query,
                                         const QDateTime &now = QDateTime::currentDateTimeUtc());

// The present half (no state changes); nullopt for an unknown service.
std::optional<ServiceDetail> planServiceDetail(const HealthSource &source, const ServiceDetailQuery &query,
                                               const QDateTime &now = QDateTime::currentDateTimeUtc());

} // namespace prophasis
