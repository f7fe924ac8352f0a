#pragma once

#include <QJsonObject>
#include <QList>
#include <QString>

#include <optional>

#include "shared/domain/checkresult.h"

namespace prophasis {

// Caps on what one run may return, so a chatty plugin cannot bloat the agent or the core.
inline constexpr qsizetype MaxRunMessageLength = 4096;
inline constexpr qsizetype MaxRunMetrics = 256;
inline constexpr qsizetype MaxCapturedOutputBytes = 256 * 1024;

// What POST /v1/plugins/{id}/run answers (SPEC §9): value, message, status, metrics,
// duration_ms, plugin_version, truncated. A run that failed inside the agent (timeout, crash,
// bad output) still answers 200 with a message saying what happened and `error` set to
// "timeout" or "plugin_error", so the core can type the result.
struct RunResult
{
    std::optional<double> value;
    QString message;
    PluginStatus status = PluginStatus::None;
    QList<Metric> metrics;
    qint64 durationMs = 0;
    QString pluginVersion;
    bool truncated = false;     // output or metrics were cut to the caps above
    QString error;              // empty, "timeout" or "plugin_error"

    QJsonObject toJson() const;
    // nullopt with *error when the object is not a run result.
    static std::optional<RunResult> fromJson(const QJsonObject &json, QString *error);

    static RunResult failure(const QString &errorType, const QString &message);
};

} // namespace prophasis
