#pragma once

#include <QHostAddress>
#include <QObject>
#include <QString>

#include <memory>

#include "daemon-core/app/coreconfig.h"
#include "daemon-core/app/routetable.h"
#include "shared/http/httplimits.h"
#include "shared/tls/identity.h"

namespace prophasis {

class HttpsServer;

struct CoreListenOptions
{
    // Every address, IPv6 and IPv4 (dual-stack); IPv4 only where the system has no IPv6.
    QHostAddress address = QHostAddress::Any;
    quint16 port = DefaultCorePort; // 0: any free port (tests; the log names it)
    // What the port presents (SPEC §9, Keys): the identity files by default, or --tls-key /
    // --tls-cert (e.g. a CA-issued certificate for phones). Read at start and on reload.
    QString keyFile;
    QString certificateFile;
    HttpLimits limits;
};

// The core's HTTPS port (default 4049): shared/http's HttpsServer with the agent's TLS settings
// and limits, a RouteTable behind it, and the certificate re-read on SIGHUP.
class CoreHttpsServer : public QObject
{
    Q_OBJECT
public:
    explicit CoreHttpsServer(CoreListenOptions options, QObject *parent = nullptr);
    ~CoreHttpsServer() override;

    RouteTable &routes() { return m_routes; }

    // Reads the key and certificate and starts listening; false with *error otherwise.
    bool start(QString *error);
    // Stops listening and drops open connections (SIGTERM, before the engine drains).
    void stop();
    bool isListening() const;
    quint16 port() const;
    const TlsIdentity &identity() const { return m_identity; }

    // SIGHUP: reads the key and certificate again; new connections get them, open ones keep the
    // old. A file that is missing, unreadable or does not match its key keeps the old one and
    // says why in *error.
    bool reloadCertificate(QString *error);

private:
    std::optional<TlsIdentity> loadIdentity(QString *error) const;
    bool listenOn(const QHostAddress &address, QString *error);

    CoreListenOptions m_options;
    RouteTable m_routes;
    TlsIdentity m_identity;
    std::unique_ptr<HttpsServer> m_server;
};

} // namespace prophasis
