#pragma once

#include <QObject>
#include <QStringList>

#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <unordered_map>

#include "daemon-core/serverchecks/icmp.h"
#include "daemon-core/serverchecks/servercheck.h"

class QNetworkAccessManager;
class QTimer;

namespace prophasis {

class HostResolver;

// The runner's named limits.
struct ServerCheckLimits
{
    int maxRunning = 64;         // checks at once over all hosts: each holds a socket, request or lookup
    qsizetype maxWaiting = 5000; // checks waiting for a free slot; more are refused
    int resolverThreads = 4;     // system resolver lookups at once (DNS checks)
};

// Runs server-side checks on the thread it lives on (the core's event loop): event-driven, no
// thread per check, at most maxRunning at once and the rest waiting in order, each with the
// deadline of its request's timeout (a precise timer; the check then finishes as a timeout
// saying how far it got). Every check that starts finishes exactly once; results never arrive
// inside enqueue().
class ServerCheckRunner : public QObject
{
    Q_OBJECT
public:
    // Called when the check may start: the request to run, or nullopt when there is nothing to
    // run any more (the caller reports or counts that itself).
    using Provider = std::function<std::optional<ServerCheckRequest>()>;
    using Finished = std::function<void(const CheckResult &)>;

    explicit ServerCheckRunner(ServerCheckLimits limits = {}, QObject *parent = nullptr);
    ~ServerCheckRunner() override;

    // False when maxWaiting checks wait already.
    bool enqueue(Provider provide, Finished finished);
    bool enqueue(ServerCheckRequest request, Finished finished);
    // Drops the waiting checks, not the running ones; returns how many.
    qsizetype dropWaiting();

    int running() const { return int(m_running.size()); }
    qsizetype waiting() const { return qsizetype(m_waiting.size()); }

    // The check kinds, as plugins name them in their entry.
    static QStringList kinds();

    // Shared by the checks; tests replace what they answer.
    HostResolver &resolver() { return *m_resolver; }
    void setIcmpSocketOpener(icmp::SocketOpener opener) { m_icmpOpener = std::move(opener); }

private:
    struct Waiting
    {
        Provider provide;
        Finished finished;
    };
    struct Running
    {
        Finished finished;
        QTimer *deadline = nullptr;
    };

    ServerCheck *create(const ServerCheckRequest &request);
    void schedulePump();
    void pump();
    void start(Waiting waiting);
    void onCheckFinished(ServerCheck *check, const CheckResult &result);

    ServerCheckLimits m_limits;
    QNetworkAccessManager *m_verifyingNetwork; // see HttpNetworks
    QNetworkAccessManager *m_lenientNetwork;
    HostResolver *m_resolver;
    icmp::SocketOpener m_icmpOpener = icmp::openSystemSocket;
    std::deque<Waiting> m_waiting;
    std::unordered_map<ServerCheck *, Running> m_running;
    bool m_pumpPosted = false;
    bool m_pumping = false;
};

} // namespace prophasis
