#include <limits>

#include "shared/json/entityjson.h"
#include "shared/json/jsonreader.h"

namespace prophasis {

namespace {

QJsonObject toJson(const Metric &metric)
{
    return {
        {QStringLiteral("name"), metric.name},
        {QStringLiteral("value"), metric.value},
        {QStringLiteral("unit"), metric.unit},
    };
}

// `field` names the metric in errors, e.g. "metrics.1".
Metric readMetric(const QJsonValue &value, FieldErrors &errors, const QString &field)
{
    Metric metric;
    if (!value.isObject()) {
        errors.add(field, QStringLiteral("must be an object"));
        return metric;
    }
    const QJsonObject object = value.toObject();
    JsonReader reader(object, errors, field + u'.');
    metric.name = reader.string(QStringLiteral("name"), {}, true);
    if (const QJsonValue number = object.value(QStringLiteral("value"));
        number.isUndefined() || number.isNull())
        errors.add(reader.field(QStringLiteral("value")), QStringLiteral("is required"));
    else
        metric.value = reader.number(QStringLiteral("value")).value_or(0);
    metric.unit = reader.string(QStringLiteral("unit"));
    return metric;
}

// "ok, unknown, …": the states a result may carry, for the error message.
QString resultClassificationNames()
{
    QStringList names;
    for (const auto &[state, name] : EnumNames<State>::table) {
        if (isResultClassification(state))
            names.append(QString::fromLatin1(name));
    }
    return names.join(QStringLiteral(", "));
}

} // namespace

QJsonObject toJson(const CheckResult &result)
{
    QJsonArray metrics;
    for (const Metric &metric : result.metrics)
        metrics.append(toJson(metric));
    return {
        {QStringLiteral("host_id"), toJsonId(result.hostId)},
        {QStringLiteral("check_id"), toJsonId(result.checkId)},
        {QStringLiteral("plugin_id"), toJsonId(result.pluginId)},
        {QStringLiteral("time"), toJsonTime(result.time)},
        {QStringLiteral("type"), enumName(result.type)},
        {QStringLiteral("value"), result.value ? QJsonValue(*result.value) : QJsonValue()},
        {QStringLiteral("message"), result.message},
        {QStringLiteral("status"), enumName(result.status)},
        {QStringLiteral("classification"), enumName(result.classification)},
        {QStringLiteral("metrics"), metrics},
        {QStringLiteral("duration_ms"), result.durationMs},
    };
}

FieldErrors fromJson(const QJsonObject &json, CheckResult &out)
{
    FieldErrors errors;
    JsonReader reader(json, errors);
    if (reader.has(QStringLiteral("host_id")))
        out.hostId = reader.uuid(QStringLiteral("host_id"));
    if (reader.has(QStringLiteral("check_id")))
        out.checkId = reader.uuid(QStringLiteral("check_id"));
    if (reader.has(QStringLiteral("plugin_id")))
        out.pluginId = reader.uuid(QStringLiteral("plugin_id"));
    if (reader.has(QStringLiteral("time")))
        out.time = reader.dateTime(QStringLiteral("time"));
    out.type = reader.enumValue(QStringLiteral("type"), out.type);
    // null: the run gave no value.
    if (json.value(QStringLiteral("value")).isNull())
        out.value.reset();
    else if (const std::optional<double> value = reader.number(QStringLiteral("value")))
        out.value = value;
    out.message = reader.string(QStringLiteral("message"), out.message);
    out.status = reader.enumValue(QStringLiteral("status"), out.status);
    // "degraded" and "no_data" describe hosts and services, never one result.
    if (reader.has(QStringLiteral("classification"))) {
        if (const State classification =
                reader.enumValue(QStringLiteral("classification"), out.classification);
            isResultClassification(classification))
            out.classification = classification;
        else
            errors.add(reader.field(QStringLiteral("classification")),
                       QStringLiteral("must be one of: %1").arg(resultClassificationNames()));
    }
    if (reader.has(QStringLiteral("metrics"))) {
        const QJsonArray items = reader.array(QStringLiteral("metrics"));
        out.metrics.clear();
        for (qsizetype i = 0; i < items.size(); ++i)
            out.metrics.append(readMetric(items[i], errors, QStringLiteral("metrics.%1").arg(i)));
    }
    out.durationMs =
        reader.integer(QStringLiteral("duration_ms"), out.durationMs, 0, std::numeric_limits<qint64>::max());
    return errors;
}

} // namespace prophasis
