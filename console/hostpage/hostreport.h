#pragma once

#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QUuid>

#include <optional>

#include "console/common/healthchanges.h"
#include "shared/domain/checkresult.h"
#include "shared/domain/plugin.h"
#include "shared/domain/state.h"

// The answer of GET /api/v1/reports/hosts/{id} (written by daemon-core/reports/reportjson.cpp) as
// the console's own values: the console links no daemon code, so it reads the JSON into these.
namespace prophasis {

// One bucket of a chart: the values stored in [time, time + bucket) folded to min, avg, max.
struct ChartPoint
{
    qint64 timeMs = 0; // the bucket's start, ms since 1970 UTC
    double min = 0;
    double avg = 0;
    double max = 0;
    qint64 count = 0;
};

// One chart: a series' value (metric empty) or one of its metrics.
struct ChartData
{
    QString metric; // empty: the plugin's value
    QString unit;
    bool hourly = false; // the points come from hourly rollups, not raw results
    qint64 bucketMs = 0;
    QList<ChartPoint> points; // oldest first

    // The index of the point nearest to `timeMs`; -1 when there are none.
    int nearestIndex(qint64 timeMs) const;
};

// Consecutive results with the same message and classification, folded into one line.
struct MessageRunRow
{
    QString seriesName; // "check · plugin", for the page's combined table
    QDateTime first;
    QDateTime last;
    int count = 1;
    QString message;
    ResultType type = ResultType::Success;
    State classification = State::Unknown;
};

// A plugin of a check on the host.
struct ReportSeries
{
    QUuid checkId;
    QString checkName;
    QUuid pluginId;
    QString pluginKey;
    QString pluginName;
    PluginView view = PluginView::Line;
    State state = State::NoData;
    std::optional<CheckResult> latest;
    ChartData value;
    QList<ChartData> metrics;
    QList<MessageRunRow> messages; // newest first

    QString displayName() const; // "check · plugin"
};

struct HostReport
{
    QUuid id;
    QString name;
    QString address;
    QString description;
    bool enabled = true;
    State state = State::NoData;
    QDateTime newestResult; // invalid when none arrived yet
    QDateTime from;
    QDateTime to;
    int points = 0;
    QList<ReportSeries> series;
    QList<HealthChangeRow> changes; // newest first
};

// Reads the report; nullopt with *error when the JSON is not a host report.
std::optional<HostReport> parseHostReport(const QJsonObject &json, QString *error = nullptr);
ChartData parseChartData(const QJsonObject &json);

} // namespace prophasis
