#pragma once

#include "daemon-core/api/entityroutes.h"

namespace prophasis {

class HealthSource;

// Limits of a host report, named once: what a chart can ask for without costing the core much.
inline constexpr qint64 DefaultReportRangeMs = 24LL * 3600 * 1000;
inline constexpr qint64 MaxReportRangeMs = 366LL * 24 * 3600 * 1000;
inline constexpr int MaxReportPoints = 2000;

// The reports (SPEC §5, §9), for every role (Permission::Read):
//   GET /api/v1/reports/hosts          every host worst first: state, series per state, newest
//                                      result; hosts per state
//   GET /api/v1/reports/hosts/{id}     ?from=&to= (ISO 8601 or ms; default the last 24 h, at most
//                                      366 days) &points= (1 … 2000, default 300): each (check,
//                                      plugin) with its latest result, value and metric charts,
//                                      message history; the host's state changes
//   GET /api/v1/reports/services       every service worst first; services per state
//   GET /api/v1/reports/services/{id}  ?from=&to= (state changes): structure with each member's
//                                      health, the service's state and its state changes
// Bad parameters answer 422 naming the parameter; an unknown id 404. `health` is read on the
// routes' loop and must outlive them.
void mountReportRoutes(RouteTable &routes, const ApiContext &api, const HealthSource &health);

} // namespace prophasis
