#include "daemon-core/api/apiresponses.h"

#include <QJsonDocument>
#include <QJsonParseError>
#include <QLoggingCategory>

#include "daemon-core/storage/storageerror.h"

namespace prophasis {

namespace {

Q_LOGGING_CATEGORY(lcApi, "prophasis.api")

HttpResponse withFields(int status, const QString &message, const QJsonObject &fields)
{
    QJsonObject body{{QStringLiteral("error"), HttpResponse::errorCode(status)},
                     {QStringLiteral("message"), message}};
    if (!fields.isEmpty())
        body.insert(QStringLiteral("fields"), fields);
    return HttpResponse::json(status, body);
}

} // namespace

HttpResponse fieldErrorsResponse(const FieldErrors &errors)
{
    QJsonObject fields;
    for (const FieldError &error : errors.list()) {
        // One message per field: the first, which is what the form shows beside it.
        if (!fields.contains(error.field))
            fields.insert(error.field, error.message);
    }
    return withFields(422, errors.summary(), fields);
}

HttpResponse storageErrorResponse(const StorageError &error)
{
    const QJsonObject fields =
        error.field().isEmpty() ? QJsonObject() : QJsonObject{{error.field(), error.message()}};
    switch (error.kind()) {
    case StorageError::Kind::NotFound:
        return HttpResponse::error(404, error.message());
    case StorageError::Kind::Conflict:
        return HttpResponse::error(409, error.message());
    case StorageError::Kind::Duplicate:
        return withFields(409, error.message(), fields);
    case StorageError::Kind::MissingReference:
    case StorageError::Kind::Invalid:
        return withFields(422, error.message(), fields);
    case StorageError::Kind::Unavailable: {
        HttpResponse response =
            HttpResponse::error(503, QStringLiteral("the database is unavailable; try again shortly"));
        response.headers.append({QByteArrayLiteral("Retry-After"), QByteArrayLiteral("5")});
        return response;
    }
    case StorageError::Kind::Internal:
        break;
    }
    qCWarning(lcApi).noquote() << "internal storage error:" << error.message();
    return HttpResponse::error(500,
                               QStringLiteral("an internal error occurred; the core's log has the details"));
}

std::optional<QJsonObject> readJsonObject(const HttpRequest &request, HttpResponse *refusal)
{
    const QByteArray type = request.header("Content-Type").split(';').first().trimmed().toLower();
    if (type != "application/json") {
        *refusal =
            HttpResponse::error(415, QStringLiteral("send the body as Content-Type: application/json"));
        return std::nullopt;
    }
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(request.body, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        *refusal = HttpResponse::error(400, QStringLiteral("the body is not valid JSON: %1 at byte %2")
                                                .arg(parseError.errorString())
                                                .arg(parseError.offset));
        return std::nullopt;
    }
    if (!document.isObject()) {
        *refusal = HttpResponse::error(400, QStringLiteral("the body must be a JSON object"));
        return std::nullopt;
    }
    return document.object();
}

std::optional<QJsonObject> readOptionalJsonObject(const HttpRequest &request, HttpResponse *refusal)
{
    if (request.body.isEmpty())
        return QJsonObject();
    return readJsonObject(request, refusal);
}

namespace {

std::optional<QJsonObject> sendingRefusal(const std::optional<QJsonObject> &body, const HttpResponse &refusal,
                                          const HttpResponder &responder)
{
    if (!body)
        responder.send(refusal);
    return body;
}

} // namespace

std::optional<QJsonObject> readJsonObject(const HttpRequest &request, const HttpResponder &responder)
{
    HttpResponse refusal;
    return sendingRefusal(readJsonObject(request, &refusal), refusal, responder);
}

std::optional<QJsonObject> readOptionalJsonObject(const HttpRequest &request, const HttpResponder &responder)
{
    HttpResponse refusal;
    return sendingRefusal(readOptionalJsonObject(request, &refusal), refusal, responder);
}

} // namespace prophasis
