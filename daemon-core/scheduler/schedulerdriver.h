#pragma once

#include <QObject>
#include <QTimer>

#include <chrono>

namespace prophasis {

class Scheduler;

// Runs a Scheduler on the event loop: one precise single-shot timer armed for nextDue(), so due
// runs are queued within a few milliseconds of their slot. It also wakes at least every
// RecheckInterval, because a timer counts monotonic time and would miss a wall clock that jumps.
// Re-arms by itself when the scheduler's configuration changes.
class SchedulerDriver : public QObject
{
    Q_OBJECT
public:
    static constexpr std::chrono::milliseconds RecheckInterval{2000};

    // The scheduler must outlive the driver.
    explicit SchedulerDriver(Scheduler &scheduler, QObject *parent = nullptr);
    ~SchedulerDriver() override;

    // Starts running due jobs (the scheduler should have its first configuration by now).
    void start();
    void stop();
    bool isRunning() const { return m_running; }

private:
    void arm();
    void fire();

    Scheduler &m_scheduler;
    QTimer m_timer;
    bool m_running = false;
};

} // namespace prophasis
