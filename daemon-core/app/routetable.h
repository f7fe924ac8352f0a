#pragma once

#include <QByteArray>
#include <QHash>
#include <QString>

#include "shared/http/httphandler.h"

namespace prophasis {

// Which handler answers which request on the core's HTTPS port. Exact paths for now (GET
// /healthz); the management API (issue #6) adds its own. Unknown paths get 404, a known path
// asked with another method 405 with Allow; HEAD is answered by the GET handler (the connection
// sends the head only).
class RouteTable
{
public:
    void add(const QByteArray &method, const QString &path, HttpHandler handler);
    bool contains(const QByteArray &method, const QString &path) const;

    void handle(const HttpRequest &request, const ClientInfo &client, HttpResponder responder) const;

private:
    QHash<QString, QHash<QByteArray, HttpHandler>> m_routes; // path → method → handler
};

} // namespace prophasis
