#pragma once

#include <QDateTime>
#include <QFileSystemWatcher>
#include <QHash>
#include <QJsonObject>
#include <QObject>
#include <QTimer>

#include <memory>

#include "shared/http/httphandler.h"
#include "shared/tls/identity.h"

class QTcpServer;

namespace prophasis {

class HttpsServer;

// A stand-in for many agents, for the core's tests: the agent API of SPEC §9, answered from a
// JSON file keyed by host that is re-read whenever it changes, so a test can flip a host to
// failing. See main.cpp for the file's format.
class MockAgent : public QObject
{
    Q_OBJECT
public:
    MockAgent(QString configFile, QString identityDirectory);
    ~MockAgent() override;

    bool start(QString *error);

Q_SIGNALS:
    // One JSON object per host once it listens: {"host", "address", "port", "spki_sha256"}.
    void hostReady(const QJsonObject &description);

private:
    struct Host;

    bool reload(QString *error);
    bool listen(Host &host, QString *error);
    void handle(const QString &hostName, const HttpRequest &request, const ClientInfo &client, HttpResponder responder);
    HttpResponse answer(const QString &hostName, const QJsonObject &settings, const HttpRequest &request);
    TlsIdentity identityFor(const QString &name);

    QString m_configFile;
    QString m_identityDirectory;
    QJsonObject m_config;
    QDateTime m_configModified;
    QHash<QString, std::shared_ptr<Host>> m_hosts;
    QHash<QString, QHash<QString, QString>> m_installed; // host → plugin → sha256 pushed to it
    QList<HttpResponder> m_unanswered; // "silent": held, so the connection stays open, unanswered
    QFileSystemWatcher m_watcher;
    QTimer m_poll;
};

} // namespace prophasis
