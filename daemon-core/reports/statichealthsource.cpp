#include "daemon-core/reports/statichealthsource.h"

namespace prophasis {

StaticHealthSource::StaticHealthSource(Configuration configuration, LatestResults latest,
                                       const QDateTime &now)
    : m_configuration(std::make_shared<const Configuration>(std::move(configuration)))
    , m_latest(std::move(latest))
{
    const HealthCalculator calculator(*m_configuration, m_latest, now);
    for (auto it = m_configuration->hosts.cbegin(); it != m_configuration->hosts.cend(); ++it)
        m_hostStates.insert(it.key(), calculator.hostHealth(it.key()));
    for (auto it = m_configuration->services.cbegin(); it != m_configuration->services.cend(); ++it)
        m_serviceStates.insert(it.key(), calculator.serviceHealth(it.key()));
}

} // namespace prophasis
