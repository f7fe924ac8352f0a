#include "daemon-core/dispatch/dispatcher.h"

#include <QLoggingCategory>

#include <algorithm>

#include "daemon-core/serverchecks/checkrequest.h"
#include "shared/tls/identity.h"
#include "shared/tls/pinning.h"

namespace prophasis {

namespace {

Q_LOGGING_CATEGORY(lcDispatch, "prophasis.core.dispatch")

AgentEndpoint endpointOf(const Host &host)
{
    return {host.name, host.address, host.agentPort, host.agentKeySha256};
}

// A host the dispatcher can send jobs to: enabled, with an address and a pinned agent key.
bool isDispatchable(const Host &host)
{
    return host.enabled && !host.address.isEmpty() && !host.agentKeySha256.isEmpty() && host.agentPort != 0;
}

} // namespace

struct Dispatcher::AgentQueue
{
    QUuid hostId;
    AgentEndpoint endpoint;
    std::deque<RunJob> jobs;
    QSet<SeriesKey> waiting;
    AgentClient *client = nullptr; // made for the first job; a child of the dispatcher
    std::shared_ptr<AgentJob> current;
    bool ready = false;         // in m_ready
    bool replaceClient = false; // the endpoint changed while a job ran: new connection after it
};

struct Dispatcher::Resolution
{
    enum class Kind
    {
        Run,
        Fail,   // a result without asking the agent (e.g. the plugin has no package)
        Drop,   // the series is gone from the configuration: nothing to report to
        OnCore, // a server-side plugin
    };
    Kind kind = Kind::Drop;
    ResolvedRun run;
    ResultType failure = ResultType::RequestError;
    QString message;
};

Dispatcher::Dispatcher(const TlsIdentity &coreIdentity, PackageSource packages, DispatcherLimits limits,
                       QObject *parent)
    : QObject(parent)
    , m_tls(pinnedClientConfiguration(coreIdentity))
    , m_packages(std::move(packages))
    , m_limits(limits)
    , m_serverChecks(new ServerCheckRunner(limits.serverChecks, this))
{
}

Dispatcher::~Dispatcher()
{
    for (auto &[id, queue] : m_queues) {
        queue->current.reset();
        if (queue->client)
            queue->client->abort();
    }
}

void Dispatcher::setConfiguration(std::shared_ptr<const Configuration> configuration)
{
    m_config = std::move(configuration);
    QList<QPair<QUuid, QString>> gone;
    for (auto &[id, queue] : m_queues) {
        const auto host = m_config ? m_config->hosts.constFind(id) : QHash<QUuid, Host>::const_iterator();
        if (!m_config || host == m_config->hosts.constEnd())
            gone.append({id, QStringLiteral("the host was removed")});
        else if (!isDispatchable(*host))
            gone.append({id, QStringLiteral("the host was disabled or unenrolled")});
        else if (host->agentKeySha256 != queue->endpoint.spkiSha256)
            gone.append({id, QStringLiteral("the host's pinned agent key changed")});
        else if (endpointOf(*host) != queue->endpoint) {
            queue->endpoint = endpointOf(*host);
            if (queue->current)
                queue->replaceClient = true;
            else
                retireClient(*queue);
        }
    }
    for (const auto &[id, reason] : gone)
        dropQueue(id, reason);
}

EnqueueOutcome Dispatcher::enqueue(const RunJob &job)
{
    if (m_draining)
        return EnqueueOutcome::ShuttingDown;
    if (!m_config)
        return EnqueueOutcome::HostUnknown;
    if (const auto plugin = m_config->plugins.constFind(job.series.pluginId);
        plugin != m_config->plugins.constEnd() && plugin->runtime == PluginRuntime::Server)
        return runOnCore(job);
    const auto host = m_config->hosts.constFind(job.series.hostId);
    if (host == m_config->hosts.constEnd() || !isDispatchable(*host))
        return EnqueueOutcome::HostUnknown;

    auto it = m_queues.find(job.series.hostId);
    if (it == m_queues.end()) {
        auto queue = std::make_unique<AgentQueue>();
        queue->hostId = host->id;
        queue->endpoint = endpointOf(*host);
        it = m_queues.emplace(job.series.hostId, std::move(queue)).first;
    }
    AgentQueue &queue = *it->second;
    if (queue.waiting.contains(job.series)) {
        ++m_counters.duplicates;
        return EnqueueOutcome::AlreadyWaiting;
    }
    if (qsizetype(queue.jobs.size()) >= m_limits.maxQueuePerAgent) {
        ++m_counters.overflows;
        return EnqueueOutcome::QueueFull;
    }
    queue.jobs.push_back(job);
    queue.waiting.insert(job.series);
    ++m_counters.queued;
    if (!queue.current)
        markReady(queue);
    return EnqueueOutcome::Queued;
}

void Dispatcher::markReady(AgentQueue &queue)
{
    if (queue.ready || queue.jobs.empty() || queue.current)
        return;
    queue.ready = true;
    m_ready.push_back(queue.hostId);
    schedulePump();
}

void Dispatcher::schedulePump()
{
    // One pass per event-loop turn, however many jobs were queued or finished in it.
    if (m_pumpPosted || m_handingOn)
        return;
    m_pumpPosted = true;
    QMetaObject::invokeMethod(this, &Dispatcher::pump, Qt::QueuedConnection);
}

void Dispatcher::pump()
{
    m_pumpPosted = false;
    while (m_counters.inFlight < m_limits.maxInFlight && !m_ready.empty()) {
        const QUuid hostId = m_ready.front();
        m_ready.pop_front();
        const auto it = m_queues.find(hostId);
        if (it == m_queues.end())
            continue;
        AgentQueue &queue = *it->second;
        queue.ready = false;
        if (queue.current || queue.jobs.empty())
            continue;
        RunJob job = std::move(queue.jobs.front());
        queue.jobs.pop_front();
        queue.waiting.remove(job.series);
        --m_counters.queued;
        startJob(queue, std::move(job));
        // Round robin: an agent with more waiting goes to the back of the line. (Looked up
        // again: a receiver of jobStarted or resultReady may have dropped the queue.)
        if (const auto again = m_queues.find(hostId); again != m_queues.end())
            markReady(*again->second);
    }
}

Dispatcher::Resolution Dispatcher::resolve(const RunJob &job) const
{
    Resolution resolution;
    const auto check = m_config->checks.constFind(job.series.checkId);
    const auto plugin = m_config->plugins.constFind(job.series.pluginId);
    if (check == m_config->checks.constEnd() || !check->enabled || plugin == m_config->plugins.constEnd())
        return resolution; // Drop
    const auto checkPlugin =
        std::find_if(check->plugins.cbegin(), check->plugins.cend(),
                     [&](const CheckPlugin &entry) { return entry.pluginId == job.series.pluginId; });
    if (checkPlugin == check->plugins.cend())
        return resolution;
    resolution.run.job = job;
    resolution.run.arguments = checkPlugin->arguments;
    if (plugin->runtime == PluginRuntime::Server) {
        resolution.kind = Resolution::Kind::OnCore;
        return resolution;
    }
    resolution.kind = Resolution::Kind::Fail;
    if (!isValidPluginId(plugin->pluginId)) {
        resolution.message = QStringLiteral("plugin %1 has the id '%2', which agents do not accept")
                                 .arg(plugin->name, plugin->pluginId);
        return resolution;
    }
    if (plugin->packageSha256.isEmpty()) {
        resolution.message =
            QStringLiteral("plugin %1 has no package on the core to run: upload one").arg(plugin->pluginId);
        return resolution;
    }
    resolution.kind = Resolution::Kind::Run;
    resolution.run.pluginId = plugin->pluginId;
    resolution.run.packageSha256 = plugin->packageSha256;
    resolution.run.pluginTimeout =
        std::chrono::seconds(std::clamp(plugin->timeoutSeconds, 1, MaxPluginTimeoutSeconds));
    return resolution;
}

void Dispatcher::startJob(AgentQueue &queue, RunJob job)
{
    Resolution resolution = resolve(job);
    switch (resolution.kind) {
    case Resolution::Kind::Drop:
        qCDebug(lcDispatch) << "dropping a job whose check or plugin is gone";
        ++m_counters.dropped;
        return;
    case Resolution::Kind::OnCore:
        // The plugin became a server-side one while the job waited for its agent.
        if (runOnCore(job) != EnqueueOutcome::Queued)
            ++m_counters.dropped;
        return;
    case Resolution::Kind::Fail: {
        CheckResult result;
        result.hostId = job.series.hostId;
        result.checkId = job.series.checkId;
        result.pluginId = job.series.pluginId;
        result.time = QDateTime::currentDateTimeUtc();
        result.type = resolution.failure;
        result.message = resolution.message;
        emitResult(job, result);
        return;
    }
    case Resolution::Kind::Run:
        break;
    }
    ++m_counters.inFlight;
    const QUuid hostId = queue.hostId;
    AgentJobTimeouts timeouts{m_limits.deadlineMargin, m_limits.pushTimeout};
    queue.current = std::make_shared<AgentJob>(
        std::move(resolution.run), clientFor(queue), m_packages, timeouts,
        [this, hostId](const AgentJob::Outcome &outcome) { onJobFinished(hostId, outcome); });
    Q_EMIT jobStarted(job);
    // jobStarted's receivers may have changed the configuration and dropped this queue.
    if (const auto it = m_queues.find(hostId); it != m_queues.end() && it->second->current)
        it->second->current->start();
}

AgentClient *Dispatcher::clientFor(AgentQueue &queue)
{
    if (queue.client)
        return queue.client;
    AgentClient::Limits limits{m_limits.connectTimeout, m_limits.maxIdle, m_limits.maxResponseBodyBytes};
    queue.client = new AgentClient(queue.endpoint, m_tls, limits, this);
    const QUuid hostId = queue.hostId;
    connect(queue.client, &AgentClient::connectionOpened, this, [this] { ++m_counters.connections; });
    connect(queue.client, &AgentClient::keyMismatch, this,
            [this, hostId, endpoint = queue.endpoint](const QString &pinned, const QString &presented) {
                ++m_counters.securityEvents;
                Q_EMIT securityEvent(AgentKeyMismatch{hostId, endpoint.name, endpoint.address, endpoint.port,
                                                      pinned, presented});
            });
    return queue.client;
}

void Dispatcher::retireClient(AgentQueue &queue)
{
    queue.replaceClient = false;
    if (AgentClient *client = std::exchange(queue.client, nullptr)) {
        client->abort();
        client->disconnect(this);
        client->deleteLater(); // it may be on the stack: its own callback can lead here
    }
}

void Dispatcher::onJobFinished(const QUuid &hostId, const AgentJob::Outcome &outcome)
{
    const auto it = m_queues.find(hostId);
    if (it == m_queues.end() || !it->second->current)
        return;
    AgentQueue &queue = *it->second;
    const std::shared_ptr<AgentJob> finished = std::move(queue.current);
    --m_counters.inFlight;
    if (outcome.pushed)
        ++m_counters.pushes;
    if (queue.replaceClient)
        retireClient(queue);
    markReady(queue);
    // The freed slot is handed on right after the result, in this turn of the event loop: a
    // receiver that queues the next run (as the engine does) needs no second wake-up.
    m_handingOn = true;
    emitResult(finished->job(), outcome.result);
    m_handingOn = false;
    if (!m_ready.empty())
        pump();
    checkDrained();
}

void Dispatcher::emitResult(const RunJob &job, const CheckResult &result)
{
    ++m_counters.results[std::size_t(result.type)];
    if (result.type != ResultType::Success)
        qCDebug(lcDispatch).noquote() << enumName(result.type) << result.message;
    Q_EMIT resultReady(job, result);
}

// Server-side plugins (HTTP, TCP, ping, DNS checks made by the core itself, SPEC §5): the host
// needs no agent, only to exist and be enabled. The job is resolved when it leaves the runner's
// queue, like agents' jobs when they leave theirs.
EnqueueOutcome Dispatcher::runOnCore(const RunJob &job)
{
    const auto host = m_config->hosts.constFind(job.series.hostId);
    if (host == m_config->hosts.constEnd() || !host->enabled)
        return EnqueueOutcome::HostUnknown;
    if (m_waitingOnCore.contains(job.series)) {
        ++m_counters.duplicates;
        return EnqueueOutcome::AlreadyWaiting;
    }
    const bool queued =
        m_serverChecks->enqueue([this, job] { return startOnCore(job); },
                                [this, job](const CheckResult &result) { onCoreFinished(job, result); });
    if (!queued) {
        ++m_counters.overflows;
        return EnqueueOutcome::QueueFull;
    }
    m_waitingOnCore.insert(job.series);
    return EnqueueOutcome::Queued;
}

std::optional<ServerCheckRequest> Dispatcher::startOnCore(const RunJob &job)
{
    m_waitingOnCore.remove(job.series);
    if (!m_config) {
        ++m_counters.dropped;
        return std::nullopt;
    }
    const Resolution resolution = resolve(job);
    const auto host = m_config->hosts.constFind(job.series.hostId);
    if (resolution.kind != Resolution::Kind::OnCore || host == m_config->hosts.constEnd() || !host->enabled) {
        qCDebug(lcDispatch) << "dropping a server-side job whose host, check or plugin is gone";
        ++m_counters.dropped;
        return std::nullopt;
    }
    const Plugin plugin = m_config->plugins.value(job.series.pluginId);
    QString error;
    std::optional<ServerCheckRequest> request =
        host->address.isEmpty() ? std::nullopt
                                : makeServerCheckRequest(plugin, *host, resolution.run.arguments, &error);
    if (!request) {
        CheckResult result;
        result.type = ResultType::RequestError;
        result.message = host->address.isEmpty()
                             ? QStringLiteral("host %1 has no address to check").arg(host->name)
                             : QStringLiteral("%1 cannot run: %2").arg(plugin.pluginId, error);
        onCoreFinished(job, result);
        return std::nullopt;
    }
    Q_EMIT jobStarted(job);
    return request;
}

void Dispatcher::onCoreFinished(const RunJob &job, CheckResult result)
{
    // Like an agent's job whose queue was dropped: a host removed or disabled meanwhile gets no result.
    const auto host =
        m_config ? m_config->hosts.constFind(job.series.hostId) : QHash<QUuid, Host>::const_iterator();
    if (!m_config || host == m_config->hosts.constEnd() || !host->enabled) {
        ++m_counters.dropped;
        checkDrained();
        return;
    }
    result.hostId = job.series.hostId;
    result.checkId = job.series.checkId;
    result.pluginId = job.series.pluginId;
    result.time = QDateTime::currentDateTimeUtc();
    emitResult(job, result);
    checkDrained();
}

void Dispatcher::dropQueue(const QUuid &hostId, const QString &reason)
{
    const auto it = m_queues.find(hostId);
    if (it == m_queues.end())
        return;
    std::unique_ptr<AgentQueue> queue = std::move(it->second);
    m_queues.erase(it);
    const qsizetype waiting = qsizetype(queue->jobs.size());
    m_counters.queued -= waiting;
    m_counters.dropped += quint64(waiting) + (queue->current ? 1 : 0);
    if (queue->current) {
        --m_counters.inFlight;
        queue->current.reset();
        schedulePump();
    }
    retireClient(*queue);
    qCInfo(lcDispatch).noquote() << "dropped the queue of" << queue->endpoint.name << "(" << waiting
                                 << "waiting):" << reason;
    checkDrained();
}

void Dispatcher::drain()
{
    if (m_draining)
        return;
    m_draining = true;
    for (auto &[id, queue] : m_queues) {
        m_counters.dropped += quint64(queue->jobs.size());
        m_counters.queued -= qsizetype(queue->jobs.size());
        queue->jobs.clear();
        queue->waiting.clear();
        queue->ready = false;
    }
    m_ready.clear();
    m_counters.dropped += quint64(m_serverChecks->dropWaiting());
    m_waitingOnCore.clear();
    qCInfo(lcDispatch) << "draining:" << m_counters.inFlight << "jobs in flight," << m_serverChecks->running()
                       << "server-side checks running";
    // Asynchronous even when nothing runs, so the caller can connect to drained() after calling.
    QMetaObject::invokeMethod(this, &Dispatcher::checkDrained, Qt::QueuedConnection);
}

void Dispatcher::checkDrained()
{
    if (!m_draining || m_drainedEmitted || m_counters.inFlight > 0 || m_serverChecks->running() > 0)
        return;
    m_drainedEmitted = true;
    Q_EMIT drained();
}

DispatchCounters Dispatcher::counters() const
{
    DispatchCounters counters = m_counters;
    counters.agents = int(m_queues.size());
    counters.serverChecksRunning = m_serverChecks->running();
    counters.serverChecksWaiting = m_serverChecks->waiting();
    return counters;
}

int Dispatcher::queuedFor(const QUuid &hostId) const
{
    const auto it = m_queues.find(hostId);
    return it == m_queues.end() ? 0 : int(it->second->jobs.size());
}

} // namespace prophasis
