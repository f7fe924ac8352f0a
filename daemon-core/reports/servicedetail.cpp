#include "daemon-core/reports/servicedetail.h"

#include "daemon-core/reports/reporttopology.h"
#include "daemon-core/storage/database.h"
#include "daemon-core/storage/storageexecutor.h"

namespace prophasis {

namespace {

MemberReport memberReport(const ServiceMember &member, const Configuration &config,
                          const HealthSource &source, const HealthCalculator &calculator)
{
    MemberReport report;
    report.kind = member.kind;
    report.id = member.id;
    switch (member.kind) {
    case MemberKind::Host:
        report.name = config.hosts.value(member.id).name;
        report.state = source.hostState(member.id);
        break;
    case MemberKind::HostGroup:
        report.name = config.groups.value(member.id).name;
        report.state = calculator.hostGroupHealth(member.id);
        break;
    case MemberKind::HostPlugin:
        report.name = config.hosts.value(member.id).name;
        report.pluginId = member.pluginId;
        report.pluginName = config.plugins.value(member.pluginId).name;
        report.state = calculator.hostPluginHealth(member.id, member.pluginId);
        break;
    case MemberKind::Service:
        report.name = config.services.value(member.id).name;
        report.state = source.serviceState(member.id);
        break;
    }
    return report;
}

} // namespace

std::optional<ServiceDetail> planServiceDetail(const HealthSource &source, const ServiceDetailQuery &query,
                                               const QDateTime &now)
{
    const std::shared_ptr<const Configuration> config = source.configuration();
    if (!config)
        return std::nullopt;
    const auto service = config->services.constFind(query.serviceId);
    if (service == config->services.constEnd())
        return std::nullopt;

    // Member health by the engine's rules over the same present: the hosts' states as the source
    // knows them, groups and plugins-on-hosts worked out from them and the latest results.
    HealthCalculator calculator(*config, *reportTopology(config), source.latest(), now);
    QHash<QUuid, State> hostStates;
    hostStates.reserve(config->hosts.size());
    for (auto it = config->hosts.cbegin(); it != config->hosts.cend(); ++it)
        hostStates.insert(it.key(), source.hostState(it.key()));
    calculator.assumeHostHealth(hostStates);

    ServiceDetail detail;
    detail.service = {service->id, service->name, service->description, source.serviceState(service->id)};
    detail.from = query.from;
    detail.to = query.to;
    for (const ServiceMember &member : service->dependencies)
        detail.dependencies.append(memberReport(member, *config, source, calculator));
    for (const RedundancyGroup &group : service->redundancyGroups) {
        RedundancyGroupReport report;
        report.name = group.name;
        report.state = calculator.redundancyGroupHealth(group);
        for (const ServiceMember &member : group.members)
            report.members.append(memberReport(member, *config, source, calculator));
        detail.redundancyGroups.append(report);
    }
    return detail;
}

QFuture<ServiceDetail> loadServiceDetail(StorageExecutor &storage, const HealthSource &source,
                                         const ServiceDetailQuery &query, const QDateTime &now)
{
    std::optional<ServiceDetail> planned = planServiceDetail(source, query, now);
    if (!planned) {
        return storage.run([id = query.serviceId](Database &) -> ServiceDetail {
            throw StorageError(
                StorageError::Kind::NotFound,
                QStringLiteral("no service with id %1").arg(id.toString(QUuid::WithoutBraces)));
        });
    }
    return storage.run([query, detail = std::move(*planned)](Database &db) mutable {
        detail.changes =
            HealthHistoryStore(db).list(detail.service.id, query.from, query.to, query.changeLimit);
        return detail;
    });
}

} // namespace prophasis
