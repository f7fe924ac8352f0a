#pragma once

#include "daemon-core/reports/healthsource.h"

namespace prophasis {

class CoreEngine;

// The running core's present: the engine's configuration and its HealthTracker.
class EngineHealthSource : public HealthSource
{
public:
    explicit EngineHealthSource(const CoreEngine &engine)
        : m_engine(engine)
    {
    }

    std::shared_ptr<const Configuration> configuration() const override;
    State hostState(const QUuid &hostId) const override;
    State serviceState(const QUuid &serviceId) const override;
    const LatestResults &latest() const override;

private:
    const CoreEngine &m_engine;
};

} // namespace prophasis
