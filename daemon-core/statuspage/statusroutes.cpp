#include "daemon-core/statuspage/statusroutes.h"

#include <QUrl>

#include <memory>

#include "daemon-core/auth/authenticator.h"
#include "daemon-core/reports/hostdetail.h"
#include "daemon-core/reports/hostsreport.h"
#include "daemon-core/reports/servicedetail.h"
#include "daemon-core/statuspage/statusforms.h"
#include "daemon-core/statuspage/statuspagecache.h"
#include "daemon-core/statuspage/statuspages.h"
#include "daemon-core/statuspage/statusresponses.h"
#include "daemon-core/storage/storageerror.h"
#include "daemon-core/storage/whenready.h"

namespace prophasis {

namespace {

// The host page's charts and lists: the last day, in at most this many points.
inline constexpr qint64 ChartSeconds = 24 * 3600;
inline constexpr int ChartPoints = 96;
inline constexpr int ChangesShown = 10;

// Who is looking: a logged-in user, or nobody in particular in anonymous mode.
struct StatusViewer
{
    QString username;
    QByteArray sessionToken;

    StatusChrome chrome(const QString &title) const
    {
        StatusChrome chrome;
        chrome.title = title;
        chrome.loggedIn = !username.isEmpty();
        return chrome;
    }
};

using ViewerHandler = std::function<void(const StatusViewer &viewer)>;

HttpResponse messagePage(int status, const QString &heading, const QString &message,
                         const StatusViewer &viewer)
{
    StatusChrome chrome = viewer.chrome(heading);
    chrome.autoRefresh = status >= 500; // a database that is away may be back in 30 s
    return statusHtmlResponse(status, renderMessagePage(heading, message, chrome));
}

HttpResponse storageFailurePage(const StorageError &error, const StatusViewer &viewer)
{
    if (error.kind() == StorageError::Kind::NotFound)
        return messagePage(404, QStringLiteral("Not found"),
                           QStringLiteral("There is no such host or service (any more)."), viewer);
    return messagePage(503, QStringLiteral("Status unavailable"),
                       QStringLiteral("The core cannot read its database right now. This page tries again "
                                      "every 30 seconds."),
                       viewer);
}

HttpResponse loginRedirect(const QString &next)
{
    QByteArray location = "/status/login";
    if (next != QStringLiteral("/status"))
        location += "?next=" + QUrl::toPercentEncoding(next, "/");
    return statusRedirect(location);
}

// Serves `serve` to a viewer: anyone in anonymous mode, else the holder of a live session
// cookie; everybody else is sent to the login form (and back here afterwards).
void withViewer(const StatusPageContext &status, const HttpRequest &request, const HttpResponder &responder,
                ViewerHandler serve)
{
    if (status.anonymous) {
        serve(StatusViewer{});
        return;
    }
    const QByteArray token = requestCookie(request, StatusSessionCookie);
    const QString next = safeStatusPath(request.path);
    if (token.isEmpty()) {
        // A link followed from another site (an alert e-mail, a chat) carries no SameSite=Strict
        // cookie even when the viewer is logged in: load the page once more from here, which
        // does, instead of asking a logged-in viewer to log in again.
        if (request.header("Sec-Fetch-Site") == "cross-site") {
            responder.send(statusHtmlResponse(200, renderReloadPage(next)));
            return;
        }
        responder.send(loginRedirect(next));
        return;
    }
    whenReady(
        status.authenticator.authenticate(QString::fromLatin1(token)), status.context,
        [responder, token, next, serve = std::move(serve)](const Authentication &authentication) {
            // Only a session made by this login form: an API token has no business in a cookie.
            if (!authentication.ok() || authentication.principal->kind != Principal::Kind::Session) {
                HttpResponse redirect = loginRedirect(next);
                redirect.headers.append(
                    {QByteArrayLiteral("Set-Cookie"), statusCookie(StatusSessionCookie, "", 0)});
                responder.send(redirect);
                return;
            }
            serve(StatusViewer{authentication.principal->username, token});
        },
        [responder](const StorageError &error) {
            responder.send(storageFailurePage(error, StatusViewer{}));
        });
}

std::optional<QUuid> pathUuid(const PathParameters &parameters)
{
    const QUuid id = QUuid::fromString(parameters.value(QStringLiteral("id")));
    if (id.isNull())
        return std::nullopt;
    return id;
}

// The login form with a fresh nonce in its cookie.
HttpResponse loginForm(int status, StatusLoginForm form)
{
    const QByteArray nonce = StatusFormTokens::newNonce();
    form.formToken = StatusFormTokens::token("login", nonce);
    HttpResponse response = statusHtmlResponse(status, renderLoginPage(form));
    response.headers.append(
        {QByteArrayLiteral("Set-Cookie"), statusCookie(StatusLoginCookie, nonce, StatusLoginFormSeconds)});
    return response;
}

HttpResponse loginAnswer(const LoginResult &result, StatusLoginForm form)
{
    switch (result.outcome) {
    case LoginResult::Outcome::Ok: {
        HttpResponse response = statusRedirect(safeStatusPath(form.next).toUtf8());
        response.headers.append(
            {QByteArrayLiteral("Set-Cookie"), statusCookie(StatusSessionCookie, result.token.toLatin1())});
        response.headers.append({QByteArrayLiteral("Set-Cookie"), statusCookie(StatusLoginCookie, "", 0)});
        return response;
    }
    case LoginResult::Outcome::BadCredentials:
        // Never which of the two was wrong.
        form.notice = QStringLiteral("Wrong user name or password.");
        return loginForm(200, form);
    case LoginResult::Outcome::Locked:
    case LoginResult::Outcome::Throttled: {
        const qint64 minutes =
            std::max<qint64>(1, (QDateTime::currentDateTimeUtc().secsTo(result.retryAfter) + 59) / 60);
        form.notice = QStringLiteral("Too many failed logins. Try again in %1 min.").arg(minutes);
        HttpResponse response = loginForm(429, form);
        response.headers.append({QByteArrayLiteral("Retry-After"), QByteArray::number(minutes * 60)});
        return response;
    }
    case LoginResult::Outcome::Disabled:
        form.notice = QStringLiteral("This user is disabled.");
        return loginForm(403, form);
    }
    form.notice = QStringLiteral("The login failed.");
    return loginForm(500, form);
}

// A page about one host or service (`pattern` ends in {id}): from the cache when rendered within
// the last second, else loaded (`load`, off the loop) and rendered (`render`) for every viewer.
template <typename Detail>
void mountDetailPage(RouteTable &routes, const StatusPageContext &status,
                     std::shared_ptr<StatusPageCache> cache, const QString &pattern, const QString &notFound,
                     QString (*pathOf)(const QUuid &),
                     std::function<QFuture<Detail>(const QUuid &, const QDateTime &)> load,
                     std::function<QString(const Detail &, StatusChrome)> render)
{
    routes.add(QByteArrayLiteral("GET"), pattern,
               [=](const HttpRequest &request, const PathParameters &parameters, const ClientInfo &,
                   HttpResponder responder) {
                   withViewer(status, request, responder, [=](const StatusViewer &viewer) {
                       const std::optional<QUuid> id = pathUuid(parameters);
                       if (!id) {
                           responder.send(messagePage(404, QStringLiteral("Not found"), notFound, viewer));
                           return;
                       }
                       const QString key = pathOf(*id);
                       if (const StatusPageCache::Page *page = cache->find(key)) {
                           responder.send(StatusPageCache::response(request, *page));
                           return;
                       }
                       const QDateTime now = QDateTime::currentDateTimeUtc();
                       whenReady(
                           load(*id, now), status.context,
                           [=](const Detail &detail) {
                               StatusChrome chrome = viewer.chrome({});
                               chrome.now = now;
                               responder.send(StatusPageCache::response(
                                   request, cache->store(key, render(detail, chrome).toUtf8())));
                           },
                           [responder, viewer](const StorageError &error) {
                               responder.send(storageFailurePage(error, viewer));
                           });
                   });
               });
}

void mountPages(RouteTable &routes, const StatusPageContext &status)
{
    auto cache = std::make_shared<StatusPageCache>();

    routes.add(
        QByteArrayLiteral("GET"), QStringLiteral("/status"),
        HttpHandler([status, cache](const HttpRequest &request, const ClientInfo &, HttpResponder responder) {
            withViewer(
                status, request, responder, [status, cache, request, responder](const StatusViewer &viewer) {
                    const QString key = QStringLiteral("/status");
                    const StatusPageCache::Page *page = cache->find(key);
                    if (!page) {
                        const StatusChrome chrome = viewer.chrome(QStringLiteral("Overview"));
                        page = &cache->store(
                            key, renderOverviewPage(buildHostsReport(status.health, chrome.now),
                                                    buildServicesReport(status.health, chrome.now), chrome)
                                     .toUtf8());
                    }
                    responder.send(StatusPageCache::response(request, *page));
                });
        }));

    mountDetailPage<HostDetail>(
        routes, status, cache, QStringLiteral("/status/hosts/{id}"), QStringLiteral("There is no such host."),
        statusHostPath,
        [status](const QUuid &id, const QDateTime &now) {
            HostDetailQuery query;
            query.hostId = id;
            query.from = now.addSecs(-ChartSeconds);
            query.to = now;
            query.maxPoints = ChartPoints;
            query.messageLimit = 1;
            query.changeLimit = ChangesShown;
            return loadHostDetail(status.storage, status.health, query, now);
        },
        [](const HostDetail &detail, StatusChrome chrome) {
            chrome.title = detail.host.name;
            return renderHostPage(detail, chrome);
        });
    mountDetailPage<ServiceDetail>(
        routes, status, cache, QStringLiteral("/status/services/{id}"),
        QStringLiteral("There is no such service."), statusServicePath,
        [status](const QUuid &id, const QDateTime &now) {
            ServiceDetailQuery query;
            query.serviceId = id;
            query.from = now.addSecs(-ChartSeconds);
            query.to = now;
            query.changeLimit = ChangesShown;
            return loadServiceDetail(status.storage, status.health, query, now);
        },
        [](const ServiceDetail &detail, StatusChrome chrome) {
            chrome.title = detail.service.name;
            return renderServicePage(detail, chrome);
        });
}

void mountLogin(RouteTable &routes, const StatusPageContext &status)
{
    routes.add(QByteArrayLiteral("GET"), QStringLiteral("/status/login"),
               HttpHandler([status](const HttpRequest &request, const ClientInfo &, HttpResponder responder) {
                   if (status.anonymous) {
                       responder.send(statusRedirect("/status"));
                       return;
                   }
                   StatusLoginForm form;
                   form.next = safeStatusPath(
                       request.query.queryItemValue(QStringLiteral("next"), QUrl::FullyDecoded));
                   responder.send(loginForm(200, form));
               }));

    routes.add(
        QByteArrayLiteral("POST"), QStringLiteral("/status/login"),
        HttpHandler([status](const HttpRequest &request, const ClientInfo &client, HttpResponder responder) {
            if (status.anonymous) {
                responder.send(statusRedirect("/status"));
                return;
            }
            if (!isSameOrigin(request)) {
                responder.send(messagePage(403, QStringLiteral("Refused"),
                                           QStringLiteral("This form was not sent from this site."), {}));
                return;
            }
            const std::optional<QHash<QString, QString>> fields = readForm(request);
            if (!fields) {
                responder.send(messagePage(400, QStringLiteral("Bad request"),
                                           QStringLiteral("This is not the login form."), {}));
                return;
            }
            StatusLoginForm form;
            form.username = fields->value(QStringLiteral("username"));
            form.next = safeStatusPath(fields->value(QStringLiteral("next")));
            if (!StatusFormTokens::verify("login", requestCookie(request, StatusLoginCookie),
                                          fields->value(QStringLiteral("csrf")).toLatin1())) {
                form.notice = QStringLiteral("The form had expired. Please log in again.");
                responder.send(loginForm(403, form));
                return;
            }
            whenReady(
                status.authenticator.login(form.username, fields->value(QStringLiteral("password")),
                                           client.address.toString()),
                status.context,
                [responder, form](const LoginResult &result) { responder.send(loginAnswer(result, form)); },
                [responder](const StorageError &error) { responder.send(storageFailurePage(error, {})); });
        }));

    routes.add(QByteArrayLiteral("GET"), QStringLiteral("/status/logout"),
               HttpHandler([status](const HttpRequest &request, const ClientInfo &, HttpResponder responder) {
                   if (status.anonymous) {
                       responder.send(statusRedirect("/status"));
                       return;
                   }
                   withViewer(status, request, responder, [responder](const StatusViewer &viewer) {
                       responder.send(statusHtmlResponse(
                           200, renderLogoutPage(viewer.username,
                                                 StatusFormTokens::token("logout", viewer.sessionToken))));
                   });
               }));

    routes.add(
        QByteArrayLiteral("POST"), QStringLiteral("/status/logout"),
        HttpHandler([status](const HttpRequest &request, const ClientInfo &, HttpResponder responder) {
            const std::optional<QHash<QString, QString>> fields = readForm(request);
            const QByteArray token = requestCookie(request, StatusSessionCookie);
            if (!isSameOrigin(request) || !fields ||
                !StatusFormTokens::verify("logout", token,
                                          fields->value(QStringLiteral("csrf")).toLatin1())) {
                responder.send(messagePage(403, QStringLiteral("Refused"),
                                           QStringLiteral("This form was not sent from this site."), {}));
                return;
            }
            HttpResponse loggedOut = statusRedirect("/status/login");
            loggedOut.headers.append(
                {QByteArrayLiteral("Set-Cookie"), statusCookie(StatusSessionCookie, "", 0)});
            whenReady(
                status.authenticator.logout(QString::fromLatin1(token)), status.context,
                [responder, loggedOut](bool) { responder.send(loggedOut); },
                [responder](const StorageError &error) { responder.send(storageFailurePage(error, {})); });
        }));
}

} // namespace

void mountStatusPage(RouteTable &routes, const StatusPageContext &context)
{
    mountPages(routes, context);
    mountLogin(routes, context);
}

} // namespace prophasis
