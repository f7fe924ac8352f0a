#pragma once

#include <QElapsedTimer>
#include <QJsonObject>
#include <QObject>
#include <QSet>

#include <memory>

#include "daemon-agent/app/enrollmentgate.h"
#include "shared/http/httphandler.h"

namespace prophasis {

class AgentPluginStore;
class LuaWorkerClient;
class PluginExecutor;
struct AgentConfig;

// The agent's HTTPS API (SPEC §9): enrollment, ping, plugin list / install / remove / run.
// Every call but enrollment needs a client certificate whose key is pinned in the config.
class AgentApi : public QObject
{
    Q_OBJECT
public:
    struct Parts
    {
        AgentConfig *config;
        std::shared_ptr<AgentPluginStore> store; // shared: an install in progress keeps its store
        PluginExecutor *executor;
        LuaWorkerClient *lua;
        QString agentSpki; // this agent's own key pin, reported on enrollment and ping
    };

    explicit AgentApi(const Parts &parts, QObject *parent = nullptr);

    void handle(const HttpRequest &request, const ClientInfo &client, HttpResponder responder);
    // After a reload: new requests use the new store; installs in progress finish on the old one.
    void setStore(std::shared_ptr<AgentPluginStore> store) { m_parts.store = std::move(store); }

private:
    void enroll(const HttpRequest &request, const ClientInfo &client, const HttpResponder &responder);
    void ping(const HttpResponder &responder) const;
    void listPlugins(const HttpResponder &responder) const;
    void installPlugin(const QString &pluginId, const HttpRequest &request, const HttpResponder &responder);
    void removePlugin(const QString &pluginId, const HttpResponder &responder);
    void runPlugin(const QString &pluginId, const HttpRequest &request, const HttpResponder &responder);
    QString pluginStateFolder(const QString &pluginId);

    Parts m_parts;
    EnrollmentGate m_gate;
    QJsonObject m_osFacts; // os, os_version, kernel for ping
    QElapsedTimer m_started;
    QSet<QString> m_stateFoldersMade; // made once per process: three syscalls less per run
};

} // namespace prophasis
