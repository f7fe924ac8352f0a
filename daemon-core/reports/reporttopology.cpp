#include "daemon-core/reports/reporttopology.h"

#include <QMutex>

namespace prophasis {

std::shared_ptr<const Topology> reportTopology(const std::shared_ptr<const Configuration> &configuration)
{
    static QMutex mutex;
    static std::weak_ptr<const Configuration> cachedFor;
    static std::shared_ptr<const Topology> cached;
    if (!configuration)
        return std::make_shared<const Topology>(Configuration{});
    QMutexLocker locker(&mutex);
    if (cached && cachedFor.lock() == configuration)
        return cached;
    cached = std::make_shared<const Topology>(*configuration);
    cachedFor = configuration;
    return cached;
}

State reportSeriesState(const Topology &topology, const LatestResults &latest, const QUuid &hostId,
                        const CheckPluginPair &pair, const QDateTime &now)
{
    const auto it = latest.constFind(SeriesKey{hostId, pair.checkId, pair.pluginId});
    return reportSeriesState(topology, it == latest.constEnd() ? nullptr : &*it, pair, now);
}

State reportSeriesState(const Topology &topology, const LatestResult *result, const CheckPluginPair &pair,
                        const QDateTime &now)
{
    return seriesStateAt(topology, result, pair.checkId, now);
}

} // namespace prophasis
