#include "daemon-core/reports/hostsreport.h"

#include "daemon-core/reports/reporttopology.h"
#include "shared/health/worstfirst.h"

namespace prophasis {

namespace {

// Rows in sortWorstFirst's order: the one order every list is shown in.
template <typename Row>
QList<Row> worstFirst(const QList<Row> &rows)
{
    QList<HealthEntry> entries;
    entries.reserve(rows.size());
    QHash<QUuid, qsizetype> index;
    index.reserve(rows.size());
    for (qsizetype i = 0; i < rows.size(); ++i) {
        entries.append({rows[i].id, rows[i].name, rows[i].state});
        index.insert(rows[i].id, i);
    }
    sortWorstFirst(entries);
    QList<Row> sorted;
    sorted.reserve(entries.size());
    for (const HealthEntry &entry : std::as_const(entries))
        sorted.append(rows[index.value(entry.id)]);
    return sorted;
}

} // namespace

HostsReport buildHostsReport(const HealthSource &source, const QDateTime &now)
{
    HostsReport report;
    report.generated = now;
    const std::shared_ptr<const Configuration> config = source.configuration();
    if (!config)
        return report;
    const std::shared_ptr<const Topology> topology = reportTopology(config);
    const LatestResults &latest = source.latest();
    QList<HostSummary> rows;
    rows.reserve(config->hosts.size());
    for (const Host &host : config->hosts) {
        HostSummary row;
        row.id = host.id;
        row.name = host.name;
        row.address = host.address;
        row.enabled = host.enabled;
        row.state = source.hostState(host.id);
        for (const CheckPluginPair &pair : topology->pairsForHost(host.id)) {
            const auto found = latest.constFind(SeriesKey{host.id, pair.checkId, pair.pluginId});
            const LatestResult *result = found == latest.constEnd() ? nullptr : &*found;
            row.series.add(reportSeriesState(*topology, result, pair, now));
            if (result && result->time.isValid() &&
                (!row.newestResult.isValid() || result->time > row.newestResult))
                row.newestResult = result->time;
        }
        report.counts.add(row.state);
        rows.append(row);
    }
    report.hosts = worstFirst(rows);
    return report;
}

ServicesReport buildServicesReport(const HealthSource &source, const QDateTime &now)
{
    ServicesReport report;
    report.generated = now;
    const std::shared_ptr<const Configuration> config = source.configuration();
    if (!config)
        return report;
    QList<ServiceSummary> rows;
    rows.reserve(config->services.size());
    for (const Service &service : config->services) {
        const ServiceSummary row{service.id, service.name, service.description,
                                 source.serviceState(service.id)};
        report.counts.add(row.state);
        rows.append(row);
    }
    report.services = worstFirst(rows);
    return report;
}

} // namespace prophasis
