#include "daemon-core/api/reportroutes.h"

#include "daemon-core/api/queryparameters.h"
#include "daemon-core/reports/hostdetail.h"
#include "daemon-core/reports/hostsreport.h"
#include "daemon-core/reports/reportjson.h"
#include "daemon-core/reports/servicedetail.h"

namespace prophasis {

namespace {

using entityroutes::pathId;
using entityroutes::sendStorageFailure;

struct TimeRange
{
    QDateTime from;
    QDateTime to;
};

// ?from=&to=: the last DefaultReportRangeMs up to now by default; from before to, at most
// MaxReportRangeMs apart.
TimeRange readRange(const QueryParameters &query, FieldErrors &errors)
{
    const QDateTime now = QDateTime::currentDateTimeUtc();
    TimeRange range;
    range.to = query.time(QStringLiteral("to"), now);
    range.from = query.time(QStringLiteral("from"), range.to.addMSecs(-DefaultReportRangeMs));
    if (!errors.isEmpty())
        return range;
    if (range.from >= range.to)
        errors.add(QStringLiteral("from"), QStringLiteral("must be before to"));
    else if (range.from.msecsTo(range.to) > MaxReportRangeMs)
        errors.add(
            QStringLiteral("from"),
            QStringLiteral("must be at most %1 days before to").arg(MaxReportRangeMs / (24LL * 3600 * 1000)));
    return range;
}

} // namespace

void mountReportRoutes(RouteTable &routes, const ApiContext &api, const HealthSource &health)
{
    StorageExecutor *storage = &api.storage;
    QObject *context = api.context;
    const HealthSource *source = &health;
    const QString base = QStringLiteral("/api/v1/reports");

    routes.add(QByteArrayLiteral("GET"), base + QStringLiteral("/hosts"),
               api.guard.require(Permission::Read, [source](const ApiRequest &, HttpResponder responder) {
                   responder.send(HttpResponse::json(200, toJson(buildHostsReport(*source))));
               }));

    routes.add(QByteArrayLiteral("GET"), base + QStringLiteral("/services"),
               api.guard.require(Permission::Read, [source](const ApiRequest &, HttpResponder responder) {
                   responder.send(HttpResponse::json(200, toJson(buildServicesReport(*source))));
               }));

    routes.add(QByteArrayLiteral("GET"), base + QStringLiteral("/hosts/{id}"),
               api.guard.require(Permission::Read, [=](const ApiRequest &request, HttpResponder responder) {
                   const std::optional<QUuid> id = pathId(request, responder);
                   if (!id)
                       return;
                   FieldErrors errors;
                   const QueryParameters parameters(request.http, errors);
                   const TimeRange range = readRange(parameters, errors);
                   HostDetailQuery query;
                   query.hostId = *id;
                   query.from = range.from;
                   query.to = range.to;
                   query.maxPoints = parameters.integer(QStringLiteral("points"),
                                                        HostDetailQuery::DefaultPoints, 1, MaxReportPoints);
                   if (!errors.isEmpty()) {
                       responder.send(fieldErrorsResponse(errors));
                       return;
                   }
                   whenReady(
                       loadHostDetail(*storage, *source, query), context,
                       [responder](const HostDetail &detail) {
                           responder.send(HttpResponse::json(200, toJson(detail)));
                       },
                       [responder](const StorageError &error) { sendStorageFailure(responder, error); });
               }));

    routes.add(QByteArrayLiteral("GET"), base + QStringLiteral("/services/{id}"),
               api.guard.require(Permission::Read, [=](const ApiRequest &request, HttpResponder responder) {
                   const std::optional<QUuid> id = pathId(request, responder);
                   if (!id)
                       return;
                   FieldErrors errors;
                   const QueryParameters parameters(request.http, errors);
                   const TimeRange range = readRange(parameters, errors);
                   if (!errors.isEmpty()) {
                       responder.send(fieldErrorsResponse(errors));
                       return;
                   }
                   ServiceDetailQuery query;
                   query.serviceId = *id;
                   query.from = range.from;
                   query.to = range.to;
                   whenReady(
                       loadServiceDetail(*storage, *source, query), context,
                       [responder](const ServiceDetail &detail) {
                           responder.send(HttpResponse::json(200, toJson(detail)));
                       },
                       [responder](const StorageError &error) { sendStorageFailure(responder, error); });
               }));
}

} // namespace prophasis
