#pragma once

#include <QDateTime>
#include <QString>

#include "daemon-core/reports/reportmodel.h"

namespace prophasis {

// What every status page shows around its content. Nothing in it is the viewer's own (the user
// name and the logout form's token are on /status/logout only), so the same page serves every
// viewer: the overview is rendered once a second at most and may be compressed, with no secret
// in a compressed body for a BREACH-style attack to guess.
struct StatusChrome
{
    QString title;           // the page's own part of the <title>
    bool loggedIn = false;   // a "Log out" link (not in anonymous mode)
    bool autoRefresh = true; // never on the login page: it would wipe what was typed
    QDateTime now = QDateTime::currentDateTimeUtc();
};

// The login form (GET and a refused POST of /status/login).
struct StatusLoginForm
{
    QByteArray formToken; // bound to the login cookie's nonce
    QString username;     // kept after a refusal, so only the password is typed again
    QString next;         // where to go after the login (a path of ours)
    QString notice;       // why the last attempt was refused; empty at first
};

// The pages as HTML documents (server-rendered, no script, every name escaped). Lists are shown
// in the order the reports give them: worst first.
QString renderOverviewPage(const HostsReport &hosts, const ServicesReport &services,
                           const StatusChrome &chrome);
QString renderHostPage(const HostDetail &detail, const StatusChrome &chrome);
QString renderServicePage(const ServiceDetail &detail, const StatusChrome &chrome);
QString renderLoginPage(const StatusLoginForm &form);
// Who is logged in, and the logout button (its form token is bound to the session).
QString renderLogoutPage(const QString &username, const QByteArray &logoutToken);
// Loads `path` (a path of ours) again at once, from this site: for links followed from others.
QString renderReloadPage(const QString &path);
// A short page that says what went wrong (not found, database away) with a way back.
QString renderMessagePage(const QString &heading, const QString &message, const StatusChrome &chrome);

// The page of a host and of a service (UUIDs without braces).
QString statusHostPath(const QUuid &id);
QString statusServicePath(const QUuid &id);

} // namespace prophasis
