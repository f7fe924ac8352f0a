#include "console/client/apiclient.h"

#include <QJsonDocument>
#include <QLoggingCategory>
#include <QNetworkReply>
#include <QSslError>
#include <QTimer>

#include "shared/tls/identity.h"
#include "shared/tls/pinning.h"

namespace prophasis {

namespace {

Q_LOGGING_CATEGORY(lcApiClient, "prophasis.console.api")

constexpr int RetryPauseMs = 400; // doubled per retry
const QString SessionPath = QStringLiteral("/api/v1/session");

} // namespace

struct ApiClient::Call
{
    QByteArray method;
    QString path;
    QUrlQuery query;
    QByteArray body;
    bool hasBody = false;
    QPointer<QObject> context;
    bool hasContext = false;
    Callback done;
    int retriesLeft = 0;
    bool authenticated = true; // false for the login call itself
};

ApiClient::ApiClient(QObject *parent)
    : QObject(parent)
{
    // One core, many small calls: keep connections alive; HTTP/2 is not spoken by the core.
    m_network.setAutoDeleteReplies(false);
}

ApiClient::~ApiClient() = default;

void ApiClient::setCore(const QUrl &baseUrl, const QString &pinnedSpkiSha256)
{
    m_baseUrl = baseUrl;
    m_pin = pinnedSpkiSha256.toLower();
    // Connections kept alive for another core or pin must not be reused.
    m_network.clearConnectionCache();
}

QNetworkRequest ApiClient::request(const QString &path, const QUrlQuery &query) const
{
    QUrl url = m_baseUrl;
    url.setPath(path);
    url.setQuery(query);
    QNetworkRequest request(url);
    request.setAttribute(QNetworkRequest::Http2AllowedAttribute, false);
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
    QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
    tls.setProtocol(QSsl::TlsV1_2OrLater);
    if (!m_pin.isEmpty())
        tls.setPeerVerifyMode(QSslSocket::QueryPeer); // the pin replaces CA verification
    request.setSslConfiguration(tls);
    if (!m_token.isEmpty())
        request.setRawHeader("Authorization", "Bearer " + m_token.toUtf8());
    request.setRawHeader("Accept", "application/json");
    return request;
}

void ApiClient::applyPin(QNetworkReply *reply) const
{
    if (!m_pin.isEmpty())
        pinReply(reply, m_pin);
}

void ApiClient::probe(QObject *context, std::function<void(const CoreProbe &)> done)
{
    QUrl url = m_baseUrl;
    url.setPath(QStringLiteral("/healthz"));
    QNetworkRequest request(url);
    request.setAttribute(QNetworkRequest::Http2AllowedAttribute, false);
    request.setTransferTimeout(RequestTimeoutMs);
    QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
    tls.setProtocol(QSsl::TlsV1_2OrLater);
    request.setSslConfiguration(tls);
    QNetworkReply *reply = m_network.get(request);
    auto probe = std::make_shared<CoreProbe>();
    probe->caTrusted = true;
    // Only looks: the key is recorded and the connection dropped before anything is sent.
    connect(reply, &QNetworkReply::sslErrors, reply, [reply, probe](const QList<QSslError> &) {
        probe->caTrusted = false;
        probe->spkiSha256 = spkiSha256(reply->sslConfiguration().peerCertificate());
        reply->abort();
    });
    connect(reply, &QNetworkReply::encrypted, reply,
            [reply, probe] { probe->spkiSha256 = spkiSha256(reply->sslConfiguration().peerCertificate()); });
    QPointer<QObject> guard(context);
    connect(reply, &QNetworkReply::finished, this, [reply, probe, guard, done = std::move(done)] {
        reply->deleteLater();
        if (probe->spkiSha256.isEmpty()) {
            probe->caTrusted = false;
            probe->errorText = reply->errorString();
        }
        if (guard)
            done(*probe);
    });
}

void ApiClient::login(const QString &user, const QString &password, QObject *context, Callback done)
{
    auto call = std::make_shared<Call>();
    call->method = "POST";
    call->path = SessionPath;
    call->body =
        QJsonDocument(QJsonObject{{QStringLiteral("username"), user}, {QStringLiteral("password"), password}})
            .toJson(QJsonDocument::Compact);
    call->hasBody = true;
    call->authenticated = false;
    call->context = context;
    call->hasContext = context != nullptr;
    call->done = [this, done = std::move(done)](const ApiResult &result) {
        if (result.ok()) {
            const QJsonObject object = result.object();
            m_token = object.value(QStringLiteral("token")).toString();
            const QJsonObject userObject = object.value(QStringLiteral("user")).toObject();
            m_user = userObject.value(QStringLiteral("username")).toString();
            m_role = userObject.value(QStringLiteral("role")).toString();
            m_sessionExpired = false;
            // The caller learns first (it may close a dialog), then the waiting calls go.
            if (done)
                done(result);
            Q_EMIT loggedIn();
            releaseWaiting(true);
            return;
        }
        if (done)
            done(result);
    };
    send(call);
}

void ApiClient::logout()
{
    if (!m_token.isEmpty()) {
        QNetworkReply *reply = m_network.deleteResource(request(SessionPath, {}));
        applyPin(reply);
        connect(reply, &QNetworkReply::finished, reply, &QObject::deleteLater);
    }
    m_token.clear();
    m_user.clear();
    m_role.clear();
    m_sessionExpired = false;
    releaseWaiting(false);
    Q_EMIT loggedOut();
}

void ApiClient::get(const QString &path, const QUrlQuery &query, QObject *context, Callback done)
{
    auto call = std::make_shared<Call>();
    call->method = "GET";
    call->path = path;
    call->query = query;
    call->context = context;
    call->hasContext = context != nullptr;
    call->done = std::move(done);
    call->retriesLeft = ReadRetries;
    send(call);
}

void ApiClient::post(const QString &path, const QJsonValue &body, QObject *context, Callback done)
{
    write("POST", path, body, context, std::move(done));
}

void ApiClient::put(const QString &path, const QJsonValue &body, QObject *context, Callback done)
{
    write("PUT", path, body, context, std::move(done));
}

void ApiClient::remove(const QString &path, QObject *context, Callback done)
{
    write("DELETE", path, QJsonValue(QJsonValue::Undefined), context, std::move(done));
}

void ApiClient::write(const QByteArray &method, const QString &path, const QJsonValue &body, QObject *context,
                      Callback done)
{
    auto call = std::make_shared<Call>();
    call->method = method;
    // A path may carry its own query (DELETE …?force=1).
    const qsizetype question = path.indexOf(u'?');
    call->path = question < 0 ? path : path.left(question);
    if (question >= 0)
        call->query = QUrlQuery(path.mid(question + 1));
    call->hasBody = !body.isUndefined();
    if (body.isObject())
        call->body = QJsonDocument(body.toObject()).toJson(QJsonDocument::Compact);
    else if (body.isArray())
        call->body = QJsonDocument(body.toArray()).toJson(QJsonDocument::Compact);
    call->context = context;
    call->hasContext = context != nullptr;
    call->done = std::move(done);
    send(call);
}

void ApiClient::send(const std::shared_ptr<Call> &call)
{
    if (call->authenticated && m_sessionExpired) {
        m_waiting.append(call);
        return;
    }
    QNetworkRequest request = this->request(call->path, call->query);
    request.setTransferTimeout(RequestTimeoutMs);
    if (call->hasBody)
        request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    QNetworkReply *reply = call->hasBody || call->method != "GET"
                               ? m_network.sendCustomRequest(request, call->method, call->body)
                               : m_network.get(request);
    applyPin(reply);
    connect(reply, &QNetworkReply::finished, this, [this, call, reply] { finish(call, reply); });
}

void ApiClient::finish(const std::shared_ptr<Call> &call, QNetworkReply *reply)
{
    reply->deleteLater();
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    // An aborted reply (a pin mismatch) is closed: reading it would only warn.
    const QByteArray body = reply->isOpen() ? reply->readAll() : QByteArray();
    if (status == 0) {
        const QString mismatch = reply->property("prophasis.pinMismatch").toString();
        if (call->method == "GET" && call->retriesLeft > 0 && mismatch.isEmpty()) {
            const int pause = RetryPauseMs << (ReadRetries - call->retriesLeft);
            --call->retriesLeft;
            QTimer::singleShot(pause, this, [this, call] {
                if (!call->hasContext || call->context)
                    send(call);
            });
            return;
        }
        setReachable(false);
        ApiResult result = makeApiResult(0, body, reply->errorString());
        if (!mismatch.isEmpty()) {
            result.presentedKey = mismatch;
            result.errorText =
                tr("The core presented a different key (%1) from the one pinned for this connection. "
                   "If the core was set up again, check its fingerprint and connect anew; "
                   "otherwise someone may be in between.")
                    .arg(mismatch);
        }
        if (!call->hasContext || call->context)
            call->done(result);
        return;
    }
    setReachable(true);
    if (status == 401 && call->authenticated && !m_token.isEmpty()) {
        // The session ended under us: hold this call (and every later one) until a new login.
        m_waiting.append(call);
        noticeSessionEnded();
        return;
    }
    if (!call->done || (call->hasContext && !call->context))
        return;
    call->done(makeApiResult(status, body));
}

void ApiClient::noticeSessionEnded()
{
    if (m_token.isEmpty() || m_sessionExpired)
        return;
    m_sessionExpired = true;
    qCInfo(lcApiClient) << "session ended; waiting for a new login with" << m_waiting.size()
                        << "call(s) held";
    Q_EMIT sessionExpired();
}

void ApiClient::releaseWaiting(bool loggedIn)
{
    const QList<std::shared_ptr<Call>> waiting = std::exchange(m_waiting, {});
    for (const std::shared_ptr<Call> &call : waiting) {
        if (loggedIn) {
            send(call);
        } else if (call->done && (!call->hasContext || call->context)) {
            call->done(makeApiResult(401, {}));
        }
    }
}

void ApiClient::setReachable(bool reachable)
{
    if (m_reachable == reachable)
        return;
    m_reachable = reachable;
    Q_EMIT reachableChanged(reachable);
}

QNetworkReply *ApiClient::openStream(const QString &path, const QUrlQuery &query,
                                     const QByteArray &lastEventId)
{
    QNetworkRequest request = this->request(path, query);
    request.setRawHeader("Accept", "text/event-stream");
    if (!lastEventId.isEmpty())
        request.setRawHeader("Last-Event-ID", lastEventId);
    // Streams never finish: no transfer timeout here (the stream client watches for silence).
    QNetworkReply *reply = m_network.get(request);
    applyPin(reply);
    return reply;
}

} // namespace prophasis
