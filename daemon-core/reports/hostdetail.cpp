#include "daemon-core/reports/hostdetail.h"

#include <algorithm>

#include "daemon-core/reports/reporttopology.h"
#include "daemon-core/storage/database.h"
#include "daemon-core/storage/storageexecutor.h"

namespace prophasis {

namespace {

// Messages read per series before folding runs, per run shown: a few, so the newest day's table
// usually answers alone (every day of the range read newest first is a statement of its own, and
// on PostgreSQL each costs round trips); a message repeated longer shows as one run of what was read.
constexpr int MessagesReadPerShown = 5;

QList<MessageRun> foldMessages(const QList<MessageEntry> &entries, int limit)
{
    QList<MessageRun> runs;
    for (const MessageEntry &entry : entries) { // newest first
        if (!runs.isEmpty()) {
            MessageRun &run = runs.last();
            if (run.message == entry.message && run.type == entry.type &&
                run.classification == entry.classification) {
                run.first = entry.time;
                ++run.count;
                continue;
            }
            if (runs.size() >= limit)
                break;
        }
        runs.append({entry.time, entry.time, 1, entry.message, entry.type, entry.classification});
    }
    return runs;
}

} // namespace

std::optional<HostDetail> planHostDetail(const HealthSource &source, const HostDetailQuery &query,
                                         const QDateTime &now)
{
    const std::shared_ptr<const Configuration> config = source.configuration();
    if (!config)
        return std::nullopt;
    const auto host = config->hosts.constFind(query.hostId);
    if (host == config->hosts.constEnd())
        return std::nullopt;
    const std::shared_ptr<const Topology> topology = reportTopology(config);
    const LatestResults &latest = source.latest();

    HostDetail detail;
    detail.host.id = host->id;
    detail.host.name = host->name;
    detail.host.address = host->address;
    detail.host.enabled = host->enabled;
    detail.host.state = source.hostState(host->id);
    detail.description = host->description;
    detail.from = query.from;
    detail.to = query.to;
    detail.maxPoints = query.maxPoints;
    for (const CheckPluginPair &pair : topology->pairsForHost(host->id)) {
        SeriesDetail series;
        series.checkId = pair.checkId;
        series.checkName = config->checks.value(pair.checkId).name;
        const Plugin plugin = config->plugins.value(pair.pluginId);
        series.pluginId = pair.pluginId;
        series.pluginKey = plugin.pluginId;
        series.pluginName = plugin.name;
        series.view = plugin.view;
        series.state = reportSeriesState(*topology, latest, host->id, pair, now);
        detail.host.series.add(series.state);
        const auto result = latest.constFind(SeriesKey{host->id, pair.checkId, pair.pluginId});
        if (result != latest.constEnd() && result->time.isValid() &&
            (!detail.host.newestResult.isValid() || result->time > detail.host.newestResult))
            detail.host.newestResult = result->time;
        detail.series.append(series);
    }
    std::sort(detail.series.begin(), detail.series.end(), [](const SeriesDetail &a, const SeriesDetail &b) {
        const int byCheck = QString::compare(a.checkName, b.checkName, Qt::CaseInsensitive);
        if (byCheck != 0)
            return byCheck < 0;
        const int byPlugin = QString::compare(a.pluginName, b.pluginName, Qt::CaseInsensitive);
        if (byPlugin != 0)
            return byPlugin < 0;
        return std::tie(a.checkId, a.pluginId) < std::tie(b.checkId, b.pluginId);
    });
    return detail;
}

void readHostHistory(Database &db, const HostDetailQuery &query, HostDetail &detail)
{
    ResultStore results(db);
    for (SeriesDetail &series : detail.series) {
        const SeriesKey key{detail.host.id, series.checkId, series.pluginId};
        // The newest raw result carries the metrics; once its day expired, the series row still
        // has the latest result without them.
        const QList<CheckResult> last = results.lastResults(key, 1);
        series.latest =
            last.isEmpty() ? results.latestResult(key) : std::optional<CheckResult>(last.constFirst());
        series.value = {QString(), QString(),
                        results.range(key, {}, {}, query.from, query.to, query.maxPoints)};
        if (series.latest) {
            for (const Metric &metric : std::as_const(series.latest->metrics))
                series.metrics.append(
                    {metric.name, metric.unit,
                     results.range(key, metric.name, metric.unit, query.from, query.to, query.maxPoints)});
        }
        if (query.messageLimit > 0)
            series.messages = foldMessages(
                results.messageHistory(key, query.from, query.to, query.messageLimit * MessagesReadPerShown),
                query.messageLimit);
    }
    detail.changes = HealthHistoryStore(db).list(detail.host.id, query.from, query.to, query.changeLimit);
}

QFuture<HostDetail> loadHostDetail(StorageExecutor &storage, const HealthSource &source,
                                   const HostDetailQuery &query, const QDateTime &now)
{
    std::optional<HostDetail> planned = planHostDetail(source, query, now);
    if (!planned) {
        // Failed like any storage job, so callers have one way to hear of it.
        return storage.run([id = query.hostId](Database &) -> HostDetail {
            throw StorageError(StorageError::Kind::NotFound,
                               QStringLiteral("no host with id %1").arg(id.toString(QUuid::WithoutBraces)));
        });
    }
    return storage.run([query, detail = std::move(*planned)](Database &db) mutable {
        readHostHistory(db, query, detail);
        return detail;
    });
}

} // namespace prophasis
