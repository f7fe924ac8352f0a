#include "daemon-core/scheduler/schedulerdriver.h"

#include <algorithm>

#include "daemon-core/scheduler/scheduler.h"

namespace prophasis {

SchedulerDriver::SchedulerDriver(Scheduler &scheduler, QObject *parent)
    : QObject(parent)
    , m_scheduler(scheduler)
{
    // Coarse timers may fire up to 5% early; a slot must not.
    m_timer.setTimerType(Qt::PreciseTimer);
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, &SchedulerDriver::fire);
    m_scheduler.setDueChangedHandler([this] { arm(); });
}

SchedulerDriver::~SchedulerDriver()
{
    m_scheduler.setDueChangedHandler({});
}

void SchedulerDriver::start()
{
    m_running = true;
    fire(); // runs whatever is due already (a restart within the lateness window) and arms
}

void SchedulerDriver::stop()
{
    m_running = false;
    m_timer.stop();
}

void SchedulerDriver::arm()
{
    if (!m_running)
        return;
    qint64 delayMs = RecheckInterval.count();
    if (const std::optional<QDateTime> due = m_scheduler.nextDue())
        delayMs =
            std::clamp<qint64>(due->toMSecsSinceEpoch() - m_scheduler.now().toMSecsSinceEpoch(), 0, delayMs);
    if (m_sinceWake.isValid())
        delayMs = std::max(delayMs, m_minWakeInterval.count() - m_sinceWake.elapsed());
    m_timer.start(static_cast<int>(delayMs));
}

void SchedulerDriver::fire()
{
    m_sinceWake.start();
    m_scheduler.runDue();
    arm();
}

} // namespace prophasis
