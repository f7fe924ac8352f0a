#pragma once

#include <QDateTime>
#include <QList>
#include <QString>
#include <QUuid>

#include <optional>

#include "daemon-core/storage/healthhistorystore.h"
#include "daemon-core/storage/resultstore.h"
#include "shared/domain/checkresult.h"
#include "shared/domain/plugin.h"
#include "shared/domain/service.h"
#include "shared/domain/state.h"
#include "shared/domain/statecounts.h"

// The reports of SPEC §5 / issue #6 as plain values: what the management API answers (as JSON,
// reportjson.h) and what the status page renders. Built by hostsreport.h, hostdetail.h and
// servicedetail.h from the present (HealthSource) and the stored history.
namespace prophasis {

// One row of the host list.
struct HostSummary
{
    QUuid id;
    QString name;
    QString address;
    bool enabled = true;
    State state = State::NoData; // the host's health now
    StateCounts series;          // its (check, plugin) series per state (stale ones unknown)
    QDateTime newestResult;      // invalid when no result arrived yet
};

// Every host worst first (sortWorstFirst), and how many hosts are in each state.
struct HostsReport
{
    QDateTime generated;
    QList<HostSummary> hosts;
    StateCounts counts;
};

// One row of the service list.
struct ServiceSummary
{
    QUuid id;
    QString name;
    QString description;
    State state = State::NoData;
};

struct ServicesReport
{
    QDateTime generated;
    QList<ServiceSummary> services;
    StateCounts counts;
};

// One chart: a series' value (metric empty) or one of its metrics, downsampled.
struct ChartSeries
{
    QString metric; // empty: the plugin's value
    QString unit;
    SeriesRange range;
};

// Consecutive results with the same message, type and classification: one line of a message
// history, so a message repeated every minute for a day is one line, not 1,440.
struct MessageRun
{
    QDateTime first; // the oldest result of the run (within what was read)
    QDateTime last;  // the newest
    int count = 1;
    QString message;
    ResultType type = ResultType::Success;
    State classification = State::Unknown;
};

// A plugin of a check on the host: its names, its present and its history in the range.
struct SeriesDetail
{
    QUuid checkId;
    QString checkName;
    QUuid pluginId;
    QString pluginKey; // the package id, e.g. org.prophasis.cpu_load
    QString pluginName;
    PluginView view = PluginView::Line;
    State state = State::NoData;       // as health counts it now (stale: unknown)
    std::optional<CheckResult> latest; // the newest stored result (with its metrics), if any
    ChartSeries value;
    QList<ChartSeries> metrics; // the metrics of the latest result, by name
    QList<MessageRun> messages; // newest first
};

// Members have initializers so callers can name only the ones they set: {.hostId = id}.
struct HostDetailQuery
{
    static constexpr int DefaultPoints = 300;
    static constexpr int DefaultMessages = 50;
    static constexpr int DefaultChanges = 200;
    QUuid hostId{};
    QDateTime from{}; // inclusive
    QDateTime to{};   // exclusive
    int maxPoints = DefaultPoints;
    int messageLimit = DefaultMessages;
    int changeLimit = DefaultChanges;
};

struct HostDetail
{
    HostSummary host;
    QString description;
    QDateTime from;
    QDateTime to;
    int maxPoints = 0;
    QList<SeriesDetail> series;        // by check name, then plugin name
    QList<StoredHealthChange> changes; // in [from, to), newest first
};

// A member of a service's dependencies or of a redundancy group, with its present health.
struct MemberReport
{
    MemberKind kind = MemberKind::Host;
    QUuid id; // host, host group or service
    QString name;
    QUuid pluginId; // HostPlugin only
    QString pluginName;
    State state = State::NoData;
};

struct RedundancyGroupReport
{
    QString name;
    State state = State::NoData; // the group's own health (HealthCalculator::redundancyGroupHealth)
    QList<MemberReport> members;
};

struct ServiceDetailQuery
{
    QUuid serviceId{};
    QDateTime from{}; // inclusive; state changes only
    QDateTime to{};   // exclusive
    int changeLimit = HostDetailQuery::DefaultChanges;
};

struct ServiceDetail
{
    ServiceSummary service;
    QList<MemberReport> dependencies;
    QList<RedundancyGroupReport> redundancyGroups;
    QDateTime from;
    QDateTime to;
    QList<StoredHealthChange> changes; // newest first
};

} // namespace prophasis
