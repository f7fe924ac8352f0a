#include "daemon-agent/app/agentservice.h"

#include <QDir>
#include <QLoggingCategory>

#include "daemon-agent/app/agentapi.h"
#include "daemon-agent/luaworker/luaworkerclient.h"
#include "daemon-agent/runner/pluginexecutor.h"
#include "daemon-agent/runner/subreaper.h"
#include "daemon-agent/store/agentpluginstore.h"
#include "shared/http/httpsserver.h"
#include "shared/package/packagereader.h"
#include "shared/package/signatureverifier.h"

namespace prophasis {

namespace {

Q_LOGGING_CATEGORY(lcService, "prophasis.agent")

} // namespace

qint64 AgentService::maxRequestBodyBytes()
{
    // The archive limit plus room for nothing else: the signature travels in a header.
    return PackageLimits{}.maxArchiveBytes;
}

AgentService::AgentService(AgentConfig config, TlsIdentity identity, QObject *parent)
    : QObject(parent)
    , m_config(std::move(config))
    , m_identity(std::move(identity))
{
}

AgentService::~AgentService() = default;

std::shared_ptr<AgentPluginStore> AgentService::makeStore() const
{
    return std::make_shared<AgentPluginStore>(QDir(m_config.stateDirectory()).filePath(QStringLiteral("plugins")),
                                              m_config.signatures, m_verifier.get(), m_config.trustedSigners);
}

bool AgentService::start(QString *error)
{
    // Grandchildren of plugins that escape their process group are re-parented to us and reaped.
    if (!becomeSubreaper())
        qCWarning(lcService) << "cannot become a child subreaper; orphaned plugin processes go to init";
    connect(&m_reapTimer, &QTimer::timeout, this, [] { OrphanReaper::instance().reap(); });
    m_reapTimer.start(ReapIntervalMs);
    for (const QString &folder : {m_config.stateDirectory(), m_config.keyringDirectory()}) {
        if (!QDir().mkpath(folder)) {
            *error = QStringLiteral("cannot create the folder %1").arg(folder);
            return false;
        }
        QFile::setPermissions(folder, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
    }
    m_verifier = std::make_unique<SignatureVerifier>(m_config.keyringDirectory());
    m_executor = std::make_unique<PluginExecutor>();
    m_lua = std::make_unique<LuaWorkerClient>(LuaWorkerClient::defaultWorkerProgram());
    const std::shared_ptr<AgentPluginStore> store = makeStore();
    const qsizetype installed = store->list().size();
    m_api = std::make_unique<AgentApi>(
        AgentApi::Parts{&m_config, store, m_executor.get(), m_lua.get(), spkiSha256(m_identity.certificate)});

    HttpsServerConfig serverConfig;
    serverConfig.address = QHostAddress(m_config.listenAddress);
    serverConfig.port = m_config.port;
    serverConfig.identity = m_identity;
    serverConfig.limits.maxBodyBytes = maxRequestBodyBytes();
    m_server = std::make_unique<HttpsServer>(serverConfig);
    m_server->setHandler([this](const HttpRequest &request, const ClientInfo &client, HttpResponder responder) {
        m_api->handle(request, client, std::move(responder));
    });
    if (!m_server->listen(error))
        return false;
    qCInfo(lcService).noquote() << "listening on" << m_config.listenAddress << "port" << m_server->serverPort() << "; key"
                                << spkiSha256(m_identity.certificate) << ";" << m_config.pinnedCoreKeys.size()
                                << "core key(s) pinned;" << installed << "plugin(s) installed";
    if (m_config.pinnedCoreKeys.isEmpty())
        qCWarning(lcService) << "no core is enrolled yet: paste the enrollment string into the console";
    return true;
}

quint16 AgentService::port() const
{
    return m_server ? m_server->serverPort() : 0;
}

void AgentService::reload()
{
    QString error;
    std::optional<AgentConfig> config = AgentConfig::load(m_config.directory, &error);
    if (!config) {
        qCWarning(lcService).noquote() << "reload failed, keeping the running configuration:" << error;
        return;
    }
    m_config = *config;
    m_api->setStore(makeStore());
    qCInfo(lcService) << "configuration reloaded";
}

} // namespace prophasis
