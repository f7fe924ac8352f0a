#include "daemon-core/health/eventlooplagprobe.h"

#include <algorithm>

namespace prophasis {

EventLoopLagProbe::EventLoopLagProbe(std::function<qint64()> steadyMs, std::chrono::milliseconds interval,
                                     QObject *parent)
    : QObject(parent)
    , m_steadyMs(std::move(steadyMs))
    , m_interval(interval)
{
    // A coarse timer may fire 5% early and up to 5% late by design: that would read as lag.
    m_timer.setTimerType(Qt::PreciseTimer);
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, &EventLoopLagProbe::tick);
}

void EventLoopLagProbe::start()
{
    m_running = true;
    m_lastLagMs = 0;
    arm(m_steadyMs());
}

void EventLoopLagProbe::stop()
{
    m_running = false;
    m_timer.stop();
}

std::chrono::milliseconds EventLoopLagProbe::lag() const
{
    if (!m_running)
        return std::chrono::milliseconds(0);
    const qint64 overdueMs = m_steadyMs() - m_expectedMs;
    return std::chrono::milliseconds(std::max<qint64>({0, m_lastLagMs, overdueMs}));
}

void EventLoopLagProbe::tick()
{
    if (!m_running)
        return;
    const qint64 nowMs = m_steadyMs();
    m_lastLagMs = std::max<qint64>(0, nowMs - m_expectedMs);
    arm(nowMs);
}

void EventLoopLagProbe::arm(qint64 nowMs)
{
    // Single shot, re-armed from the time it ran: each tick measures one interval, and a stall
    // counts once instead of as a burst of catch-up ticks.
    m_expectedMs = nowMs + m_interval.count();
    m_timer.start(m_interval);
}

} // namespace prophasis
