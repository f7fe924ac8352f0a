#include "daemon-core/api/eventroutes.h"

#include "daemon-core/api/eventstream.h"

namespace prophasis {

namespace {

const QSet<QByteArray> &knownTypes()
{
    static const QSet<QByteArray> types{"health", "log", "configuration"};
    return types;
}

} // namespace

void mountEventRoutes(RouteTable &routes, const ApiContext &api, EventStream &events)
{
    EventStream *stream = &events;
    routes.add(
        QByteArrayLiteral("GET"), QStringLiteral("/api/v1/events"),
        api.guard.require(Permission::Read, [stream](const ApiRequest &request, HttpResponder responder) {
            QSet<QByteArray> types;
            const QString typesText =
                request.http.query.queryItemValue(QStringLiteral("types"), QUrl::FullyDecoded);
            for (const QString &type : typesText.split(u',', Qt::SkipEmptyParts)) {
                if (!knownTypes().contains(type.trimmed().toUtf8())) {
                    FieldErrors errors;
                    errors.add(QStringLiteral("types"),
                               QStringLiteral("unknown event type \"%1\": health, log or configuration")
                                   .arg(type.trimmed()));
                    responder.send(fieldErrorsResponse(errors));
                    return;
                }
                types.insert(type.trimmed().toUtf8());
            }
            QByteArray lastEventId = request.http.header("Last-Event-ID");
            if (lastEventId.isEmpty())
                lastEventId =
                    request.http.query.queryItemValue(QStringLiteral("last_event_id"), QUrl::FullyDecoded)
                        .toUtf8();
            if (!stream->subscribe(responder, lastEventId, types)) {
                HttpResponse busy = HttpResponse::error(
                    503, QStringLiteral("%1 event streams are open already; try again later")
                             .arg(stream->maxSubscribers()));
                busy.headers.append({QByteArrayLiteral("Retry-After"), QByteArrayLiteral("30")});
                responder.send(busy);
            }
        }));
}

} // namespace prophasis
