#include "daemon-core/metrics/alertdeliverytally.h"

namespace prophasis {

void AlertDeliveryTally::note(const DeliveryReport &report)
{
    if (!report.test)
        ++m_counts[std::size_t(report.kind)];
}

} // namespace prophasis
