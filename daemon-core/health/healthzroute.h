#pragma once

#include "daemon-core/health/corehealth.h"
#include "shared/http/httphandler.h"
#include "shared/http/httpresponse.h"

namespace prophasis {

// GET /healthz (SPEC §9): 200 with the report when the core is live and ready, 503 with the same
// shape ("status": "failing" and the reasons) otherwise. It needs no login (load balancers and
// watchdogs ask it) and tells nothing an attacker could use: states, versions, public details.
HttpResponse healthzResponse(const HealthReport &report);
// The route's handler; `health` must outlive it.
HttpHandler healthzHandler(CoreHealth &health);

} // namespace prophasis
