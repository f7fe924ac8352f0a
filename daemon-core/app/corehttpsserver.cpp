#include "daemon-core/app/corehttpsserver.h"

#include <QDateTime>
#include <QLoggingCategory>

#include "shared/http/httpsserver.h"

namespace prophasis {

namespace {

Q_LOGGING_CATEGORY(lcCoreHttps, "prophasis.core.https")

// Warn this long before the port's certificate expires: time for a renewal and a SIGHUP.
constexpr qint64 ExpiryWarningDays = 14;

void warnAboutExpiry(const QSslCertificate &certificate, const QString &file)
{
    const qint64 daysLeft = QDateTime::currentDateTimeUtc().daysTo(certificate.expiryDate());
    if (daysLeft < 0)
        qCWarning(lcCoreHttps).noquote()
            << "the certificate" << file << "expired on" << certificate.expiryDate().toString(Qt::ISODate)
            << "- clients will refuse it; renew it and send SIGHUP";
    else if (daysLeft < ExpiryWarningDays)
        qCWarning(lcCoreHttps).noquote()
            << "the certificate" << file << "expires in" << daysLeft << "day(s); renew it and send SIGHUP";
}

} // namespace

CoreHttpsServer::CoreHttpsServer(CoreListenOptions options, QObject *parent)
    : QObject(parent)
    , m_options(std::move(options))
{
}

CoreHttpsServer::~CoreHttpsServer() = default;

std::optional<TlsIdentity> CoreHttpsServer::loadIdentity(QString *error) const
{
    std::optional<TlsIdentity> identity =
        TlsIdentity::load(m_options.keyFile, m_options.certificateFile, error);
    if (identity)
        warnAboutExpiry(identity->certificate, m_options.certificateFile);
    return identity;
}

bool CoreHttpsServer::start(QString *error)
{
    std::optional<TlsIdentity> identity = loadIdentity(error);
    if (!identity)
        return false;
    m_identity = std::move(*identity);
    return listenOn(m_options.address, error);
}

bool CoreHttpsServer::listenOn(const QHostAddress &address, QString *error)
{
    HttpsServerConfig config;
    config.address = address;
    config.port = m_options.port;
    config.identity = m_identity;
    config.limits = m_options.limits;
    // Routes may allow larger bodies than the port (plugin upload); asked on the server's thread.
    config.limits.bodyLimitFor = [this](QByteArrayView method, QStringView path) {
        return m_routes.bodyLimit(method, path);
    };
    // As on the agent: enrolling agents (issue #6) present their own certificate, pinned.
    config.requestClientCertificate = true;
    m_server = std::make_unique<HttpsServer>(config);
    m_server->setHandler(
        [this](const HttpRequest &request, const ClientInfo &client, HttpResponder responder) {
            m_routes.handle(request, client, std::move(responder));
        });
    if (m_server->listen(error))
        return true;
    m_server.reset();
    return false;
}

void CoreHttpsServer::stop()
{
    if (m_server)
        m_server->close();
}

bool CoreHttpsServer::isListening() const
{
    return m_server && m_server->isListening();
}

quint16 CoreHttpsServer::port() const
{
    return m_server ? m_server->serverPort() : 0;
}

bool CoreHttpsServer::reloadCertificate(QString *error)
{
    std::optional<TlsIdentity> identity = loadIdentity(error);
    if (!identity)
        return false;
    m_identity = std::move(*identity);
    if (m_server)
        m_server->setIdentity(m_identity);
    qCInfo(lcCoreHttps).noquote() << "certificate reloaded from" << m_options.certificateFile
                                  << "(valid until"
                                  << m_identity.certificate.expiryDate().toString(Qt::ISODate) << ", key"
                                  << spkiSha256(m_identity.certificate) << ')';
    return true;
}

} // namespace prophasis
