#pragma once

#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QPair>
#include <QProcess>
#include <QTemporaryDir>

#include <memory>

#include "daemon-core/dispatch/dispatcher.h"
#include "shared/domain/configuration.h"

// What the dispatcher tests share: a configuration built step by step, a log of results, and
// prophasis-mock-agent as a child process.
namespace prophasis::testing {

class ConfigBuilder
{
public:
    QUuid addHost(const QString &name, const QString &address, quint16 port, const QString &spki);
    QUuid addPlugin(const QString &pluginId, const QString &sha256, int timeoutSeconds = 5,
                    PluginRuntime runtime = PluginRuntime::Exec);
    // A check of one plugin with its arguments (the dispatcher does not look at a check's hosts).
    QUuid addCheck(const QUuid &plugin, const QJsonObject &arguments = {});

    Host &host(const QUuid &id) { return m_config.hosts[id]; }
    Plugin &plugin(const QUuid &id) { return m_config.plugins[id]; }
    Configuration &config() { return m_config; }
    std::shared_ptr<const Configuration> snapshot() const
    {
        return std::make_shared<const Configuration>(m_config);
    }

private:
    Configuration m_config;
};

RunJob runJob(const QUuid &host, const QUuid &check, const QUuid &plugin);

// Every job the dispatcher started and every result it reported, in order.
class DispatchLog : public QObject
{
    Q_OBJECT
public:
    explicit DispatchLog(Dispatcher *dispatcher);

    QList<QPair<RunJob, CheckResult>> results;
    QList<RunJob> started;
    QList<AgentKeyMismatch> securityEvents;
    bool drained = false;

    // Waits until `count` results arrived in total.
    bool waitForResults(qsizetype count, int timeoutMs = 30'000);
    QList<CheckResult> resultsOf(const QUuid &hostId) const;
};

class MockAgentProcess
{
public:
    MockAgentProcess();
    ~MockAgentProcess();

    // Starts the mock with these hosts (the "hosts" object of its file) and waits until each listens.
    bool start(const QString &coreSpki, const QJsonObject &hosts);
    // Rewrites the file; the mock applies it within a fraction of a second.
    bool rewrite(const QJsonObject &hosts);
    // The next "listening" line for `name`: {"host", "address", "port", "spki_sha256"}.
    QJsonObject waitForHost(const QString &name, int timeoutMs = 10'000);
    QJsonObject host(const QString &name) const { return m_hosts.value(name); }

    // A host entry for the file.
    static QJsonObject hostEntry(quint16 port, const QString &behaviour, const QJsonObject &plugins,
                                 int delayMs = 0);
    static QJsonObject pluginEntry(const QString &sha256, const QJsonObject &result = {});

private:
    QTemporaryDir m_dir;
    QProcess m_process;
    QString m_coreSpki;
    QHash<QString, QJsonObject> m_hosts;
};

} // namespace prophasis::testing
