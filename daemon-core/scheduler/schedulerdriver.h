#pragma once

#include <QElapsedTimer>
#include <QObject>
#include <QTimer>

#include <chrono>

namespace prophasis {

class Scheduler;

// Runs a Scheduler on the event loop: one precise single-shot timer armed for nextDue(), so due
// runs are queued within the minimum wake-up interval (20 ms) of their slot. It also wakes at least every
// RecheckInterval, because a timer counts monotonic time and would miss a wall clock that jumps.
// Re-arms by itself when the scheduler's configuration changes.
class SchedulerDriver : public QObject
{
    Q_OBJECT
public:
    static constexpr std::chrono::milliseconds RecheckInterval{2000};
    // Wake-ups are at least this far apart, so runs due within a few milliseconds of each other
    // are queued in one go: each wake-up costs tens of microseconds of CPU (timer, poll, context
    // switch), which at 20,000 runs a minute spread over the period would be paid per run.
    // It adds at most this much lateness.
    static constexpr std::chrono::milliseconds DefaultMinWakeInterval{20};

    // The scheduler must outlive the driver.
    explicit SchedulerDriver(Scheduler &scheduler, QObject *parent = nullptr);
    ~SchedulerDriver() override;

    // Starts running due jobs (the scheduler should have its first configuration by now).
    void start();
    void stop();
    bool isRunning() const { return m_running; }
    void setMinWakeInterval(std::chrono::milliseconds interval) { m_minWakeInterval = interval; }

private:
    void arm();
    void fire();

    Scheduler &m_scheduler;
    QTimer m_timer;
    QElapsedTimer m_sinceWake;
    std::chrono::milliseconds m_minWakeInterval = DefaultMinWakeInterval;
    bool m_running = false;
};

} // namespace prophasis
