#pragma once

#include <QHash>
#include <QHostAddress>
#include <QList>
#include <QObject>
#include <QString>

#include <deque>
#include <functional>
#include <memory>

namespace prophasis {

// One question to the system resolver: the addresses of a name (forward) or the name of an
// address (reverse).
struct LookupQuery
{
    enum class Family
    {
        Any,
        V4,
        V6,
    };
    QString name;         // forward
    QHostAddress address; // reverse, when not null
    Family family = Family::Any;
};

struct LookupAnswer
{
    enum class Outcome
    {
        Found,
        NoSuchName, // the resolver answered: the name (or records of this family) does not exist
        Failed,     // the resolver could not answer (no server reachable, a server failure)
    };
    Outcome outcome = Outcome::Failed;
    QList<QHostAddress> addresses; // forward, in the resolver's order, without duplicates
    QString name;                  // reverse
    QString error;                 // the resolver's words, for NoSuchName and Failed
};

using LookupFunction = std::function<LookupAnswer(const LookupQuery &)>;

// getaddrinfo / getnameinfo: what every program on the machine would get (/etc/hosts, nsswitch,
// resolv.conf), without Qt's host name cache, which would make a DNS check measure the cache.
LookupAnswer systemLookup(const LookupQuery &query);

// Runs blocking lookups off the event loop: at most `maxThreads` at once, each on a thread of
// its own that is left to finish when a lookup is cancelled or the resolver goes away (a resolver
// that hangs can hold a thread for its own timeout, never the event loop or shutdown); the rest
// wait in order. Answers arrive on the resolver's thread, never inside lookup().
class HostResolver : public QObject
{
    Q_OBJECT
public:
    using Callback = std::function<void(const LookupAnswer &)>;

    explicit HostResolver(int maxThreads = 4, QObject *parent = nullptr);
    ~HostResolver() override;

    // Tests answer from a table instead of the system's resolver.
    void setLookupFunction(LookupFunction function) { m_function = std::move(function); }

    quint64 lookup(LookupQuery query, Callback done);
    // The callback of a lookup not answered yet is dropped.
    void cancel(quint64 id);

    int running() const { return m_running; }
    qsizetype waiting() const { return qsizetype(m_waiting.size()); }

private:
    struct Channel;
    struct Pending
    {
        quint64 id = 0;
        LookupQuery query;
    };

    void startWaiting();
    void onAnswer(quint64 id, const LookupAnswer &answer);

    int m_maxThreads;
    LookupFunction m_function = systemLookup;
    std::shared_ptr<Channel> m_channel;
    QHash<quint64, Callback> m_callbacks;
    std::deque<Pending> m_waiting;
    int m_running = 0;
    quint64 m_nextId = 1;
};

} // namespace prophasis
