#pragma once

#include <QList>

#include "daemon-core/engine/healthtracker.h"
#include "shared/domain/checkresult.h"

namespace prophasis {

// What the engine hands alerting for each health change: the change itself and, for the message
// text, the latest result of each series in change.causes that the engine still has (value,
// message, result type). A cause without a result here is still named, only without details.
struct AlertEvent
{
    HealthChange change;
    QList<CheckResult> causeResults;
};

} // namespace prophasis
