#include "daemon-core/health/schedulerreading.h"

namespace prophasis {

HealthReading schedulerReading(bool scheduling, const std::optional<QDateTime> &nextDue, const QDateTime &now)
{
    if (!scheduling)
        return {true, QStringLiteral("not scheduling"), {}};
    if (!nextDue)
        return {true, QStringLiteral("nothing scheduled"), {}};
    const qint64 overdueMs = nextDue->msecsTo(now);
    if (overdueMs > HealthLimits::SchedulerMaxDelay.count())
        return {false,
                QStringLiteral("a run due %1 s ago is still not queued: the scheduler is frozen")
                    .arg(overdueMs / 1000),
                {{QStringLiteral("overdue_ms"), overdueMs}}};
    return {true, QStringLiteral("running"), {}};
}

} // namespace prophasis
