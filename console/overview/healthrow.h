#pragma once

#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QString>

#include "shared/domain/state.h"
#include "shared/domain/statecounts.h"
#include "shared/health/worstfirst.h"

namespace prophasis {

// One row of the host or the service list: the worst-first key (id, name, state) and what the
// columns show. Hosts leave description empty, services leave address, series and newest empty.
struct HealthRow
{
    HealthEntry key;
    QString address;
    QString description;
    bool enabled = true;
    StateCounts series;
    QDateTime newestResult;

    friend bool operator==(const HealthRow &a, const HealthRow &b)
    {
        return a.key.id == b.key.id && a.key.name == b.key.name && a.key.state == b.key.state &&
               a.address == b.address && a.description == b.description && a.enabled == b.enabled &&
               a.series == b.series && a.newestResult == b.newestResult;
    }
};

// A report as the list models take it: rows worst first, and the counts per state.
struct HealthListReport
{
    QList<HealthRow> rows;
    StateCounts counts;
    QDateTime generated;
    bool valid = false; // false when the JSON was not a report
};

// The two report answers (GET /api/v1/reports/hosts and …/services) read into rows.
HealthListReport parseHostsReport(const QJsonObject &json);
HealthListReport parseServicesReport(const QJsonObject &json);

} // namespace prophasis
