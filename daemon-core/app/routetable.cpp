#include "daemon-core/app/routetable.h"

#include <algorithm>

namespace prophasis {

namespace {

bool isParameter(const QString &segment)
{
    return segment.size() > 2 && segment.startsWith(u'{') && segment.endsWith(u'}');
}

// "/api/v1/hosts/x" → {"api", "v1", "hosts", "x"}; a trailing slash is a segment of its own
// (empty), so "/hosts/" is not "/hosts".
QStringList segmentsOf(const QString &path)
{
    QStringList segments = path.split(u'/');
    if (!segments.isEmpty() && segments.first().isEmpty())
        segments.removeFirst();
    return segments;
}

} // namespace

void RouteTable::add(const QByteArray &method, const QString &pattern, RouteHandler handler)
{
    for (Route &route : m_routes) {
        if (route.pattern == pattern) {
            route.handlers.insert(method, std::move(handler));
            return;
        }
    }
    m_routes.append({pattern, segmentsOf(pattern), {{method, std::move(handler)}}, {}});
}

void RouteTable::add(const QByteArray &method, const QString &pattern, HttpHandler handler)
{
    add(method, pattern,
        [handler = std::move(handler)](const HttpRequest &request, const PathParameters &,
                                       const ClientInfo &client, HttpResponder responder) {
            handler(request, client, std::move(responder));
        });
}

bool RouteTable::contains(const QByteArray &method, const QString &pattern) const
{
    return std::any_of(m_routes.cbegin(), m_routes.cend(), [&](const Route &route) {
        return route.pattern == pattern && route.handlers.contains(method);
    });
}

void RouteTable::setBodyLimit(const QByteArray &method, const QString &pattern, qint64 maxBytes)
{
    for (Route &route : m_routes) {
        if (route.pattern == pattern) {
            route.bodyLimits.insert(method, maxBytes);
            return;
        }
    }
    m_routes.append({pattern, segmentsOf(pattern), {}, {{method, maxBytes}}});
}

qint64 RouteTable::bodyLimit(QByteArrayView method, QStringView path) const
{
    PathParameters unused;
    const Route *route = match(path.toString(), &unused);
    return route ? route->bodyLimits.value(method.toByteArray(), -1) : -1;
}

QList<std::pair<QString, QByteArray>> RouteTable::routes() const
{
    QList<std::pair<QString, QByteArray>> all;
    for (const Route &route : m_routes) {
        for (auto it = route.handlers.cbegin(); it != route.handlers.cend(); ++it)
            all.append({route.pattern, it.key()});
    }
    std::sort(all.begin(), all.end());
    return all;
}

const RouteTable::Route *RouteTable::match(const QString &path, PathParameters *parameters) const
{
    const QStringList segments = segmentsOf(path);
    const Route *best = nullptr;
    for (const Route &route : m_routes) {
        if (route.segments.size() != segments.size())
            continue;
        bool matches = true;
        for (qsizetype i = 0; i < segments.size() && matches; ++i) {
            const QString &expected = route.segments.at(i);
            matches = isParameter(expected) ? !segments.at(i).isEmpty() : expected == segments.at(i);
        }
        if (!matches)
            continue;
        // Literal before parameter, segment by segment from the left.
        if (best) {
            for (qsizetype i = 0; i < segments.size(); ++i) {
                const bool literal = !isParameter(route.segments.at(i));
                const bool bestLiteral = !isParameter(best->segments.at(i));
                if (literal != bestLiteral) {
                    if (literal)
                        best = &route;
                    break;
                }
            }
        } else {
            best = &route;
        }
    }
    if (best) {
        for (qsizetype i = 0; i < segments.size(); ++i) {
            const QString &segment = best->segments.at(i);
            if (isParameter(segment))
                parameters->insert(segment.mid(1, segment.size() - 2), segments.at(i));
        }
    }
    return best;
}

void RouteTable::handle(const HttpRequest &request, const ClientInfo &client, HttpResponder responder) const
{
    PathParameters parameters;
    const Route *route = match(request.path, &parameters);
    if (!route) {
        responder.send(
            HttpResponse::error(404, QStringLiteral("no such path: %1").arg(request.path.left(200))));
        return;
    }
    auto handler = route->handlers.constFind(request.method);
    if (handler == route->handlers.cend() && request.method == "HEAD")
        handler = route->handlers.constFind(QByteArrayLiteral("GET"));
    if (handler != route->handlers.cend()) {
        (*handler)(request, parameters, client, std::move(responder));
        return;
    }
    QList<QByteArray> methods = route->handlers.keys();
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
