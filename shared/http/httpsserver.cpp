#include "shared/http/httpsserver.h"

#include <QSslServer>
#include <QSslSocket>

#include <functional>
#include <limits>

#include "shared/http/httpconnection.h"
#include "shared/http/httplog.h"

namespace prophasis {

Q_LOGGING_CATEGORY(lcHttp, "prophasis.http")

namespace {

// Where a socket came from, kept on the socket: once a handshake fails Qt has already
// forgotten the peer's address.
constexpr const char PeerProperty[] = "prophasis.peer";

QString describePeer(const QHostAddress &address, quint16 port)
{
    bool isIpv4 = false;
    const quint32 ipv4 = address.toIPv4Address(&isIpv4);
    return isIpv4 ? QStringLiteral("%1:%2").arg(QHostAddress(ipv4).toString()).arg(port)
                  : QStringLiteral("[%1]:%2").arg(address.toString()).arg(port);
}

// QSslServer with a door keeper: a connection over the limit is closed before QSslServer
// spends a TLS handshake on it.
class TlsListener final : public QSslServer
{
public:
    TlsListener(std::function<bool(qintptr)> admit, std::function<void(QSslSocket *)> adopt, QObject *parent)
        : QSslServer(parent)
        , m_admit(std::move(admit))
        , m_adopt(std::move(adopt))
    {
    }

protected:
    void incomingConnection(qintptr descriptor) override
    {
        if (!m_admit(descriptor))
            return;
        QSslServer::incomingConnection(descriptor);
        // QSslServer made a socket for the descriptor as its newest child; count it from now on.
        const QObjectList &sockets = children();
        for (auto it = sockets.crbegin(); it != sockets.crend(); ++it) {
            auto *socket = qobject_cast<QSslSocket *>(*it);
            if (socket && socket->socketDescriptor() == descriptor) {
                m_adopt(socket);
                return;
            }
        }
    }

private:
    std::function<bool(qintptr)> m_admit;
    std::function<void(QSslSocket *)> m_adopt;
};

} // namespace

HttpsServer::HttpsServer(HttpsServerConfig config, QObject *parent)
    : QObject(parent)
    , m_config(std::move(config))
{
}

HttpsServer::~HttpsServer() = default;

void HttpsServer::setHandler(HttpHandler handler)
{
    m_handler = std::move(handler);
}

QList<QSslCipher> HttpsServer::modernCiphers()
{
    static const char *const names[] = {
        "TLS_AES_256_GCM_SHA384",        "TLS_CHACHA20_POLY1305_SHA256",  "TLS_AES_128_GCM_SHA256",
        "ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE-RSA-AES256-GCM-SHA384",   "ECDHE-ECDSA-CHACHA20-POLY1305",
        "ECDHE-RSA-CHACHA20-POLY1305",   "ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-RSA-AES128-GCM-SHA256",
    };
    QList<QSslCipher> ciphers;
    for (const char *name : names) {
        const QSslCipher cipher(QString::fromLatin1(name));
        if (!cipher.isNull())
            ciphers.append(cipher);
    }
    return ciphers;
}

QSslConfiguration serverTlsConfiguration(const TlsIdentity &identity, bool requestClientCertificate)
{
    QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
    tls.setProtocol(QSsl::TlsV1_2OrLater);
    tls.setCiphers(HttpsServer::modernCiphers());
    if (identity.intermediates.isEmpty())
        tls.setLocalCertificate(identity.certificate);
    else
        tls.setLocalCertificateChain(QList<QSslCertificate>{identity.certificate} + identity.intermediates);
    tls.setPrivateKey(identity.privateKey);
    tls.setPeerVerifyMode(requestClientCertificate ? QSslSocket::QueryPeer : QSslSocket::VerifyNone);
    // No CA list in the certificate request: clients present their own self-signed certificate.
    tls.setCaCertificates({});
    return tls;
}

QSslConfiguration HttpsServer::tlsConfiguration() const
{
    return serverTlsConfiguration(m_config.identity, m_config.requestClientCertificate);
}

bool HttpsServer::listen(QString *error)
{
    if (m_config.identity.isNull()) {
        *error = QStringLiteral("no TLS key and certificate to serve HTTPS with");
        return false;
    }
    if (!QSslSocket::supportsSsl()) {
        *error = QStringLiteral("TLS is not available (Qt was built for %1)")
                     .arg(QSslSocket::sslLibraryBuildVersionString());
        return false;
    }
    if (!m_listener) {
        m_listener = new TlsListener([this](qintptr descriptor) { return admitConnection(descriptor); },
                                     [this](QSslSocket *socket) { adoptSocket(socket); }, this);
        connect(m_listener, &QSslServer::pendingConnectionAvailable, this, &HttpsServer::takeConnections);
        connect(m_listener, &QSslServer::errorOccurred, this,
                [this](QSslSocket *socket, QAbstractSocket::SocketError socketError) {
                    const QString peer = socket->property(PeerProperty).toString();
                    if (socketError == QAbstractSocket::SocketTimeoutError)
                        qCWarning(lcHttp).noquote()
                            << "the TLS handshake from" << peer << "did not finish within"
                            << describeDuration(m_config.limits.handshakeTimeout) << "- closed";
                    else
                        qCDebug(lcHttp).noquote()
                            << "TLS handshake with" << peer << "failed:" << socket->errorString();
                });
    }
    m_listener->setSslConfiguration(tlsConfiguration());
    m_listener->setHandshakeTimeout(int(m_config.limits.handshakeTimeout.count()));
    // Our own limit (admitConnection) decides; QTcpServer's would leave connections waiting in
    // the backlog instead of closing them.
    m_listener->setMaxPendingConnections(std::numeric_limits<int>::max());
    // "::" means every address, IPv4 too, as on most systems; Qt would take it as IPv6 only.
    const QHostAddress address = m_config.address == QHostAddress(QHostAddress::AnyIPv6)
                                     ? QHostAddress(QHostAddress::Any)
                                     : m_config.address;
    if (!m_listener->listen(address, m_config.port)) {
        *error = QStringLiteral("cannot listen on %1 port %2: %3")
                     .arg(m_config.address.toString())
                     .arg(m_config.port)
                     .arg(m_listener->errorString());
        // A kernel without IPv6 refuses the dual-stack address; IPv4 alone still serves.
        if (address != QHostAddress(QHostAddress::Any) ||
            !m_listener->listen(QHostAddress(QHostAddress::AnyIPv4), m_config.port))
            return false;
        qCInfo(lcHttp).noquote() << "listening on IPv4 only:" << *error;
    }
    qCInfo(lcHttp).noquote() << "listening for HTTPS on"
                             << describePeer(m_listener->serverAddress(), m_listener->serverPort());
    return true;
}

bool HttpsServer::isListening() const
{
    return m_listener && m_listener->isListening();
}

quint16 HttpsServer::serverPort() const
{
    return m_listener ? m_listener->serverPort() : 0;
}

void HttpsServer::close()
{
    if (!m_listener)
        return;
    m_listener->close();
    for (HttpConnection *connection : findChildren<HttpConnection *>(Qt::FindDirectChildrenOnly))
        connection->abort();
    for (QSslSocket *socket : m_listener->findChildren<QSslSocket *>(Qt::FindDirectChildrenOnly)) {
        socket->abort();
        socket->deleteLater();
    }
}

int HttpsServer::connectionCount() const
{
    return m_openSockets;
}

void HttpsServer::setIdentity(const TlsIdentity &identity)
{
    m_config.identity = identity;
    if (m_listener)
        m_listener->setSslConfiguration(tlsConfiguration());
}

bool HttpsServer::admitConnection(qintptr descriptor)
{
    if (m_openSockets < m_config.limits.maxConnections)
        return true;
    QTcpSocket refused;
    if (refused.setSocketDescriptor(descriptor)) {
        qCWarning(lcHttp).noquote() << "refusing a connection from"
                                    << describePeer(refused.peerAddress(), refused.peerPort()) << "- already"
                                    << m_openSockets << "open, the limit";
        refused.abort();
    }
    return false;
}

void HttpsServer::adoptSocket(QSslSocket *socket)
{
    ++m_openSockets;
    socket->setProperty(PeerProperty, describePeer(socket->peerAddress(), socket->peerPort()));
    connect(socket, &QObject::destroyed, this, [this] { --m_openSockets; });
}

void HttpsServer::takeConnections()
{
    while (m_listener->hasPendingConnections()) {
        auto *socket = qobject_cast<QSslSocket *>(m_listener->nextPendingConnection());
        if (!socket)
            continue;
        auto dispatch = [this](const HttpRequest &request, const ClientInfo &client,
                               HttpResponder responder) {
            if (m_handler)
                m_handler(request, client, std::move(responder));
            else
                responder.send(
                    HttpResponse::error(503, QStringLiteral("this server is not ready to answer yet")));
        };
        auto *connection = new HttpConnection(socket, m_config.limits, dispatch, this);
        connection->start();
    }
}

} // namespace prophasis
