#pragma once

#include <QEventLoop>
#include <QJsonObject>
#include <QPointer>
#include <QTest>
#include <QTimer>

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

// Runs one check and waits for its result in an event loop (not QTest::qWait, which sleeps
// between rounds and would delay every event the check needs); nullopt when none came within
// 30 s (a bound for a broken test, not a timed assertion: every check ends by its own deadline
// long before).
inline std::optional<CheckResult> runCheck(ServerCheckRunner &runner, const ServerCheckRequest &request)
{
    auto result = std::make_shared<std::optional<CheckResult>>();
    QEventLoop loop;
    QPointer<QEventLoop> waiting(&loop);
    if (!runner.enqueue(request, [result, waiting](const CheckResult &r) {
            *result = r;
            if (waiting)
                waiting->quit();
        }))
        return std::nullopt;
    QTimer::singleShot(30'000, &loop, &QEventLoop::quit);
    loop.exec();
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
