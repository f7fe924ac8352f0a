#pragma once

#include <QString>
#include <QUuid>

#include <array>

#include "shared/domain/checkresult.h"

namespace prophasis {

// What the dispatcher did so far, for /metrics and tests. Totals since start, except inFlight,
// queued and agents, which are the state now.
struct DispatchCounters
{
    int inFlight = 0;                 // jobs sent to an agent, not finished
    qint64 queued = 0;                // jobs waiting in the agents' queues
    int agents = 0;                   // agents with a queue
    int serverChecksRunning = 0;      // server-side checks running on the core
    qint64 serverChecksWaiting = 0;   // server-side checks waiting for a free slot
    std::array<quint64, 6> results{}; // finished jobs by ResultType (server-side checks included)
    quint64 pushes = 0;               // packages an agent accepted after a conflict (409)
    quint64 overflows = 0;            // jobs refused because their agent's (or the core's) queue was full
    quint64 duplicates = 0;           // jobs refused because the same series waited already
    quint64 dropped =
        0; // queued or running jobs given up: host removed or re-keyed, check or plugin gone, drain
    quint64 connections = 0;    // TLS connections opened to agents (each one full handshake)
    quint64 securityEvents = 0; // agents refused for presenting another key than the pinned one

    quint64 resultsOf(ResultType type) const { return results[std::size_t(type)]; }
};

// An agent presented another key than the one pinned for its host (SPEC §4, §5): the connection
// was refused before anything was sent. The log and the system log must show it.
struct AgentKeyMismatch
{
    QUuid hostId;
    QString hostName;
    QString address;
    quint16 port = 0;
    QString pinnedSpki;
    QString presentedSpki;

    QString describe() const
    {
        return QStringLiteral(
                   "the agent of host %1 at %2 port %3 presented the key %4 instead of the pinned key %5; "
                   "the core refuses to talk to it (reinstalled agent or impostor? enroll the host again if "
                   "the change is intended)")
            .arg(hostName, address)
            .arg(port)
            .arg(presentedSpki, pinnedSpki);
    }
};

} // namespace prophasis
