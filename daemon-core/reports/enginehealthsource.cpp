#include "daemon-core/reports/enginehealthsource.h"

#include "daemon-core/engine/coreengine.h"

namespace prophasis {

std::shared_ptr<const Configuration> EngineHealthSource::configuration() const
{
    return m_engine.configuration();
}

State EngineHealthSource::hostState(const QUuid &hostId) const
{
    return m_engine.health().hostState(hostId);
}

State EngineHealthSource::serviceState(const QUuid &serviceId) const
{
    return m_engine.health().serviceState(serviceId);
}

const LatestResults &EngineHealthSource::latest() const
{
    return m_engine.health().latest();
}

} // namespace prophasis
