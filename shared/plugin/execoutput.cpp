#include "shared/plugin/execoutput.h"

#include <QJsonDocument>
#include <QJsonObject>

#include <cmath>

namespace prophasis {

namespace {

// Accepts only finite JSON numbers: Qt turns an out-of-range literal such as 1e999 into inf.
std::optional<double> finiteNumber(const QJsonValue &value)
{
    if (!value.isDouble() || !std::isfinite(value.toDouble()))
        return std::nullopt;
    return value.toDouble();
}

bool readMetric(const QString &name, const QJsonValue &json, QList<Metric> &metrics, QString *problem)
{
    if (json.isNull())
        return true;
    if (const std::optional<double> value = finiteNumber(json)) {
        metrics.append({name, *value, QString()});
        return true;
    }
    if (json.isObject()) {
        const QJsonObject object = json.toObject();
        const QJsonValue unit = object.value(QStringLiteral("unit"));
        const QJsonValue value = object.value(QStringLiteral("value"));
        if (!unit.isUndefined() && !unit.isNull() && !unit.isString()) {
            *problem = QStringLiteral("metric \"%1\": \"unit\" must be a string").arg(name);
            return false;
        }
        if (value.isNull())
            return true;
        if (const std::optional<double> number = finiteNumber(value)) {
            metrics.append({name, *number, unit.toString()});
            return true;
        }
    }
    *problem =
        QStringLiteral("metric \"%1\" must be a finite number or {\"value\": number, \"unit\": string}")
            .arg(name);
    return false;
}

std::optional<RunResult> readResult(const QJsonObject &object, QString *problem)
{
    RunResult result;

    const QJsonValue value = object.value(QStringLiteral("value"));
    if (!value.isUndefined() && !value.isNull()) {
        result.value = finiteNumber(value);
        if (!result.value) {
            *problem = QStringLiteral("\"value\" must be a finite number or null");
            return std::nullopt;
        }
    }

    const QJsonValue message = object.value(QStringLiteral("message"));
    if (!message.isUndefined() && !message.isNull() && !message.isString()) {
        *problem = QStringLiteral("\"message\" must be a string");
        return std::nullopt;
    }
    result.message = message.toString();
    if (result.message.size() > MaxRunMessageLength) {
        result.message.truncate(MaxRunMessageLength);
        result.truncated = true;
    }

    const QJsonValue status = object.value(QStringLiteral("status"));
    if (!status.isUndefined() && !status.isNull()) {
        const std::optional<PluginStatus> parsed = enumFromName<PluginStatus>(status.toString());
        if (!status.isString() || !parsed || *parsed == PluginStatus::None) {
            *problem = QStringLiteral("\"status\" must be ok, warning, critical or unknown");
            return std::nullopt;
        }
        result.status = *parsed;
    }

    const QJsonValue metrics = object.value(QStringLiteral("metrics"));
    if (!metrics.isUndefined() && !metrics.isNull()) {
        if (!metrics.isObject()) {
            *problem = QStringLiteral("\"metrics\" must be an object of name: number");
            return std::nullopt;
        }
        const QJsonObject metricObject = metrics.toObject();
        for (auto it = metricObject.begin(); it != metricObject.end(); ++it) {
            if (!readMetric(it.key(), it.value(), result.metrics, problem))
                return std::nullopt;
        }
        if (result.metrics.size() > MaxRunMetrics) {
            result.metrics.resize(MaxRunMetrics);
            result.truncated = true;
        }
    }
    return result;
}

} // namespace

QString outputPreview(const QByteArray &output, qsizetype bytes)
{
    QString preview = QString::fromUtf8(output.left(bytes)).simplified();
    // Control characters would garble a log line or a console cell.
    for (QChar &c : preview) {
        if (c.category() == QChar::Other_Control)
            c = QChar(0xFFFD);
    }
    if (output.size() > bytes)
        preview += QStringLiteral("…");
    return preview;
}

std::optional<RunResult> parseExecOutput(const QByteArray &output, QString *error)
{
    if (output.trimmed().isEmpty()) {
        *error = QStringLiteral("the plugin printed nothing; it must print one JSON object such as "
                                "{\"value\": 1, \"message\": \"…\"}");
        return std::nullopt;
    }
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(output, &parseError);
    if (parseError.error != QJsonParseError::NoError || !document.isObject()) {
        *error = QStringLiteral("the plugin printed no JSON object: %1").arg(outputPreview(output));
        return std::nullopt;
    }
    QString problem;
    std::optional<RunResult> result = readResult(document.object(), &problem);
    if (!result)
        *error = QStringLiteral("the plugin's JSON output is not a run result: %1").arg(problem);
    return result;
}

} // namespace prophasis
