#pragma once

#include <QObject>
#include <QTimer>

#include <memory>

#include "daemon-agent/app/agentconfig.h"
#include "shared/tls/identity.h"

namespace prophasis {

class AgentApi;
class AgentPluginStore;
class HttpsServer;
class LuaWorkerClient;
class PluginExecutor;
class SignatureVerifier;

// What `prophasis-agent run` builds: the HTTPS server, the plugin store, the runners and the
// API between them. One per process.
class AgentService : public QObject
{
    Q_OBJECT
public:
    static constexpr int ReapIntervalMs = 5000;

    // The agent's upload limit: a plugin package and nothing much else.
    static qint64 maxRequestBodyBytes();

    AgentService(AgentConfig config, TlsIdentity identity, QObject *parent = nullptr);
    ~AgentService() override;

    bool start(QString *error);
    quint16 port() const;

    // SIGHUP: re-reads agent.json (trusted signers, signature mode, pins) and applies it.
    void reload();

private:
    std::shared_ptr<AgentPluginStore> makeStore() const;

    AgentConfig m_config;
    TlsIdentity m_identity;
    std::unique_ptr<SignatureVerifier> m_verifier;
    std::unique_ptr<PluginExecutor> m_executor;
    std::unique_ptr<LuaWorkerClient> m_lua;
    std::unique_ptr<AgentApi> m_api;
    std::unique_ptr<HttpsServer> m_server;
    // Reaps what is handed to the agent as subreaper outside plugin runs (gpg, which gpgme
    // double-forks and never waits for).
    QTimer m_reapTimer;
};

} // namespace prophasis
