#include "daemon-core/reports/reportjson.h"

#include <QJsonArray>

#include "shared/json/entityjson.h"
#include "shared/json/jsonreader.h"
#include "shared/json/statecountsjson.h"

namespace prophasis {

namespace {

QJsonObject toJson(const ChartSeries &chart)
{
    QJsonArray points;
    for (const RangePoint &point : chart.range.points)
        points.append(QJsonObject{
            {QStringLiteral("time"), toJsonTime(point.time)},
            {QStringLiteral("min"), point.min},
            {QStringLiteral("avg"), point.average},
            {QStringLiteral("max"), point.max},
            {QStringLiteral("count"), point.count},
        });
    return {
        {QStringLiteral("metric"), chart.metric},
        {QStringLiteral("unit"), chart.unit},
        {QStringLiteral("source"),
         chart.range.source == RangeSource::Hourly ? QStringLiteral("hourly") : QStringLiteral("raw")},
        {QStringLiteral("bucket_ms"), chart.range.bucketMs},
        {QStringLiteral("points"), points},
    };
}

template <typename T>
QJsonArray toJsonArray(const QList<T> &items)
{
    QJsonArray array;
    for (const T &item : items)
        array.append(toJson(item));
    return array;
}

} // namespace

QJsonObject toJson(const HostSummary &host)
{
    return {
        {QStringLiteral("id"), toJsonId(host.id)},
        {QStringLiteral("name"), host.name},
        {QStringLiteral("address"), host.address},
        {QStringLiteral("enabled"), host.enabled},
        {QStringLiteral("state"), enumName(host.state)},
        {QStringLiteral("series"), toJson(host.series)},
        {QStringLiteral("newest_result"), toJsonTimeOrNull(host.newestResult)},
    };
}

QJsonObject toJson(const HostsReport &report)
{
    return {
        {QStringLiteral("generated"), toJsonTime(report.generated)},
        {QStringLiteral("counts"), toJson(report.counts)},
        {QStringLiteral("hosts"), toJsonArray(report.hosts)},
    };
}

QJsonObject toJson(const ServiceSummary &service)
{
    return {
        {QStringLiteral("id"), toJsonId(service.id)},
        {QStringLiteral("name"), service.name},
        {QStringLiteral("description"), service.description},
        {QStringLiteral("state"), enumName(service.state)},
    };
}

QJsonObject toJson(const ServicesReport &report)
{
    return {
        {QStringLiteral("generated"), toJsonTime(report.generated)},
        {QStringLiteral("counts"), toJson(report.counts)},
        {QStringLiteral("services"), toJsonArray(report.services)},
    };
}

QJsonObject toJson(const StoredHealthChange &change)
{
    return {
        {QStringLiteral("time"), toJsonTime(change.time)},
        {QStringLiteral("subject"), enumName(change.subject)},
        {QStringLiteral("id"), toJsonId(change.subjectId)},
        {QStringLiteral("from"), enumName(change.from)},
        {QStringLiteral("to"), enumName(change.to)},
    };
}

QJsonObject toJson(const MessageRun &run)
{
    return {
        {QStringLiteral("first"), toJsonTime(run.first)},
        {QStringLiteral("last"), toJsonTime(run.last)},
        {QStringLiteral("count"), run.count},
        {QStringLiteral("message"), run.message},
        {QStringLiteral("type"), enumName(run.type)},
        {QStringLiteral("classification"), enumName(run.classification)},
    };
}

QJsonObject toJson(const SeriesDetail &series)
{
    return {
        {QStringLiteral("check_id"), toJsonId(series.checkId)},
        {QStringLiteral("check_name"), series.checkName},
        {QStringLiteral("plugin_id"), toJsonId(series.pluginId)},
        {QStringLiteral("plugin_key"), series.pluginKey},
        {QStringLiteral("plugin_name"), series.pluginName},
        {QStringLiteral("view"), enumName(series.view)},
        {QStringLiteral("state"), enumName(series.state)},
        {QStringLiteral("latest"), series.latest ? QJsonValue(toJson(*series.latest)) : QJsonValue()},
        {QStringLiteral("value"), toJson(series.value)},
        {QStringLiteral("metrics"), toJsonArray(series.metrics)},
        {QStringLiteral("messages"), toJsonArray(series.messages)},
    };
}

QJsonObject toJson(const HostDetail &detail)
{
    QJsonObject host = toJson(detail.host);
    host.insert(QStringLiteral("description"), detail.description);
    return {
        {QStringLiteral("host"), host},
        {QStringLiteral("from"), toJsonTime(detail.from)},
        {QStringLiteral("to"), toJsonTime(detail.to)},
        {QStringLiteral("points"), detail.maxPoints},
        {QStringLiteral("series"), toJsonArray(detail.series)},
        {QStringLiteral("changes"), toJsonArray(detail.changes)},
    };
}

QJsonObject toJson(const MemberReport &member)
{
    QJsonObject object{
        {QStringLiteral("kind"), enumName(member.kind)},
        {QStringLiteral("id"), toJsonId(member.id)},
        {QStringLiteral("name"), member.name},
        {QStringLiteral("state"), enumName(member.state)},
    };
    if (member.kind == MemberKind::HostPlugin) {
        object.insert(QStringLiteral("plugin_id"), toJsonId(member.pluginId));
        object.insert(QStringLiteral("plugin_name"), member.pluginName);
    }
    return object;
}

QJsonObject toJson(const ServiceDetail &detail)
{
    QJsonArray groups;
    for (const RedundancyGroupReport &group : detail.redundancyGroups)
        groups.append(QJsonObject{
            {QStringLiteral("name"), group.name},
            {QStringLiteral("state"), enumName(group.state)},
            {QStringLiteral("members"), toJsonArray(group.members)},
        });
    return {
        {QStringLiteral("service"), toJson(detail.service)},
        {QStringLiteral("dependencies"), toJsonArray(detail.dependencies)},
        {QStringLiteral("redundancy_groups"), groups},
        {QStringLiteral("from"), toJsonTime(detail.from)},
        {QStringLiteral("to"), toJsonTime(detail.to)},
        {QStringLiteral("changes"), toJsonArray(detail.changes)},
    };
}

} // namespace prophasis
