#include "shared/plugin/runresult.h"

#include <QJsonArray>

#include <cmath>

#include "shared/json/jsonreader.h"

namespace prophasis {

QJsonObject RunResult::toJson() const
{
    QJsonArray metricArray;
    for (const Metric &metric : metrics)
        metricArray.append(QJsonObject{{QStringLiteral("name"), metric.name},
                                       {QStringLiteral("value"), metric.value},
                                       {QStringLiteral("unit"), metric.unit}});
    QJsonObject json = {
        {QStringLiteral("value"), value ? QJsonValue(*value) : QJsonValue(QJsonValue::Null)},
        {QStringLiteral("message"), message},
        {QStringLiteral("status"), status == PluginStatus::None ? QJsonValue(QJsonValue::Null) : QJsonValue(enumName(status))},
        {QStringLiteral("metrics"), metricArray},
        {QStringLiteral("duration_ms"), durationMs},
        {QStringLiteral("plugin_version"), pluginVersion},
        {QStringLiteral("truncated"), truncated},
    };
    if (!error.isEmpty())
        json.insert(QStringLiteral("error"), error);
    return json;
}

std::optional<RunResult> RunResult::fromJson(const QJsonObject &json, QString *error)
{
    FieldErrors errors;
    JsonReader reader(json, errors);
    RunResult result;
    result.value = reader.number(QStringLiteral("value"));
    result.message = reader.string(QStringLiteral("message"));
    result.status = reader.enumValue(QStringLiteral("status"), PluginStatus::None);
    result.durationMs = reader.integer(QStringLiteral("duration_ms"), 0, 0, std::numeric_limits<qint32>::max());
    result.pluginVersion = reader.string(QStringLiteral("plugin_version"));
    result.truncated = reader.boolean(QStringLiteral("truncated"), false);
    result.error = reader.string(QStringLiteral("error"));
    const QJsonArray metrics = reader.array(QStringLiteral("metrics"));
    for (qsizetype i = 0; i < metrics.size() && i < MaxRunMetrics; ++i) {
        const QJsonObject item = metrics[i].toObject();
        JsonReader metricReader(item, errors, QStringLiteral("metrics.%1.").arg(i));
        const QString name = metricReader.string(QStringLiteral("name"), {}, true);
        const std::optional<double> metricValue = metricReader.number(QStringLiteral("value"));
        if (!metricValue)
            errors.add(metricReader.field(QStringLiteral("value")), QStringLiteral("is required"));
        else
            result.metrics.append({name, *metricValue, metricReader.string(QStringLiteral("unit"))});
    }
    if (!result.error.isEmpty() && result.error != QLatin1String("timeout") && result.error != QLatin1String("plugin_error"))
        errors.add(QStringLiteral("error"), QStringLiteral("must be timeout or plugin_error"));
    if (!errors.isEmpty()) {
        *error = QStringLiteral("not a plugin run result: %1").arg(errors.summary());
        return std::nullopt;
    }
    if (result.message.size() > MaxRunMessageLength) {
        result.message.truncate(MaxRunMessageLength);
        result.truncated = true;
    }
    return result;
}

RunResult RunResult::failure(const QString &errorType, const QString &message)
{
    RunResult result;
    result.error = errorType;
    result.message = message.left(MaxRunMessageLength);
    return result;
}

} // namespace prophasis
