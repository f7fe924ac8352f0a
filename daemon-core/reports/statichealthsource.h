#pragma once

#include "daemon-core/reports/healthsource.h"

namespace prophasis {

// A HealthSource over a fixed configuration and latest results, with health worked out once by
// the same rules as the engine's (HealthCalculator at `now`): for tests and tools.
class StaticHealthSource : public HealthSource
{
public:
    StaticHealthSource(Configuration configuration, LatestResults latest,
                       const QDateTime &now = QDateTime::currentDateTimeUtc());

    std::shared_ptr<const Configuration> configuration() const override { return m_configuration; }
    State hostState(const QUuid &hostId) const override { return m_hostStates.value(hostId, State::NoData); }
    State serviceState(const QUuid &serviceId) const override
    {
        return m_serviceStates.value(serviceId, State::NoData);
    }
    const LatestResults &latest() const override { return m_latest; }

private:
    std::shared_ptr<const Configuration> m_configuration;
    LatestResults m_latest;
    QHash<QUuid, State> m_hostStates;
    QHash<QUuid, State> m_serviceStates;
};

} // namespace prophasis
