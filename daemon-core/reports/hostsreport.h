#pragma once

#include <QDateTime>

#include "daemon-core/reports/healthsource.h"
#include "daemon-core/reports/reportmodel.h"

namespace prophasis {

// The host list: every host worst first with its series counted per state (a series whose latest
// result is older than its staleness limit at `now` counts as unknown, as health does). Cheap:
// no database, one walk of the configuration. Call on the loop the HealthSource lives on.
HostsReport buildHostsReport(const HealthSource &source,
                             const QDateTime &now = QDateTime::currentDateTimeUtc());

// The service list: every service worst first with its state.
ServicesReport buildServicesReport(const HealthSource &source,
                                   const QDateTime &now = QDateTime::currentDateTimeUtc());

} // namespace prophasis
