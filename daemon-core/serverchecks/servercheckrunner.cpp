#include "daemon-core/serverchecks/servercheckrunner.h"

#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QTimer>

#include "daemon-core/serverchecks/dnscheck.h"
#include "daemon-core/serverchecks/hostresolver.h"
#include "daemon-core/serverchecks/httpcheck.h"
#include "daemon-core/serverchecks/pingcheck.h"
#include "daemon-core/serverchecks/tcpcheck.h"

namespace prophasis {

ServerCheckRunner::ServerCheckRunner(ServerCheckLimits limits, QObject *parent)
    : QObject(parent)
    , m_limits(limits)
    , m_verifyingNetwork(new QNetworkAccessManager(this))
    , m_lenientNetwork(new QNetworkAccessManager(this))
    , m_resolver(new HostResolver(limits.resolverThreads, this))
{
    for (QNetworkAccessManager *network : {m_verifyingNetwork, m_lenientNetwork}) {
        // A check measures the way to the host itself, never through a proxy from the environment.
        network->setProxy(QNetworkProxy::NoProxy);
        network->setAutoDeleteReplies(false);
    }
}

ServerCheckRunner::~ServerCheckRunner()
{
    // Checks still running end without a result: the owner is going away.
    for (auto &[check, running] : m_running) {
        disconnect(check, nullptr, this, nullptr);
        delete check;
    }
}

QStringList ServerCheckRunner::kinds()
{
    return {QStringLiteral("http"), QStringLiteral("tcp"), QStringLiteral("ping"), QStringLiteral("dns")};
}

bool ServerCheckRunner::enqueue(Provider provide, Finished finished)
{
    if (waiting() >= m_limits.maxWaiting)
        return false;
    m_waiting.push_back({std::move(provide), std::move(finished)});
    schedulePump();
    return true;
}

bool ServerCheckRunner::enqueue(ServerCheckRequest request, Finished finished)
{
    return enqueue([request = std::move(request)]() -> std::optional<ServerCheckRequest> { return request; },
                   std::move(finished));
}

qsizetype ServerCheckRunner::dropWaiting()
{
    const qsizetype dropped = waiting();
    m_waiting.clear();
    return dropped;
}

void ServerCheckRunner::schedulePump()
{
    if (m_pumpPosted || m_pumping)
        return;
    m_pumpPosted = true;
    QMetaObject::invokeMethod(this, &ServerCheckRunner::pump, Qt::QueuedConnection);
}

void ServerCheckRunner::pump()
{
    m_pumpPosted = false;
    m_pumping = true;
    while (running() < m_limits.maxRunning && !m_waiting.empty()) {
        Waiting next = std::move(m_waiting.front());
        m_waiting.pop_front();
        start(std::move(next));
    }
    m_pumping = false;
}

ServerCheck *ServerCheckRunner::create(const ServerCheckRequest &request)
{
    if (request.kind == QLatin1String("http"))
        return new HttpCheck(request, {m_verifyingNetwork, m_lenientNetwork}, this);
    if (request.kind == QLatin1String("tcp"))
        return new TcpCheck(request, this);
    if (request.kind == QLatin1String("ping"))
        return new PingCheck(request, m_icmpOpener, this);
    if (request.kind == QLatin1String("dns"))
        return new DnsCheck(request, m_resolver, this);
    return nullptr;
}

void ServerCheckRunner::start(Waiting waiting)
{
    std::optional<ServerCheckRequest> request = waiting.provide();
    if (!request)
        return;
    ServerCheck *check = create(*request);
    if (!check) {
        CheckResult result;
        result.type = ResultType::RequestError;
        result.message = QStringLiteral("'%1' is not a check this core runs: it runs %2")
                             .arg(request->kind, kinds().join(QStringLiteral(", ")));
        waiting.finished(result);
        return;
    }
    auto *deadline = new QTimer(check);
    deadline->setSingleShot(true);
    deadline->setTimerType(Qt::PreciseTimer);
    connect(deadline, &QTimer::timeout, check, &ServerCheck::expire);
    m_running.emplace(check, Running{std::move(waiting.finished), deadline});
    deadline->start(request->timeout);
    check->start([this, check](const CheckResult &result) { onCheckFinished(check, result); });
}

void ServerCheckRunner::onCheckFinished(ServerCheck *check, const CheckResult &result)
{
    const auto it = m_running.find(check);
    if (it == m_running.end())
        return;
    const Finished finished = std::move(it->second.finished);
    it->second.deadline->stop();
    m_running.erase(it);
    check->deleteLater(); // it may be on the stack: its own signal led here
    schedulePump();
    finished(result);
}

} // namespace prophasis
