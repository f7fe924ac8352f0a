#pragma once

#include <QDateTime>

#include <memory>

#include "shared/domain/configuration.h"
#include "shared/health/healthcalculator.h"
#include "shared/health/topology.h"

namespace prophasis {

// The Topology of a configuration snapshot, built once per snapshot and shared by every report
// made from it (the status page asks for the host list many times a second; the configuration
// changes rarely). Thread-safe.
std::shared_ptr<const Topology> reportTopology(const std::shared_ptr<const Configuration> &configuration);

// A series' state as health counts it at `now` (seriesStateAt in shared/health).
State reportSeriesState(const Topology &topology, const LatestResults &latest, const QUuid &hostId,
                        const CheckPluginPair &pair, const QDateTime &now);
// The same for a latest result already looked up (null: none).
State reportSeriesState(const Topology &topology, const LatestResult *result, const CheckPluginPair &pair,
                        const QDateTime &now);

} // namespace prophasis
