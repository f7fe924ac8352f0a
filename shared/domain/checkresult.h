#pragma once

#include <QDateTime>
#include <QString>
#include <QUuid>

#include <array>
#include <optional>
#include <utility>

#include "shared/domain/enumnames.h"
#include "shared/domain/state.h"

namespace prophasis {

// How a run ended. Failures are results like any other and reach the classifier.
enum class ResultType
{
    Success,
    ConnectionError,
    Timeout,
    TlsError,
    RequestError,
    PluginError,
};

// A plugin's own verdict (Nagios plugins judge themselves); None for the others.
enum class PluginStatus
{
    None,
    Ok,
    Warning,
    Critical,
    Unknown,
};

struct Metric
{
    QString name; // e.g. load1, /var used %
    double value = 0;
    QString unit;
    friend bool operator==(const Metric &, const Metric &) = default;
};

// One run of one plugin of one check on one host.
struct CheckResult
{
    QUuid hostId;
    QUuid checkId;
    QUuid pluginId;
    QDateTime time;
    ResultType type = ResultType::Success;
    std::optional<double> value;
    QString message;
    PluginStatus status = PluginStatus::None;
    State classification = State::Unknown;
    QList<Metric> metrics;
    qint64 durationMs = 0;
};

template <>
struct EnumNames<ResultType>
{
    static constexpr std::array<std::pair<ResultType, const char *>, 6> table = {{
        {ResultType::Success, "success"},
        {ResultType::ConnectionError, "connection_error"},
        {ResultType::Timeout, "timeout"},
        {ResultType::TlsError, "tls_error"},
        {ResultType::RequestError, "request_error"},
        {ResultType::PluginError, "plugin_error"},
    }};
};

template <>
struct EnumNames<PluginStatus>
{
    static constexpr std::array<std::pair<PluginStatus, const char *>, 5> table = {{
        {PluginStatus::None, "none"},
        {PluginStatus::Ok, "ok"},
        {PluginStatus::Warning, "warning"},
        {PluginStatus::Critical, "critical"},
        {PluginStatus::Unknown, "unknown"},
    }};
};

} // namespace prophasis
