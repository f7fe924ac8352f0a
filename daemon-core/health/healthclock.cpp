#include "daemon-core/health/healthclock.h"

#include <chrono>

namespace prophasis {

HealthClock HealthClock::system()
{
    return {[] {
                return qint64(std::chrono::duration_cast<std::chrono::milliseconds>(
                                  std::chrono::steady_clock::now().time_since_epoch())
                                  .count());
            },
            [] { return QDateTime::currentDateTimeUtc(); }};
}

} // namespace prophasis
