#include "daemon-core/serverchecks/httpcheck.h"

#include <QCryptographicHash>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QSslCertificate>
#include <QSslConfiguration>

#include <cmath>

#include "shared/tls/identity.h"

namespace prophasis {

using namespace serverchecks;

namespace {

QString normalizedPin(const QString &pin)
{
    QString hex = pin.toLower();
    hex.remove(u':');
    hex.remove(u' ');
    return hex;
}

bool isSha256Hex(const QString &hex)
{
    static const QRegularExpression pattern(QRegularExpression::anchoredPattern(u"[0-9a-f]{64}"));
    return pattern.match(hex).hasMatch();
}

QString hostAndPort(const QUrl &url)
{
    const int port = url.port(url.scheme() == QLatin1String("https") ? 443 : 80);
    const QString host = url.host().contains(u':') ? u'[' + url.host() + u']' : url.host();
    return QStringLiteral("%1 port %2").arg(host).arg(port);
}

// Whole days until `expiry`, rounded down: a certificate valid for 2.9 more days "expires in 2 days".
int daysUntil(const QDateTime &expiry)
{
    return int(std::floor(double(QDateTime::currentDateTimeUtc().secsTo(expiry)) / 86400.0));
}

bool isTransportError(QNetworkReply::NetworkError error)
{
    return error > QNetworkReply::NoError && error < QNetworkReply::ProxyConnectionRefusedError &&
           error != QNetworkReply::OperationCanceledError;
}

} // namespace

HttpCheck::HttpCheck(ServerCheckRequest request, HttpNetworks networks, QObject *parent)
    : ServerCheck(std::move(request), parent)
    , m_networks(networks)
{
}

HttpCheck::~HttpCheck()
{
    cancel();
}

bool HttpCheck::pinMatches(const QString &pin, const QSslCertificate &certificate)
{
    if (certificate.isNull())
        return false;
    const QString wanted = normalizedPin(pin);
    return wanted == QString::fromLatin1(certificate.digest(QCryptographicHash::Sha256).toHex()) ||
           wanted == spkiSha256(certificate);
}

bool HttpCheck::readArguments(QString *error)
{
    const QJsonObject &arguments = m_request.arguments;
    const QString urlText = fillPlaceholders(
        stringArgument(arguments, QStringLiteral("url"), QStringLiteral("https://{address}/")),
        m_request.target, PlaceholderUse::Url);
    m_url = QUrl(urlText, QUrl::StrictMode);
    const QString scheme = m_url.scheme();
    if (!m_url.isValid() || m_url.host().isEmpty() ||
        (scheme != QLatin1String("http") && scheme != QLatin1String("https"))) {
        *error = QStringLiteral("url: '%1' is not an http:// or https:// address").arg(urlText);
        return false;
    }
    m_method =
        stringArgument(arguments, QStringLiteral("method"), QStringLiteral("GET")).toUpper().toLatin1();
    static const QRegularExpression methodPattern(QRegularExpression::anchoredPattern(u"[A-Z]{1,16}"));
    if (!methodPattern.match(QString::fromLatin1(m_method)).hasMatch()) {
        *error = QStringLiteral("method: '%1' is not an HTTP method such as GET or HEAD")
                     .arg(QString::fromLatin1(m_method));
        return false;
    }
    m_expected = StatusSet::parse(
        stringArgument(arguments, QStringLiteral("expected_status"), QStringLiteral("200-399")), error);
    if (!m_expected)
        return false;
    const QString pattern = stringArgument(arguments, QStringLiteral("body_pattern"));
    if (!pattern.isEmpty()) {
        m_pattern = compilePattern(QStringLiteral("body_pattern"), pattern, error);
        if (!m_pattern)
            return false;
        if (m_method == "HEAD") {
            *error =
                QStringLiteral("body_pattern cannot be checked with method HEAD: a HEAD answer has no body");
            return false;
        }
    }
    m_follow = booleanArgument(arguments, QStringLiteral("follow_redirects"), false);
    m_verify = booleanArgument(arguments, QStringLiteral("tls_verify"), true);
    m_pin = normalizedPin(stringArgument(arguments, QStringLiteral("tls_pin_sha256")));
    if (!m_pin.isEmpty() && !isSha256Hex(m_pin)) {
        *error = QStringLiteral(
            "tls_pin_sha256: give the 64 hex digits of a SHA-256 fingerprint (colons allowed)");
        return false;
    }
    const qint64 capKiB = integerArgument(arguments, QStringLiteral("max_body_kb"), DefaultHttpBodyCapKiB);
    if (capKiB < 1 || capKiB > MaxHttpBodyCapKiB) {
        *error = QStringLiteral("max_body_kb must be between 1 and %1").arg(MaxHttpBodyCapKiB);
        return false;
    }
    m_bodyCap = capKiB * 1024;
    return true;
}

void HttpCheck::begin()
{
    QString error;
    if (!readArguments(&error)) {
        fail(ResultType::RequestError, error);
        return;
    }
    QNetworkRequest request(m_url);
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute,
                         m_follow ? QNetworkRequest::NoLessSafeRedirectPolicy
                                  : QNetworkRequest::ManualRedirectPolicy);
    request.setMaximumRedirectsAllowed(MaxHttpRedirects);
    request.setAttribute(QNetworkRequest::Http2AllowedAttribute, false);
    request.setAttribute(QNetworkRequest::CacheLoadControlAttribute, QNetworkRequest::AlwaysNetwork);
    request.setAttribute(QNetworkRequest::CacheSaveControlAttribute, false);
    request.setAttribute(QNetworkRequest::CookieLoadControlAttribute, QNetworkRequest::Manual);
    request.setAttribute(QNetworkRequest::CookieSaveControlAttribute, QNetworkRequest::Manual);
    request.setRawHeader("Connection", "close");
    request.setHeader(QNetworkRequest::UserAgentHeader, QByteArrayLiteral("Prophasis server check"));
    QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
    tls.setSslOption(QSsl::SslOptionDisableSessionTickets, true);
    tls.setSslOption(QSsl::SslOptionDisableSessionSharing, true);
    tls.setSslOption(QSsl::SslOptionDisableSessionPersistence, true);
    request.setSslConfiguration(tls);

    QNetworkAccessManager *network = m_verify && m_pin.isEmpty() ? m_networks.verifying : m_networks.lenient;
    // HEAD and GET through their own calls: as a custom verb Qt would wait for a HEAD body.
    if (m_method == "GET")
        m_reply = network->get(request);
    else if (m_method == "HEAD")
        m_reply = network->head(request);
    else
        m_reply = network->sendCustomRequest(request, m_method);
    connect(m_reply, &QNetworkReply::sslErrors, this, &HttpCheck::onSslErrors);
    connect(m_reply, &QNetworkReply::encrypted, this, &HttpCheck::onEncrypted);
    connect(m_reply, &QNetworkReply::requestSent, this, [this] {
        if (!m_connectMs)
            m_connectMs = elapsedMsPrecise();
        m_stage = Stage::Waiting;
    });
    connect(m_reply, &QNetworkReply::metaDataChanged, this, [this] { m_stage = Stage::Receiving; });
    connect(m_reply, &QNetworkReply::redirected, this, [this] {
        ++m_redirects;
        m_stage = Stage::Connecting;
    });
    connect(m_reply, &QNetworkReply::readyRead, this, &HttpCheck::onReadyRead);
    connect(m_reply, &QNetworkReply::finished, this, &HttpCheck::onFinished);
}

void HttpCheck::cancel()
{
    if (QNetworkReply *reply = m_reply) {
        m_reply = nullptr;
        disconnect(reply, nullptr, this, nullptr);
        if (reply->isRunning())
            reply->abort();
        reply->deleteLater();
    }
}

void HttpCheck::onSslErrors(const QList<QSslError> &errors)
{
    const QSslCertificate presented = m_reply->sslConfiguration().peerCertificate();
    if (!m_pin.isEmpty()) {
        // The pin replaces verification (a self-signed device): accept these errors, explicitly.
        if (pinMatches(m_pin, presented))
            m_reply->ignoreSslErrors(errors);
        else
            refuseForPin(presented);
        return;
    }
    if (!m_verify) {
        m_reply->ignoreSslErrors(errors);
        return;
    }
    Q_ASSERT(m_reply->manager() == m_networks.verifying);
    QStringList reasons;
    for (const QSslError &error : errors) {
        if (!reasons.contains(error.errorString()))
            reasons.append(error.errorString());
    }
    m_tlsProblem = reasons.join(QStringLiteral("; ")) +
                   QStringLiteral(" (for a device with a self-signed certificate, pin it with tls_pin_sha256 "
                                  "or set tls_verify to false)");
}

void HttpCheck::onEncrypted()
{
    // Also without errors: a certificate that verifies is still refused when it is not the pinned one.
    const QSslCertificate presented = m_reply->sslConfiguration().peerCertificate();
    if (!m_pin.isEmpty() && !pinMatches(m_pin, presented))
        refuseForPin(presented);
}

void HttpCheck::refuseForPin(const QSslCertificate &presented)
{
    m_tlsProblem = QStringLiteral("the certificate (SHA-256 %1) is not the one pinned in tls_pin_sha256")
                       .arg(QString::fromLatin1(presented.digest(QCryptographicHash::Sha256).toHex()));
    m_reply->abort(); // before a byte of the request is sent
}

void HttpCheck::onReadyRead()
{
    if (!m_reply || m_bodyCapped || !m_reply->isOpen())
        return;
    const QByteArray data = m_reply->readAll();
    m_bodyBytes += data.size();
    m_body.append(data.left(m_bodyCap - m_body.size()));
    if (m_bodyBytes > m_bodyCap) {
        // Enough to judge: stop downloading (finished follows at once, with the status kept).
        m_bodyCapped = true;
        m_reply->abort();
    }
}

void HttpCheck::onFinished()
{
    if (isFinished() || !m_reply)
        return;
    onReadyRead();
    if (!m_reply)
        return;
    if (m_reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).isValid())
        finishAnswered();
    else
        finishFailed();
}

QString HttpCheck::certificateText(int daysLeft) const
{
    if (daysLeft == 0)
        return QStringLiteral("certificate expires today");
    const int days = std::abs(daysLeft);
    const QString span = days == 1 ? QStringLiteral("1 day") : QStringLiteral("%1 days").arg(days);
    return daysLeft < 0 ? QStringLiteral("certificate expired %1 ago").arg(span)
                        : QStringLiteral("certificate expires in %1").arg(span);
}

void HttpCheck::finishAnswered()
{
    const double totalMs = elapsedMsPrecise();
    const int status = m_reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const QString reason = m_reply->attribute(QNetworkRequest::HttpReasonPhraseAttribute).toString();
    const QNetworkReply::NetworkError error = m_reply->error();

    QList<Metric> metrics = {
        {QStringLiteral("time_total_ms"), totalMs, QStringLiteral("ms")},
        {QStringLiteral("status_code"), double(status), QString()},
        {QStringLiteral("body_bytes"), double(m_bodyBytes), QStringLiteral("B")},
    };
    if (m_connectMs)
        metrics.append({QStringLiteral("time_connect_ms"), *m_connectMs, QStringLiteral("ms")});
    if (m_follow)
        metrics.append({QStringLiteral("redirects"), double(m_redirects), QString()});

    QString message = QStringLiteral("HTTP %1").arg(status);
    if (!reason.isEmpty())
        message += u' ' + reason;
    message += QStringLiteral(" in ") + formatMs(totalMs);
    if (m_redirects > 0)
        message += QStringLiteral(" after %1 %2, at %3")
                       .arg(m_redirects)
                       .arg(m_redirects == 1 ? QStringLiteral("redirect") : QStringLiteral("redirects"),
                            m_reply->url().toString());

    bool good = true;
    if (!m_expected->contains(status)) {
        good = false;
        message += QStringLiteral(" (expected %1)").arg(m_expected->text());
    }
    if (error == QNetworkReply::TooManyRedirectsError || error == QNetworkReply::InsecureRedirectError) {
        good = false;
        message += QStringLiteral(", but ") + m_reply->errorString();
    } else if (isTransportError(error)) {
        good = false;
        message += QStringLiteral(", but the answer broke off after %1 bytes: %2")
                       .arg(m_bodyBytes)
                       .arg(m_reply->errorString());
    } else if (m_pattern && !m_pattern->match(QString::fromUtf8(m_body)).hasMatch()) {
        good = false;
        message += QStringLiteral(", but the body does not match /%1/").arg(m_pattern->pattern());
        if (m_bodyCapped)
            message += QStringLiteral(" in its first %1 KiB").arg(m_bodyCap / 1024);
    }
    if (m_reply->url().scheme() == QLatin1String("https")) {
        const QSslCertificate certificate = m_reply->sslConfiguration().peerCertificate();
        if (!certificate.isNull()) {
            const int daysLeft = daysUntil(certificate.expiryDate());
            metrics.append({QStringLiteral("cert_days_left"), double(daysLeft), QStringLiteral("d")});
            message += QStringLiteral("; ") + certificateText(daysLeft);
        }
    }
    succeed(totalMs, message, metrics, good ? PluginStatus::Ok : PluginStatus::Critical);
}

void HttpCheck::finishFailed()
{
    const QString where = hostAndPort(m_url);
    const QNetworkReply::NetworkError error = m_reply->error();
    if (!m_tlsProblem.isEmpty()) {
        fail(ResultType::TlsError, QStringLiteral("TLS with %1 refused: %2").arg(where, m_tlsProblem));
        return;
    }
    switch (error) {
    case QNetworkReply::ConnectionRefusedError:
        fail(ResultType::ConnectionError,
             QStringLiteral("connection to %1 refused: nothing listens there").arg(where));
        return;
    case QNetworkReply::HostNotFoundError:
        fail(ResultType::ConnectionError,
             QStringLiteral("cannot resolve %1: no such host name").arg(m_url.host()));
        return;
    case QNetworkReply::RemoteHostClosedError:
        fail(ResultType::ConnectionError,
             QStringLiteral("%1 closed the connection before answering").arg(where));
        return;
    case QNetworkReply::SslHandshakeFailedError:
        fail(ResultType::TlsError,
             QStringLiteral("TLS handshake with %1 failed: %2").arg(where, m_reply->errorString()));
        return;
    case QNetworkReply::TimeoutError:
        fail(ResultType::Timeout, timeoutMessage());
        return;
    default:
        fail(ResultType::ConnectionError, QStringLiteral("%1: %2").arg(where, m_reply->errorString()));
    }
}

QString HttpCheck::timeoutMessage() const
{
    const QString where = hostAndPort(m_url);
    switch (m_stage) {
    case Stage::Connecting:
        return QStringLiteral("no connection to %1 within %2").arg(where, timeoutText());
    case Stage::Waiting:
        return QStringLiteral("connected to %1, but no answer to %2 %3 within %4")
            .arg(where, QString::fromLatin1(m_method),
                 m_url.path().isEmpty() ? QStringLiteral("/") : m_url.path(), timeoutText());
    case Stage::Receiving:
        break;
    }
    return QStringLiteral(
               "%1 began to answer, but the answer did not finish within %2 (%3 bytes of the body received)")
        .arg(where, timeoutText())
        .arg(m_bodyBytes);
}

} // namespace prophasis
