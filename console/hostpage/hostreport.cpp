#include "console/hostpage/hostreport.h"

#include <QJsonArray>

#include <algorithm>

#include "shared/json/entityjson.h"
#include "shared/json/jsonreader.h"

namespace prophasis {

namespace {

template <typename E>
E readEnum(const QJsonValue &value, E fallback)
{
    return enumFromName<E>(value.toString()).value_or(fallback);
}

QUuid readId(const QJsonValue &value)
{
    return QUuid::fromString(value.toString());
}

} // namespace

int ChartData::nearestIndex(qint64 timeMs) const
{
    if (points.isEmpty())
        return -1;
    const auto after =
        std::lower_bound(points.cbegin(), points.cend(), timeMs,
                         [](const ChartPoint &point, qint64 time) { return point.timeMs < time; });
    if (after == points.cbegin())
        return 0;
    if (after == points.cend())
        return int(points.size() - 1);
    const auto before = after - 1;
    return int((timeMs - before->timeMs <= after->timeMs - timeMs ? before : after) - points.cbegin());
}

QString ReportSeries::displayName() const
{
    return checkName + QStringLiteral(" · ") + pluginName;
}

ChartData parseChartData(const QJsonObject &json)
{
    ChartData chart;
    chart.metric = json.value(QStringLiteral("metric")).toString();
    chart.unit = json.value(QStringLiteral("unit")).toString();
    chart.hourly = json.value(QStringLiteral("source")).toString() == QStringLiteral("hourly");
    chart.bucketMs = json.value(QStringLiteral("bucket_ms")).toInteger();
    const QJsonArray points = json.value(QStringLiteral("points")).toArray();
    chart.points.reserve(points.size());
    for (const QJsonValue &value : points) {
        const QJsonObject point = value.toObject();
        chart.points.append({fromJsonTime(point.value(QStringLiteral("time"))).toMSecsSinceEpoch(),
                             point.value(QStringLiteral("min")).toDouble(),
                             point.value(QStringLiteral("avg")).toDouble(),
                             point.value(QStringLiteral("max")).toDouble(),
                             point.value(QStringLiteral("count")).toInteger()});
    }
    return chart;
}

std::optional<HostReport> parseHostReport(const QJsonObject &json, QString *error)
{
    const QJsonObject host = json.value(QStringLiteral("host")).toObject();
    if (host.isEmpty() || !json.value(QStringLiteral("series")).isArray()) {
        if (error)
            *error = QStringLiteral("the core's answer is not a host report");
        return std::nullopt;
    }
    HostReport report;
    report.id = readId(host.value(QStringLiteral("id")));
    report.name = host.value(QStringLiteral("name")).toString();
    report.address = host.value(QStringLiteral("address")).toString();
    report.description = host.value(QStringLiteral("description")).toString();
    report.enabled = host.value(QStringLiteral("enabled")).toBool(true);
    report.state = readEnum(host.value(QStringLiteral("state")), State::NoData);
    if (host.value(QStringLiteral("newest_result")).isString())
        report.newestResult = fromJsonTime(host.value(QStringLiteral("newest_result")));
    report.from = fromJsonTime(json.value(QStringLiteral("from")));
    report.to = fromJsonTime(json.value(QStringLiteral("to")));
    report.points = json.value(QStringLiteral("points")).toInt();

    for (const QJsonValue &value : json.value(QStringLiteral("series")).toArray()) {
        const QJsonObject object = value.toObject();
        ReportSeries series;
        series.checkId = readId(object.value(QStringLiteral("check_id")));
        series.checkName = object.value(QStringLiteral("check_name")).toString();
        series.pluginId = readId(object.value(QStringLiteral("plugin_id")));
        series.pluginKey = object.value(QStringLiteral("plugin_key")).toString();
        series.pluginName = object.value(QStringLiteral("plugin_name")).toString();
        series.view = readEnum(object.value(QStringLiteral("view")), PluginView::Line);
        series.state = readEnum(object.value(QStringLiteral("state")), State::NoData);
        if (object.value(QStringLiteral("latest")).isObject()) {
            CheckResult latest;
            // Type errors leave a field at its default: a partly readable result is still shown.
            fromJson(object.value(QStringLiteral("latest")).toObject(), latest);
            series.latest = latest;
        }
        series.value = parseChartData(object.value(QStringLiteral("value")).toObject());
        for (const QJsonValue &metric : object.value(QStringLiteral("metrics")).toArray())
            series.metrics.append(parseChartData(metric.toObject()));
        const QString seriesName = series.displayName();
        for (const QJsonValue &runValue : object.value(QStringLiteral("messages")).toArray()) {
            const QJsonObject run = runValue.toObject();
            series.messages.append({seriesName, fromJsonTime(run.value(QStringLiteral("first"))),
                                    fromJsonTime(run.value(QStringLiteral("last"))),
                                    run.value(QStringLiteral("count")).toInt(1),
                                    run.value(QStringLiteral("message")).toString(),
                                    readEnum(run.value(QStringLiteral("type")), ResultType::Success),
                                    readEnum(run.value(QStringLiteral("classification")), State::Unknown)});
        }
        report.series.append(series);
    }
    report.changes = parseHealthChanges(json.value(QStringLiteral("changes")).toArray());
    return report;
}

} // namespace prophasis
