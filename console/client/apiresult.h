#pragma once

#include <QByteArray>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QString>

namespace prophasis {

// What one management API call came back with: the answer, or what went wrong in words a
// person can act on. Network and TLS failures have status 0.
struct ApiResult
{
    int status = 0;     // the HTTP status; 0 when no answer came
    QByteArray body;    // the raw body
    QJsonDocument json; // the body as JSON, null when it was not JSON
    QString errorText;  // empty on success; otherwise a sentence for the user
    // 422 answers: a message per field ({"fields": {"name": "must not be empty"}}), keyed by the
    // field's path as the API names it.
    QHash<QString, QString> fieldErrors;
    // When the core presented a key other than the pinned one: the key it presented.
    QString presentedKey;

    bool ok() const { return status >= 200 && status < 300; }
    bool networkFailure() const { return status == 0; }
    QJsonObject object() const { return json.object(); }
    QJsonArray array() const { return json.array(); }
};

// Builds the result of an answer: parses JSON and turns error bodies into errorText and
// fieldErrors. `networkError` is Qt's error string when no HTTP answer came.
ApiResult makeApiResult(int status, const QByteArray &body, const QString &networkError = {});

} // namespace prophasis
