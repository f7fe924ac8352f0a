#pragma once

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QString>
#include <QStringList>

#include <functional>

#include "shared/http/httphandler.h"

namespace prophasis {

// The values of a route's `{name}` segments, by name (percent-decoded, as in HttpRequest::path).
using PathParameters = QHash<QString, QString>;
using RouteHandler =
    std::function<void(const HttpRequest &, const PathParameters &, const ClientInfo &, HttpResponder)>;

// Which handler answers which request on the core's HTTPS port. A pattern is a path whose
// segments are literal or `{name}` (one whole, non-empty segment: `/api/v1/hosts/{id}`). Where two
// patterns match, the one with a literal segment first wins (`/api/v1/hosts/new` over
// `/api/v1/hosts/{id}`). Unknown paths get 404; a known path asked with another method 405 with
// Allow; HEAD is answered by the GET handler (the connection sends the head only).
class RouteTable
{
public:
    void add(const QByteArray &method, const QString &pattern, RouteHandler handler);
    // For handlers that take no path parameters.
    void add(const QByteArray &method, const QString &pattern, HttpHandler handler);
    bool contains(const QByteArray &method, const QString &pattern) const;
    // A body limit of its own for one route (plugin upload: archives beyond the port's 1 MiB),
    // applied by CoreHttpsServer before the body is read.
    void setBodyLimit(const QByteArray &method, const QString &pattern, qint64 maxBytes);
    // The limit for a request to `path`; -1 when its route has none of its own.
    qint64 bodyLimit(QByteArrayView method, QStringView path) const;
    // Every pattern with its methods, sorted: for the OpenAPI document's test.
    QList<std::pair<QString, QByteArray>> routes() const;

    void handle(const HttpRequest &request, const ClientInfo &client, HttpResponder responder) const;

private:
    struct Route
    {
        QString pattern;
        QStringList segments;
        QHash<QByteArray, RouteHandler> handlers; // method → handler
        QHash<QByteArray, qint64> bodyLimits;     // method → its own body limit
    };

    const Route *match(const QString &path, PathParameters *parameters) const;

    QList<Route> m_routes;
};

} // namespace prophasis
