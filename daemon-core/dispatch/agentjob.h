#pragma once

#include <QElapsedTimer>
#include <QJsonObject>
#include <QString>
#include <QUuid>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>

#include "daemon-core/dispatch/agentclient.h"
#include "daemon-core/dispatch/packagesource.h"
#include "daemon-core/engine/runjob.h"
#include "shared/domain/checkresult.h"

namespace prophasis {

// Everything one run needs, looked up in the configuration when the job leaves its queue.
struct ResolvedRun
{
    RunJob job;
    QString pluginId;      // the package id in agent URLs, e.g. org.prophasis.cpu_load
    QString packageSha256; // the core's current package
    QJsonObject arguments; // the check's arguments for this plugin
    std::chrono::milliseconds pluginTimeout{10'000};
};

struct AgentJobTimeouts
{
    std::chrono::milliseconds deadlineMargin{5'000}; // a run's deadline: the plugin's timeout plus this
    std::chrono::milliseconds pushTimeout{60'000};   // listing the agent's plugins, installing a package
};

// One job on one agent (SPEC §5): one request "run plugin P expecting package H"; when the agent
// holds another package (409) the core's package is fetched, pushed (with its signature, and
// allow_downgrade when it is older than the agent's) and the run made again, once. Every ending
// becomes a CheckResult with its type and a message a person understands.
class AgentJob : public std::enable_shared_from_this<AgentJob>
{
public:
    struct Outcome
    {
        CheckResult result;
        bool pushed = false; // a package was installed on the agent on the way
    };
    using Finished = std::function<void(const Outcome &)>;

    AgentJob(ResolvedRun run, AgentClient *client, PackageSource packages, AgentJobTimeouts timeouts,
             Finished finished);

    // The job keeps itself alive through its requests; destroying the owner's reference and
    // aborting the client cancels it without a result.
    void start();

    const RunJob &job() const { return m_run.job; }

private:
    void sendRun();
    void onRun(const AgentReply &reply);
    void fetchPackage();
    void onPackage(const AgentPackage &package);
    void onPluginList(const AgentReply &reply);
    void onInstalled(const AgentReply &reply);
    void finishWithRun(const HttpClientResponse &response);
    void finishWith(ResultType type, const QString &message);
    void finish(CheckResult result);
    CheckResult baseResult() const;
    QString what() const;
    AgentClient::Callback continueWith(void (AgentJob::*step)(const AgentReply &));

    ResolvedRun m_run;
    AgentClient *m_client;
    PackageSource m_packages;
    AgentJobTimeouts m_timeouts;
    Finished m_finished;
    AgentPackage m_package;
    QElapsedTimer m_clock;
    bool m_pushed = false;
};

// The agent's answer to a run (200, SPEC §9) as a result: the agent's own "timeout" and
// "plugin_error" become those types; an answer that is not a run result is a request_error.
// nullopt with *error when the body is not a run result.
std::optional<CheckResult> checkResultFromRunAnswer(const SeriesKey &series, const QByteArray &body,
                                                    QString *error);

} // namespace prophasis
