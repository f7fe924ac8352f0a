#include "tests/mockagent/mockagent.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTcpServer>
#include <QTcpSocket>

#include "shared/http/httpsserver.h"

namespace prophasis {

struct MockAgent::Host
{
    QString name;
    QString behaviour;
    std::unique_ptr<HttpsServer> https;
    std::unique_ptr<QTcpServer> dropper; // "drop": accepts and closes before TLS
};

MockAgent::MockAgent(QString configFile, QString identityDirectory)
    : m_configFile(std::move(configFile))
    , m_identityDirectory(std::move(identityDirectory))
{
    // A watcher misses files replaced by rename; polling the modification time does not.
    connect(&m_watcher, &QFileSystemWatcher::fileChanged, this, [this] {
        QString error;
        reload(&error);
    });
    connect(&m_poll, &QTimer::timeout, this, [this] {
        if (QFileInfo(m_configFile).lastModified() != m_configModified) {
            QString error;
            reload(&error);
        }
    });
    m_poll.start(200);
}

MockAgent::~MockAgent() = default;

bool MockAgent::start(QString *error)
{
    m_watcher.addPath(m_configFile);
    return reload(error);
}

TlsIdentity MockAgent::identityFor(const QString &name)
{
    if (m_identityDirectory.isEmpty())
        return TlsIdentity::generate(name);
    QDir().mkpath(m_identityDirectory);
    const QString key = QDir(m_identityDirectory).filePath(name + QStringLiteral(".key"));
    const QString certificate = QDir(m_identityDirectory).filePath(name + QStringLiteral(".crt"));
    QString error;
    if (std::optional<TlsIdentity> stored = TlsIdentity::load(key, certificate, &error))
        return *stored;
    TlsIdentity identity = TlsIdentity::generate(name);
    identity.save(key, certificate, &error);
    return identity;
}

bool MockAgent::reload(QString *error)
{
    QFile file(m_configFile);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot read %1").arg(m_configFile);
        return false;
    }
    const QJsonDocument document = QJsonDocument::fromJson(file.readAll());
    m_configModified = QFileInfo(m_configFile).lastModified();
    if (!document.isObject()) {
        *error = QStringLiteral("%1 is not a JSON object (keeping the previous answers)").arg(m_configFile);
        return false;
    }
    m_config = document.object();
    if (!m_watcher.files().contains(m_configFile))
        m_watcher.addPath(m_configFile);
    const QJsonObject hosts = m_config.value(QStringLiteral("hosts")).toObject();
    for (auto it = hosts.constBegin(); it != hosts.constEnd(); ++it) {
        const QString behaviour = it.value().toObject().value(QStringLiteral("behaviour")).toString(QStringLiteral("normal"));
        const std::shared_ptr<Host> existing = m_hosts.value(it.key());
        // A host starts listening when it first appears, and again when it switches between
        // dropping connections, presenting another key and answering.
        const auto listenerKind = [](const QString &b) { return b == QLatin1String("drop") || b == QLatin1String("other_key") ? b : QString(); };
        if (existing && listenerKind(existing->behaviour) == listenerKind(behaviour)) {
            existing->behaviour = behaviour;
            continue;
        }
        auto host = std::make_shared<Host>();
        host->name = it.key();
        host->behaviour = behaviour;
        m_hosts.insert(it.key(), host); // the old listener (if any) closes here
        if (!listen(*host, error))
            return false;
    }
    return true;
}

bool MockAgent::listen(Host &host, QString *error)
{
    const QJsonObject settings = m_config.value(QStringLiteral("hosts")).toObject().value(host.name).toObject();
    const QHostAddress address(settings.value(QStringLiteral("listen")).toString(QStringLiteral("127.0.0.1")));
    const quint16 port = quint16(settings.value(QStringLiteral("port")).toInt(0));
    QJsonObject description{{QStringLiteral("host"), host.name}, {QStringLiteral("address"), address.toString()}};
    if (host.behaviour == QLatin1String("drop")) {
        host.dropper = std::make_unique<QTcpServer>();
        connect(host.dropper.get(), &QTcpServer::newConnection, host.dropper.get(), [dropper = host.dropper.get()] {
            while (QTcpSocket *socket = dropper->nextPendingConnection()) {
                socket->abort();
                socket->deleteLater();
            }
        });
        if (!host.dropper->listen(address, port)) {
            *error = host.dropper->errorString();
            return false;
        }
        description.insert(QStringLiteral("port"), host.dropper->serverPort());
        Q_EMIT hostReady(description);
        return true;
    }
    HttpsServerConfig config;
    config.address = address;
    config.port = port;
    // "other_key": an agent whose key changed (reinstalled, or an impostor).
    config.identity = identityFor(host.behaviour == QLatin1String("other_key") ? host.name + QStringLiteral("-other") : host.name);
    config.limits.maxBodyBytes = 64 * 1024 * 1024;
    host.https = std::make_unique<HttpsServer>(config);
    const QString name = host.name;
    host.https->setHandler([this, name](const HttpRequest &request, const ClientInfo &client, HttpResponder responder) {
        handle(name, request, client, std::move(responder));
    });
    if (!host.https->listen(error))
        return false;
    description.insert(QStringLiteral("port"), host.https->serverPort());
    description.insert(QStringLiteral("spki_sha256"), spkiSha256(config.identity.certificate));
    Q_EMIT hostReady(description);
    return true;
}

void MockAgent::handle(const QString &hostName, const HttpRequest &request, const ClientInfo &client, HttpResponder responder)
{
    const QJsonObject settings = m_config.value(QStringLiteral("hosts")).toObject().value(hostName).toObject();
    const QJsonArray coreKeys = m_config.value(QStringLiteral("core_keys")).toArray();
    if (!coreKeys.isEmpty() && request.path != QLatin1String("/v1/enroll")
        && !coreKeys.contains(QJsonValue(client.spkiSha256))) {
        responder.send(HttpResponse::error(401, QStringLiteral("this mock agent answers only the pinned core keys")));
        return;
    }
    const QString behaviour = settings.value(QStringLiteral("behaviour")).toString(QStringLiteral("normal"));
    if (behaviour == QLatin1String("silent")) {
        // Never answers; the connection stays open until the client or the server's limits end it.
        m_unanswered.removeIf([](const HttpResponder &held) { return !held.isPending(); });
        m_unanswered.append(std::move(responder));
        return;
    }
    const HttpResponse response = answer(hostName, settings, request);
    const int delay = behaviour == QLatin1String("slow") ? settings.value(QStringLiteral("delay_ms")).toInt(5000) : 0;
    if (delay <= 0)
        return responder.send(response);
    QTimer::singleShot(delay, Qt::PreciseTimer, this, [responder, response] { responder.send(response); });
}

HttpResponse MockAgent::answer(const QString &hostName, const QJsonObject &settings, const HttpRequest &request)
{
    const QJsonObject plugins = settings.value(QStringLiteral("plugins")).toObject();
    QHash<QString, QString> &installed = m_installed[hostName];
    // What the agent holds: what was pushed to it, else what the file says it has.
    const auto shaOf = [&](const QString &id) {
        return installed.value(id, plugins.value(id).toObject().value(QStringLiteral("sha256")).toString());
    };
    const QString path = request.path;
    if (path == QLatin1String("/v1/enroll"))
        return HttpResponse::json(200, QJsonObject{{QStringLiteral("agent_version"), QStringLiteral("mock")}});
    if (path == QLatin1String("/v1/ping"))
        return HttpResponse::json(200, QJsonObject{{QStringLiteral("agent_version"), QStringLiteral("mock")},
                                                   {QStringLiteral("os"), QStringLiteral("linux")},
                                                   {QStringLiteral("uptime_s"), 1000},
                                                   {QStringLiteral("hostname"), hostName}});
    if (path == QLatin1String("/v1/plugins")) {
        QJsonArray list;
        QStringList ids = plugins.keys() + installed.keys();
        ids.removeDuplicates();
        for (const QString &id : ids) {
            if (!shaOf(id).isEmpty())
                list.append(QJsonObject{{QStringLiteral("id"), id}, {QStringLiteral("sha256"), shaOf(id)}});
        }
        return HttpResponse::json(200, QJsonObject{{QStringLiteral("plugins"), list}});
    }
    if (!path.startsWith(QLatin1String("/v1/plugins/")))
        return HttpResponse::error(404, QStringLiteral("no such API path"));
    QString id = path.mid(12);
    const bool isRun = id.endsWith(QLatin1String("/run"));
    if (isRun)
        id.chop(4);
    if (!isRun && request.method == "PUT") {
        installed.insert(id, QString::fromLatin1(QCryptographicHash::hash(request.body, QCryptographicHash::Sha256).toHex()));
        return HttpResponse::json(201, QJsonObject{{QStringLiteral("id"), id}, {QStringLiteral("sha256"), installed.value(id)}});
    }
    if (!isRun && request.method == "DELETE") {
        installed.insert(id, QString()); // removed: forget what the file says too
        return HttpResponse::json(200, QJsonObject{{QStringLiteral("message"), QStringLiteral("removed")}});
    }
    if (!isRun || request.method != "POST")
        return HttpResponse::error(405, QStringLiteral("method not allowed"));
    const QString expected = QJsonDocument::fromJson(request.body).object().value(QStringLiteral("expect_sha256")).toString();
    if (shaOf(id).isEmpty() || (!expected.isEmpty() && expected != shaOf(id)))
        return HttpResponse::error(409, QStringLiteral("plugin %1 is not installed with package %2").arg(id, expected));
    QJsonObject result = plugins.value(id).toObject().value(QStringLiteral("result")).toObject();
    if (result.isEmpty())
        result = {{QStringLiteral("value"), 1}, {QStringLiteral("message"), QStringLiteral("ok")}};
    if (!result.contains(QStringLiteral("duration_ms")))
        result.insert(QStringLiteral("duration_ms"), 1);
    return HttpResponse::json(200, result);
}

} // namespace prophasis
