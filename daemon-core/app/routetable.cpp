#include "daemon-core/app/routetable.h"

#include <QList>

#include <algorithm>

namespace prophasis {

void RouteTable::add(const QByteArray &method, const QString &path, HttpHandler handler)
{
    m_routes[path].insert(method, std::move(handler));
}

bool RouteTable::contains(const QByteArray &method, const QString &path) const
{
    const auto route = m_routes.constFind(path);
    return route != m_routes.cend() && route->contains(method);
}

void RouteTable::handle(const HttpRequest &request, const ClientInfo &client, HttpResponder responder) const
{
    const auto route = m_routes.constFind(request.path);
    if (route == m_routes.cend()) {
        responder.send(
            HttpResponse::error(404, QStringLiteral("no such path: %1").arg(request.path.left(200))));
        return;
    }
    auto handler = route->constFind(request.method);
    if (handler == route->cend() && request.method == "HEAD")
        handler = route->constFind(QByteArrayLiteral("GET"));
    if (handler != route->cend()) {
        (*handler)(request, client, std::move(responder));
        return;
    }
    QList<QByteArray> methods = route->keys();
    if (methods.contains("GET"))
        methods.append(QByteArrayLiteral("HEAD"));
    std::sort(methods.begin(), methods.end());
    const QByteArray allowed = methods.join(", ");
    HttpResponse response = HttpResponse::error(
        405, QStringLiteral("%1 answers %2 only").arg(request.path.left(200), QString::fromLatin1(allowed)));
    response.headers.append({QByteArrayLiteral("Allow"), allowed});
    responder.send(response);
}

} // namespace prophasis
