#pragma once

#include <QDeadlineTimer>
#include <QJsonObject>
#include <QTest>

#include <chrono>
#include <memory>
#include <optional>

#include "daemon-core/serverchecks/servercheckrunner.h"

// What the server-side check tests share: a request in one call, a run that waits for its result.
namespace prophasis::testing {

using namespace std::chrono_literals;

inline ServerCheckRequest checkRequest(const QString &kind, const QJsonObject &arguments,
                                       const QString &address = QStringLiteral("127.0.0.1"),
                                       std::chrono::milliseconds timeout = 10s)
{
    ServerCheckRequest request;
    request.kind = kind;
    request.target = {QStringLiteral("testhost"), address};
    request.arguments = arguments;
    request.timeout = timeout;
    return request;
}

// Runs one check and waits for its result; nullopt when none came within 30 s (a bound for a
// broken test, not a timed assertion: every check ends by its own deadline long before).
inline std::optional<CheckResult> runCheck(ServerCheckRunner &runner, const ServerCheckRequest &request)
{
    auto result = std::make_shared<std::optional<CheckResult>>();
    if (!runner.enqueue(request, [result](const CheckResult &r) { *result = r; }))
        return std::nullopt;
    QDeadlineTimer bound(30'000);
    while (!*result && !bound.hasExpired())
        QTest::qWait(2);
    return *result;
}

inline std::optional<double> metricOf(const CheckResult &result, const QString &name)
{
    for (const Metric &metric : result.metrics) {
        if (metric.name == name)
            return metric.value;
    }
    return std::nullopt;
}

} // namespace prophasis::testing
