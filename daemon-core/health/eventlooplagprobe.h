#pragma once

#include <QObject>
#include <QTimer>

#include <chrono>
#include <functional>

namespace prophasis {

// Measures how far behind the event loop is: a timer that should fire every interval, and how
// late it fires. Everything the core does on the network and for the scheduler runs on this
// loop, so a loop that is seconds behind answers nobody on time. Also counts a tick that is
// overdue right now, so a reading taken just after a long stall (before the late tick ran)
// shows the stall.
class EventLoopLagProbe : public QObject
{
    Q_OBJECT
public:
    static constexpr std::chrono::milliseconds DefaultInterval{500};

    explicit EventLoopLagProbe(std::function<qint64()> steadyMs,
                               std::chrono::milliseconds interval = DefaultInterval,
                               QObject *parent = nullptr);

    void start();
    void stop();
    bool isRunning() const { return m_running; }
    std::chrono::milliseconds interval() const { return m_interval; }

    // How late the last tick fired, or how overdue the next one is now, whichever is larger;
    // zero while stopped.
    std::chrono::milliseconds lag() const;

    // What the timer runs; public so tests drive the probe with their own clock.
    void tick();

private:
    void arm(qint64 nowMs);

    std::function<qint64()> m_steadyMs;
    std::chrono::milliseconds m_interval;
    QTimer m_timer;
    qint64 m_expectedMs = 0;
    qint64 m_lastLagMs = 0;
    bool m_running = false;
};

} // namespace prophasis
