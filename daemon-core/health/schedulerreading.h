#pragma once

#include <QDateTime>

#include <optional>

#include "daemon-core/health/corehealth.h"

namespace prophasis {

// The scheduler's health read from the outside: its driver wakes at least every 2 s and queues
// every run that is due, so a run still due long after its time (HealthLimits::SchedulerMaxDelay)
// means the scheduler froze. `scheduling` is false while the engine starts or stops (nothing is
// expected then); `nextDue` is the earliest due time (none: nothing scheduled); `now` is the
// scheduler's own clock.
HealthReading schedulerReading(bool scheduling, const std::optional<QDateTime> &nextDue,
                               const QDateTime &now);

} // namespace prophasis
