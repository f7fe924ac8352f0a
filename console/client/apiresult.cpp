#include "console/client/apiresult.h"

#include <QCoreApplication>

namespace prophasis {

namespace {

QString describeStatus(int status)
{
    switch (status) {
    case 401:
        return QCoreApplication::translate("ApiResult", "Not logged in, or the session ended.");
    case 403:
        return QCoreApplication::translate("ApiResult", "Your role does not allow this.");
    case 404:
        return QCoreApplication::translate("ApiResult", "Not found: it may have been deleted meanwhile.");
    case 409:
        return QCoreApplication::translate(
            "ApiResult", "Someone else changed this meanwhile: reload it and apply your change again.");
    case 413:
        return QCoreApplication::translate("ApiResult", "Too large for the core to accept.");
    case 422:
        return QCoreApplication::translate("ApiResult", "Some fields are not valid.");
    case 429:
        return QCoreApplication::translate("ApiResult", "Too many attempts: wait a moment and try again.");
    case 503:
        return QCoreApplication::translate("ApiResult", "The core is busy or not ready: try again shortly.");
    default:
        break;
    }
    return QCoreApplication::translate("ApiResult", "The core answered with HTTP status %1.").arg(status);
}

} // namespace

ApiResult makeApiResult(int status, const QByteArray &body, const QString &networkError)
{
    ApiResult result;
    result.status = status;
    result.body = body;
    QJsonParseError parseError{};
    if (!body.isEmpty())
        result.json = QJsonDocument::fromJson(body, &parseError);
    if (status == 0) {
        result.errorText = networkError.isEmpty()
                               ? QCoreApplication::translate("ApiResult", "The core could not be reached.")
                               : QCoreApplication::translate("ApiResult", "The core could not be reached: %1")
                                     .arg(networkError);
        return result;
    }
    if (result.ok())
        return result;
    // The core's error bodies: {"error": "<status name>", "message": "…", "fields": {…}}.
    const QJsonObject object = result.json.object();
    const QString message = object.value(QStringLiteral("message")).toString();
    result.errorText = message.isEmpty() ? describeStatus(status) : message;
    const QJsonObject fields = object.value(QStringLiteral("fields")).toObject();
    for (auto it = fields.begin(); it != fields.end(); ++it)
        result.fieldErrors.insert(it.key(), it.value().toString());
    return result;
}

} // namespace prophasis
