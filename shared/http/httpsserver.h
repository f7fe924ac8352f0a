#pragma once

#include <QHostAddress>
#include <QList>
#include <QObject>
#include <QSslCipher>
#include <QSslConfiguration>
#include <QString>

#include "shared/http/httphandler.h"
#include "shared/http/httplimits.h"
#include "shared/tls/identity.h"

class QSslServer;
class QSslSocket;

namespace prophasis {

struct HttpsServerConfig
{
    QHostAddress address = QHostAddress::Any;
    quint16 port = 0;                     // 0: any free port (tests)
    TlsIdentity identity = TlsIdentity(); // spelled out: QSslCertificate cannot be made from {}
    HttpLimits limits;
    // Ask every client for a certificate without validating it against CAs: callers pin its key
    // (ClientInfo::spkiSha256). Clients without one still connect.
    bool requestClientCertificate = true;
};

// The TLS settings every HTTPS server of ours uses: TLS 1.2 or newer, modernCiphers(), the
// identity's key and certificate, client certificates requested (pinned, not CA-validated)
// when asked for.
QSslConfiguration serverTlsConfiguration(const TlsIdentity &identity, bool requestClientCertificate);

// The HTTPS listener of the agent (port 4048) and the core (port 4049): TLS 1.2 or later with
// AEAD ciphers only, one request at a time per connection, every limit of HttpLimits enforced.
// Each request goes to the handler, which answers through its HttpResponder now or later.
class HttpsServer : public QObject
{
    Q_OBJECT
public:
    explicit HttpsServer(HttpsServerConfig config, QObject *parent = nullptr);
    ~HttpsServer() override;

    // Without a handler every request gets 503.
    void setHandler(HttpHandler handler);

    bool listen(QString *error);
    bool isListening() const;
    quint16 serverPort() const;
    // Stops listening and drops every connection; pending responders then do nothing.
    void close();

    // Open sockets, TLS handshakes in progress included: what HttpLimits::maxConnections bounds.
    int connectionCount() const;

    // New connections present this identity; open ones keep theirs (the core reloads on SIGHUP).
    void setIdentity(const TlsIdentity &identity);

    // The cipher suites offered: TLS 1.3's, and for TLS 1.2 ECDHE with AES-GCM or
    // ChaCha20-Poly1305 (ECDSA and RSA). Our own clients should offer the same.
    static QList<QSslCipher> modernCiphers();

private:
    QSslConfiguration tlsConfiguration() const;
    bool admitConnection(qintptr descriptor);
    void adoptSocket(QSslSocket *socket);
    void takeConnections();

    HttpsServerConfig m_config;
    HttpHandler m_handler;
    QSslServer *m_listener = nullptr;
    int m_openSockets = 0;
};

} // namespace prophasis
