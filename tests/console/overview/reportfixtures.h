#pragma once

#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QRandomGenerator>

#include "daemon-core/reports/reportjson.h"
#include "shared/health/worstfirst.h"

// Reports as the core's API answers them (daemon-core/reports/reportjson.h): for the overview's
// tests and its benchmark.
namespace prophasis::test {

inline HostSummary hostSummary(const QString &name, State state, const QUuid &id = QUuid::createUuid())
{
    HostSummary host;
    host.id = id;
    host.name = name;
    host.address = name + QStringLiteral(".example.net");
    host.state = state;
    host.series.add(state == State::NoData ? State::NoData : state);
    host.series.add(State::Ok, 2);
    if (state != State::NoData)
        host.newestResult = QDateTime(QDate(2026, 11, 25), QTime(12, 0), Qt::UTC);
    return host;
}

inline ServiceSummary serviceSummary(const QString &name, State state, const QUuid &id = QUuid::createUuid())
{
    ServiceSummary service;
    service.id = id;
    service.name = name;
    service.description = QStringLiteral("The %1 service").arg(name);
    service.state = state;
    return service;
}

// Rows worst first and counted, as buildHostsReport() and buildServicesReport() make them.
template <typename Report, typename Summary>
Report worstFirstReport(const QList<Summary> &rows, QList<Summary> Report::*list)
{
    Report report;
    report.generated = QDateTime(QDate(2026, 11, 25), QTime(12, 0, 5), Qt::UTC);
    QList<HealthEntry> order;
    QHash<QUuid, Summary> byId;
    for (const Summary &row : rows) {
        order.append({row.id, row.name, row.state});
        byId.insert(row.id, row);
        report.counts.add(row.state);
    }
    sortWorstFirst(order);
    for (const HealthEntry &entry : order)
        (report.*list).append(byId.value(entry.id));
    return report;
}

inline QJsonObject hostsJson(const QList<HostSummary> &hosts)
{
    return toJson(worstFirstReport(hosts, &HostsReport::hosts));
}

inline QJsonObject servicesJson(const QList<ServiceSummary> &services)
{
    return toJson(worstFirstReport(services, &ServicesReport::services));
}

inline QJsonObject healthEvent(const QString &subject, const QUuid &id, const QString &name, State from,
                               State to)
{
    return {{QStringLiteral("subject"), subject},
            {QStringLiteral("id"), id.toString(QUuid::WithoutBraces)},
            {QStringLiteral("name"), name},
            {QStringLiteral("from"), enumName(from)},
            {QStringLiteral("to"), enumName(to)},
            {QStringLiteral("time"), QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs)}};
}

inline State randomState(QRandomGenerator &random)
{
    const QList<State> &states = statesWorstFirst();
    return states[random.bounded(int(states.size()))];
}

} // namespace prophasis::test
