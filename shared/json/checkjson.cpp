#include <limits>

#include "shared/json/classifierjson.h"
#include "shared/json/entityjson.h"
#include "shared/json/jsonreader.h"

namespace prophasis {

namespace {

QJsonObject toJson(const CheckPlugin &entry)
{
    return {
        {QStringLiteral("plugin_id"), toJsonId(entry.pluginId)},
        {QStringLiteral("arguments"), entry.arguments},
        {QStringLiteral("classifier"),
         entry.classifierOverride ? QJsonValue(toJson(*entry.classifierOverride)) : QJsonValue()},
    };
}

// `field` names the entry in errors, e.g. "plugins.0".
CheckPlugin readCheckPlugin(const QJsonValue &value, FieldErrors &errors, const QString &field)
{
    CheckPlugin entry;
    if (!value.isObject()) {
        errors.add(field, QStringLiteral("must be an object"));
        return entry;
    }
    const QJsonObject object = value.toObject();
    JsonReader reader(object, errors, field + u'.');
    entry.pluginId = reader.uuid(QStringLiteral("plugin_id"));
    entry.arguments = reader.object(QStringLiteral("arguments"));
    // Absent or null: the plugin's own classifier applies.
    if (const QJsonValue classifier = object.value(QStringLiteral("classifier"));
        !classifier.isUndefined() && !classifier.isNull())
        entry.classifierOverride = readClassifier(reader, QStringLiteral("classifier"), Classifier());
    return entry;
}

QJsonObject toJson(const ScheduleInterval &interval)
{
    return {
        {QStringLiteral("start"), toJsonTime(interval.start)},
        {QStringLiteral("period_s"), interval.periodSeconds},
    };
}

// `field` names the entry in errors, e.g. "intervals.1".
ScheduleInterval readInterval(const QJsonValue &value, FieldErrors &errors, const QString &field)
{
    ScheduleInterval interval;
    if (!value.isObject()) {
        errors.add(field, QStringLiteral("must be an object"));
        return interval;
    }
    const QJsonObject object = value.toObject();
    JsonReader reader(object, errors, field + u'.');
    interval.start = reader.dateTime(QStringLiteral("start"));
    // The range is validate()'s to check.
    interval.periodSeconds =
        reader.integer(QStringLiteral("period_s"), interval.periodSeconds, std::numeric_limits<qint64>::min(),
                       std::numeric_limits<qint64>::max());
    return interval;
}

} // namespace

QJsonObject toJson(const Check &check)
{
    QJsonArray plugins;
    for (const CheckPlugin &entry : check.plugins)
        plugins.append(toJson(entry));
    return {
        {QStringLiteral("id"), toJsonId(check.id)},
        {QStringLiteral("version"), check.version},
        {QStringLiteral("name"), check.name},
        {QStringLiteral("description"), check.description},
        {QStringLiteral("host_ids"), toJsonIds(check.hostIds)},
        {QStringLiteral("group_ids"), toJsonIds(check.groupIds)},
        {QStringLiteral("plugins"), plugins},
        {QStringLiteral("enabled"), check.enabled},
    };
}

FieldErrors fromJson(const QJsonObject &json, Check &out)
{
    FieldErrors errors;
    JsonReader reader(json, errors);
    reader.entity(out);
    out.name = reader.string(QStringLiteral("name"), out.name);
    out.description = reader.string(QStringLiteral("description"), out.description);
    out.hostIds = reader.uuidList(QStringLiteral("host_ids"), out.hostIds);
    out.groupIds = reader.uuidList(QStringLiteral("group_ids"), out.groupIds);
    if (reader.has(QStringLiteral("plugins"))) {
        const QJsonArray items = reader.array(QStringLiteral("plugins"));
        out.plugins.clear();
        for (qsizetype i = 0; i < items.size(); ++i)
            out.plugins.append(readCheckPlugin(items[i], errors, QStringLiteral("plugins.%1").arg(i)));
    }
    out.enabled = reader.boolean(QStringLiteral("enabled"), out.enabled);
    return errors;
}

QJsonObject toJson(const Schedule &schedule)
{
    QJsonArray intervals;
    for (const ScheduleInterval &interval : schedule.intervals)
        intervals.append(toJson(interval));
    return {
        {QStringLiteral("id"), toJsonId(schedule.id)},
        {QStringLiteral("version"), schedule.version},
        {QStringLiteral("name"), schedule.name},
        {QStringLiteral("description"), schedule.description},
        {QStringLiteral("intervals"), intervals},
        {QStringLiteral("check_ids"), toJsonIds(schedule.checkIds)},
        {QStringLiteral("enabled"), schedule.enabled},
    };
}

FieldErrors fromJson(const QJsonObject &json, Schedule &out)
{
    FieldErrors errors;
    JsonReader reader(json, errors);
    reader.entity(out);
    out.name = reader.string(QStringLiteral("name"), out.name);
    out.description = reader.string(QStringLiteral("description"), out.description);
    if (reader.has(QStringLiteral("intervals"))) {
        const QJsonArray items = reader.array(QStringLiteral("intervals"));
        out.intervals.clear();
        for (qsizetype i = 0; i < items.size(); ++i)
            out.intervals.append(readInterval(items[i], errors, QStringLiteral("intervals.%1").arg(i)));
    }
    out.checkIds = reader.uuidList(QStringLiteral("check_ids"), out.checkIds);
    out.enabled = reader.boolean(QStringLiteral("enabled"), out.enabled);
    return errors;
}

} // namespace prophasis
