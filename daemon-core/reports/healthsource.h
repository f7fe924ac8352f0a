#pragma once

#include <QDateTime>
#include <QHash>
#include <QUuid>

#include <memory>

#include "shared/domain/configuration.h"
#include "shared/domain/state.h"
#include "shared/health/healthcalculator.h"

namespace prophasis {

// What the reports, the event stream and the status page read about the present: the
// configuration and the current health of every host and service. The running core answers
// from the engine's HealthTracker (EngineHealthSource); tests answer from a fixed configuration
// and latest results (StaticHealthSource). Read on the core's event loop only.
class HealthSource
{
public:
    virtual ~HealthSource() = default;

    // Null until the engine has read its first configuration.
    virtual std::shared_ptr<const Configuration> configuration() const = 0;
    virtual State hostState(const QUuid &hostId) const = 0;
    virtual State serviceState(const QUuid &serviceId) const = 0;
    // The latest result of every series (time and classification).
    virtual const LatestResults &latest() const = 0;
};

} // namespace prophasis
