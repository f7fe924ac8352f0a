#pragma once

#include <QByteArray>
#include <QList>
#include <QPair>
#include <QString>

#include <chrono>

#include "daemon-core/alerting/alertmodule.h"

namespace prophasis {

// One HTTP(S) request: the webhook module's and the dead man's switch's one way out.
struct HttpCall
{
    QByteArray method = "POST"; // POST or GET
    QString url;                // http:// or https:// only; often a secret (it holds a token)
    QList<QPair<QByteArray, QByteArray>> headers;
    QByteArray body; // POST only
    QByteArray contentType = "application/json";
    std::chrono::milliseconds timeout{10'000};
    QString caFile; // empty: the system's CAs
    bool verifyTls = true;
};

struct HttpCallResult
{
    int status = 0;  // 0 when no answer came
    QByteArray body; // the first MaxKeptResponseBytes of the answer
    QString error;   // empty on a 2xx answer
    bool ok() const { return error.isEmpty(); }
};

// The part of an answer kept for error messages.
inline constexpr qsizetype MaxKeptResponseBytes = 4096;

// Sends the request and waits for the answer (blocking: delivery threads only). Redirects are not
// followed and any answer outside 2xx is a failure whose error names the status and the start of
// the body. Errors never contain the URL's path or query, where webhook tokens live.
HttpCallResult performHttpCall(const HttpCall &call, const DeliveryContext &context = {});

// What logs may show of a secret URL: "https://hooks.slack.com/…".
QString redactedUrl(const QString &url);

} // namespace prophasis
