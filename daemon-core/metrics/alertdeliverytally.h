#pragma once

#include <array>

#include "daemon-core/alerting/deliveryqueue.h"

namespace prophasis {

// Final outcomes of alert deliveries since start, for /metrics: feed it every
// AlertService::deliveryFinished report. Test messages (the console's Test button) are left out
// so a failing test does not look like a missed alert.
class AlertDeliveryTally
{
public:
    void note(const DeliveryReport &report);
    quint64 count(DeliveryReport::Kind kind) const { return m_counts[std::size_t(kind)]; }

private:
    std::array<quint64, 3> m_counts{}; // per DeliveryReport::Kind
};

} // namespace prophasis
