#pragma once

#include <QObject>
#include <QSet>
#include <QSslConfiguration>

#include <chrono>
#include <deque>
#include <memory>
#include <unordered_map>

#include "daemon-core/dispatch/agentclient.h"
#include "daemon-core/dispatch/agentjob.h"
#include "daemon-core/dispatch/dispatchcounters.h"
#include "daemon-core/dispatch/packagesource.h"
#include "daemon-core/engine/runjob.h"
#include "daemon-core/serverchecks/servercheckrunner.h"
#include "shared/domain/checkresult.h"
#include "shared/domain/configuration.h"

namespace prophasis {

struct TlsIdentity;

// The dispatcher's named limits (SPEC §5), set in one place.
struct DispatcherLimits
{
    int maxQueuePerAgent = 100;                      // jobs waiting per agent; more are refused as QueueFull
    int maxInFlight = 256;                           // jobs running on agents at once, over all agents
    std::chrono::milliseconds connectTimeout{5'000}; // TCP connect and TLS handshake
    // A run's total deadline is the plugin's timeout plus this: the agent answers a plugin that
    // overran itself, so only a dead or stuck agent reaches it.
    std::chrono::milliseconds deadlineMargin{5'000};
    std::chrono::milliseconds pushTimeout{60'000}; // each request of a package push
    std::chrono::milliseconds maxIdle{90'000};     // a kept-alive connection unused this long is closed
    qint64 maxResponseBodyBytes = HttpResponseParser::DefaultMaxBodyBytes;
    // Server-side plugins run on the core itself, with their own bound and queue.
    ServerCheckLimits serverChecks;
};

// Sends queued runs to agents (SPEC §5, Dispatcher): one bounded FIFO queue per agent with
// duplicates suppressed, one job in flight per agent, a bound on jobs in flight overall taken in
// turn by the agents that wait (fair), kept-alive mutual-TLS connections (AgentClient) and the
// push-on-conflict flow (AgentJob). Event-driven on the thread it lives on, no thread per agent.
//
// Each job is resolved against the configuration current when it leaves its queue. Every job
// that starts ends in resultReady — a failure is a result with its type, never a crash or a
// stuck queue — unless its host is removed or re-keyed meanwhile (then it is dropped and
// counted). The results' classification is left Unknown for the engine to set.
class Dispatcher : public QObject
{
    Q_OBJECT
public:
    Dispatcher(const TlsIdentity &coreIdentity, PackageSource packages, DispatcherLimits limits = {},
               QObject *parent = nullptr);
    ~Dispatcher() override;

    // A new snapshot: a host that is gone, disabled, not enrolled or whose pinned key changed
    // loses its queue and its connection; a changed address or port gets a new connection.
    void setConfiguration(std::shared_ptr<const Configuration> configuration);

    // Queues a run on its host's agent. Plugins that run on the core (runtime "server") go to
    // the core's own ServerCheckRunner instead (see runOnCore): a bound on checks at once, one
    // queue, the same duplicate and overflow rules, results through resultReady like agents'.
    // After drain() every job is refused as ShuttingDown (nothing runs any more; stop the
    // scheduler first).
    EnqueueOutcome enqueue(const RunJob &job);

    // Shutdown: stops taking jobs, drops the queued ones, lets the jobs in flight finish (each
    // bounded by its deadline) and then emits drained() once.
    void drain();
    bool isDraining() const { return m_draining; }

    DispatchCounters counters() const;
    // Jobs waiting (not running) in one host's queue.
    int queuedFor(const QUuid &hostId) const;

    // The server-side checks (tests replace the resolver's answers and the ICMP sockets there).
    ServerCheckRunner &serverChecks() { return *m_serverChecks; }

Q_SIGNALS:
    void jobStarted(const prophasis::RunJob &job);
    // Every finished job; `result.time` is when the answer or the failure arrived (UTC).
    void resultReady(const prophasis::RunJob &job, const prophasis::CheckResult &result);
    // An agent presented another key than the pinned one: refused (the result is a tls_error).
    void securityEvent(const prophasis::AgentKeyMismatch &event);
    void drained();

private:
    struct AgentQueue;
    struct UuidHash
    {
        std::size_t operator()(const QUuid &id) const noexcept { return qHash(id); }
    };

    struct Resolution;
    Resolution resolve(const RunJob &job) const;
    void schedulePump();
    void pump();
    void startJob(AgentQueue &queue, RunJob job);
    void onJobFinished(const QUuid &hostId, const AgentJob::Outcome &outcome);
    void markReady(AgentQueue &queue);
    void dropQueue(const QUuid &hostId, const QString &reason);
    AgentClient *clientFor(AgentQueue &queue);
    void retireClient(AgentQueue &queue);
    EnqueueOutcome runOnCore(const RunJob &job);
    std::optional<ServerCheckRequest> startOnCore(const RunJob &job);
    void onCoreFinished(const RunJob &job, CheckResult result);
    void emitResult(const RunJob &job, const CheckResult &result);
    void checkDrained();

    QSslConfiguration m_tls;
    PackageSource m_packages;
    DispatcherLimits m_limits;
    std::shared_ptr<const Configuration> m_config;
    std::unordered_map<QUuid, std::unique_ptr<AgentQueue>, UuidHash> m_queues;
    std::deque<QUuid> m_ready; // agents with a job to start, in turn
    ServerCheckRunner *m_serverChecks;
    QSet<SeriesKey> m_waitingOnCore; // server-side jobs queued, not started
    DispatchCounters m_counters;
    bool m_pumpPosted = false;
    bool m_handingOn = false; // a finished job's result is being delivered; pump() follows
    bool m_draining = false;
    bool m_drainedEmitted = false;
};

} // namespace prophasis
