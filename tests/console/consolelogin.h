#pragma once

#include <QTest>
#include <QUrl>

#include <optional>

#include "console/client/apiclient.h"

// Logging the console's API client in, for the console's tests: one place instead of a wait loop
// in every test.
namespace prophasis::test {

// https://127.0.0.1:<port>, as the console addresses a core on loopback.
inline QUrl loopbackCoreUrl(quint16 port)
{
    return QUrl(QStringLiteral("https://127.0.0.1:%1").arg(port));
}

// Logs `client` in and waits for the answer (20 s at most): the login's result, status 0 with a
// note when no answer came.
inline ApiResult loginAndWait(ApiClient &client, const QString &user, const QString &password)
{
    std::optional<ApiResult> result;
    QObject context;
    client.login(user, password, &context, [&result](const ApiResult &answer) { result = answer; });
    if (!QTest::qWaitFor([&result] { return result.has_value(); }, 20'000))
        return makeApiResult(0, {}, QStringLiteral("no answer to the login within 20 s"));
    return *result;
}

} // namespace prophasis::test
