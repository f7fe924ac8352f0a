#pragma once

#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QString>

#include <array>

#include "shared/domain/state.h"
#include "shared/health/worstfirst.h"

namespace prophasis {

// How many hosts, services or series are in each state (a report's "counts" object).
class StateTally
{
public:
    int value(State state) const { return m_counts[std::size_t(state)]; }
    void add(State state, int count = 1) { m_counts[std::size_t(state)] += count; }
    int total() const;
    // Reads {"critical": 1, …, "no_data": 0}; missing states count zero.
    static StateTally fromJson(const QJsonObject &object);
    friend bool operator==(const StateTally &, const StateTally &) = default;

private:
    std::array<int, 7> m_counts{}; // per State enumerator
};

// One row of the host or the service list: the worst-first key (id, name, state) and what the
// columns show. Hosts leave description empty, services leave address, series and newest empty.
struct HealthRow
{
    HealthEntry key;
    QString address;
    QString description;
    bool enabled = true;
    StateTally series;
    QDateTime newestResult;

    friend bool operator==(const HealthRow &a, const HealthRow &b)
    {
        return a.key.id == b.key.id && a.key.name == b.key.name && a.key.state == b.key.state &&
               a.address == b.address && a.description == b.description && a.enabled == b.enabled &&
               a.series == b.series && a.newestResult == b.newestResult;
    }
};

// A report as the list models take it: rows worst first, and the counts per state.
struct HealthReport
{
    QList<HealthRow> rows;
    StateTally counts;
    QDateTime generated;
    bool valid = false; // false when the JSON was not a report
};

// The two report answers (GET /api/v1/reports/hosts and …/services) read into rows.
HealthReport parseHostsReport(const QJsonObject &json);
HealthReport parseServicesReport(const QJsonObject &json);

} // namespace prophasis
