#pragma once

#include <QLoggingCategory>

namespace prophasis {

// The daemon log of alerting ("prophasis.core.alerting"); what the admin must read goes to the
// system log instead (AlertService::logEntry).
Q_DECLARE_LOGGING_CATEGORY(lcAlerting)

} // namespace prophasis
