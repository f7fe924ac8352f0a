#pragma once

#include <QDateTime>

#include <functional>

namespace prophasis {

// The two clocks the core's health reads, injected so tests move time by hand: a monotonic one
// for durations (how long a component has been failing, how late a timer fired) and the wall
// clock for the times /healthz shows.
struct HealthClock
{
    std::function<qint64()> steadyMs; // milliseconds on a monotonic clock, any origin
    std::function<QDateTime()> utcNow;

    static HealthClock system();
};

} // namespace prophasis
