#include "daemon-core/health/healthzroute.h"

namespace prophasis {

HttpResponse healthzResponse(const HealthReport &report)
{
    return HttpResponse::json(report.ok() ? 200 : 503, report.toJson());
}

HttpHandler healthzHandler(CoreHealth &health)
{
    return [&health](const HttpRequest &, const ClientInfo &, HttpResponder responder) {
        responder.send(healthzResponse(health.evaluate()));
    };
}

} // namespace prophasis
