#pragma once

#include <QJsonValue>
#include <QList>
#include <QNetworkAccessManager>
#include <QObject>
#include <QPointer>
#include <QUrl>
#include <QUrlQuery>

#include <functional>

#include "console/client/apiresult.h"

class QNetworkReply;

namespace prophasis {

// What the core presented on first contact, before anything is pinned.
struct CoreProbe
{
    QString spkiSha256;     // SHA-256 of the core's public key (hex), empty when none was seen
    bool caTrusted = false; // the certificate is valid for the address by the system's CAs
    QString errorText;      // empty when the core answered
};

// The console's one way to the core: HTTPS to the management API with the session token,
// the core's key pinned (or a CA-issued certificate trusted when nothing is pinned), JSON in and
// out, errors in words. Callbacks run on the caller's thread, and never after `context` died.
//
// Session expiry: when a call answers 401 although we are logged in, the session ended (expired,
// password changed, core restarted with sessions gone). The call is kept, sessionExpired() is
// emitted once, and every call made meanwhile waits too; after login() succeeds they are sent
// again in the order they were made (answers may come in any order), so an open form loses
// nothing. logout() or a failed re-login answers them
// with their 401.
//
// Reads (GET) that fail for network reasons are retried a few times with a growing pause;
// writes are never repeated automatically.
class ApiClient : public QObject
{
    Q_OBJECT
public:
    using Callback = std::function<void(const ApiResult &)>;

    static constexpr int RequestTimeoutMs = 30'000; // one call, from sending to the last byte
    static constexpr int ReadRetries = 3;

    explicit ApiClient(QObject *parent = nullptr);
    ~ApiClient() override;

    // The core's base URL (https://host:4049) and the pinned key (hex SPKI SHA-256); an empty pin
    // means the certificate must be valid by the system's CAs.
    void setCore(const QUrl &baseUrl, const QString &pinnedSpkiSha256);
    QUrl baseUrl() const { return m_baseUrl; }
    QString pinnedKey() const { return m_pin; }

    // Connects once, without a pin, and reports the key the core presents: for the first
    // connection's "is this the right core?" question.
    void probe(QObject *context, std::function<void(const CoreProbe &)> done);

    // POST /api/v1/session. On success the token is kept, waiting calls are sent, and loggedIn()
    // is emitted; the result's object holds {"token", "expires", "user"}.
    void login(const QString &user, const QString &password, QObject *context, Callback done);
    // DELETE /api/v1/session (best effort) and forgets the token.
    void logout();
    bool isLoggedIn() const { return !m_token.isEmpty(); }
    QString userName() const { return m_user; }
    QString role() const { return m_role; } // viewer, operator or admin

    // `path` starts with /api/v1/… (writes may append ?name=value); `body` is sent as JSON unless
    // it is undefined.
    void get(const QString &path, const QUrlQuery &query, QObject *context, Callback done);
    void post(const QString &path, const QJsonValue &body, QObject *context, Callback done);
    void put(const QString &path, const QJsonValue &body, QObject *context, Callback done);
    void remove(const QString &path, QObject *context, Callback done);

    // Someone other than a call (the event stream) got 401 for our session: as if a call had.
    void noticeSessionEnded();

    // A request for a long-lived response (the event stream): the token set, the pin applied to
    // the reply by openStream(). The caller owns the reply.
    QNetworkReply *openStream(const QString &path, const QUrlQuery &query, const QByteArray &lastEventId);

Q_SIGNALS:
    void loggedIn();
    void loggedOut();
    // A call answered 401 with a session that had worked: calls wait until login() succeeds.
    void sessionExpired();
    // Whether the last call reached the core (false after a network failure, true again on the
    // next answer of any status).
    void reachableChanged(bool reachable);

private:
    struct Call;

    void write(const QByteArray &method, const QString &path, const QJsonValue &body, QObject *context,
               Callback done);
    void send(const std::shared_ptr<Call> &call);
    void finish(const std::shared_ptr<Call> &call, QNetworkReply *reply);
    QNetworkRequest request(const QString &path, const QUrlQuery &query) const;
    void applyPin(QNetworkReply *reply) const;
    void setReachable(bool reachable);
    void releaseWaiting(bool loggedIn);

    QNetworkAccessManager m_network;
    QUrl m_baseUrl;
    QString m_pin;
    QString m_token;
    QString m_user;
    QString m_role;
    bool m_reachable = true;
    bool m_sessionExpired = false;
    QList<std::shared_ptr<Call>> m_waiting; // calls held while the session is renewed
};

} // namespace prophasis
