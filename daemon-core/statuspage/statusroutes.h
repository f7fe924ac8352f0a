#pragma once

#include "daemon-core/app/routetable.h"

class QObject;

namespace prophasis {

class Authenticator;
class HealthSource;
class StorageExecutor;

// What the status page reads and who it asks.
struct StatusPageContext
{
    StorageExecutor &storage;     // host and service history (reports)
    Authenticator &authenticator; // viewer logins: any role may view
    const HealthSource &health;   // the present health, read on `context`'s thread
    QObject *context;             // the event loop answers are continued on
    // core.json status_page.anonymous: pages without a login (wall displays on a trusted net).
    bool anonymous = false;
};

// The mobile status page (SPEC §5), mounted on the core's port or on the --status-listen one:
//   GET  /status                  overview: counts per state, services and hosts worst first
//   GET  /status/hosts/{id}       a host's checks: latest value, message, age, 24 h chart
//   GET  /status/services/{id}    a service's structure with each member's health
//   GET  /status/login            the login form       POST /status/login   logs in
//   GET  /status/logout           who is logged in     POST /status/logout  ends the session
// Without a valid session (and not anonymous) pages answer 303 to the login form. Every answer
// carries the status page's security headers. `context` must outlive the routes.
void mountStatusPage(RouteTable &routes, const StatusPageContext &context);

} // namespace prophasis
