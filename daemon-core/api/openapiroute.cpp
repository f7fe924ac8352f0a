#include "daemon-core/api/openapiroute.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>

namespace prophasis {

namespace {

const char *const ResourcePath = ":/prophasis/api/openapi.json";

QByteArray loadDocument()
{
    QFile file(QString::fromLatin1(ResourcePath));
    if (!file.open(QIODevice::ReadOnly))
        qFatal("the OpenAPI document %s is not built into this binary", ResourcePath);
    QJsonObject document = QJsonDocument::fromJson(file.readAll()).object();
    // One version to bump (the project's), not a second one in the file.
    QJsonObject info = document.value(QStringLiteral("info")).toObject();
    info.insert(QStringLiteral("version"), QStringLiteral(PROPHASIS_VERSION));
    document.insert(QStringLiteral("info"), info);
    return QJsonDocument(document).toJson(QJsonDocument::Compact);
}

} // namespace

QByteArray openApiDocument()
{
    static const QByteArray document = loadDocument(); // read once; it cannot change while we run
    return document;
}

void mountOpenApiRoute(RouteTable &routes)
{
    // No login: the document describes the API and holds no data (every route it names still
    // needs its token), and clients and code generators fetch it before they have one.
    routes.add(QByteArrayLiteral("GET"), QStringLiteral("/api/v1/openapi.json"),
               HttpHandler([](const HttpRequest &, const ClientInfo &, HttpResponder responder) {
                   HttpResponse response;
                   response.status = 200;
                   response.headers.append(
                       {QByteArrayLiteral("Content-Type"), QByteArrayLiteral("application/json")});
                   response.body = openApiDocument();
                   responder.send(response);
               }));
}

} // namespace prophasis
