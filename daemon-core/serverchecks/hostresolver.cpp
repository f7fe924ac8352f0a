#include "daemon-core/serverchecks/hostresolver.h"

#include <QMutex>
#include <QMutexLocker>

#include <cstring>
#include <thread>

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>

namespace prophasis {

struct HostResolver::Channel
{
    QMutex mutex;
    HostResolver *owner = nullptr; // null once the resolver is gone: late answers are dropped
};

namespace {

LookupAnswer forward(const LookupQuery &query)
{
    addrinfo hints{};
    hints.ai_family = query.family == LookupQuery::Family::V4   ? AF_INET
                      : query.family == LookupQuery::Family::V6 ? AF_INET6
                                                                : AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM; // one entry per address instead of one per socket type
    addrinfo *list = nullptr;
    const int status = getaddrinfo(query.name.toUtf8().constData(), nullptr, &hints, &list);
    LookupAnswer answer;
    if (status != 0) {
        answer.error = QString::fromLocal8Bit(gai_strerror(status));
#ifdef EAI_NODATA
        const bool noData = status == EAI_NODATA;
#else
        const bool noData = false;
#endif
        answer.outcome = status == EAI_NONAME || noData ? LookupAnswer::Outcome::NoSuchName
                                                        : LookupAnswer::Outcome::Failed;
        return answer;
    }
    for (addrinfo *entry = list; entry; entry = entry->ai_next) {
        const QHostAddress address(entry->ai_addr);
        if (!address.isNull() && !answer.addresses.contains(address))
            answer.addresses.append(address);
    }
    freeaddrinfo(list);
    answer.outcome = LookupAnswer::Outcome::Found;
    return answer;
}

LookupAnswer reverse(const LookupQuery &query)
{
    sockaddr_storage storage{};
    socklen_t length = 0;
    if (query.address.protocol() == QAbstractSocket::IPv4Protocol) {
        auto *in = reinterpret_cast<sockaddr_in *>(&storage);
        in->sin_family = AF_INET;
        in->sin_addr.s_addr = htonl(query.address.toIPv4Address());
        length = sizeof(sockaddr_in);
    } else {
        auto *in6 = reinterpret_cast<sockaddr_in6 *>(&storage);
        in6->sin6_family = AF_INET6;
        const Q_IPV6ADDR bytes = query.address.toIPv6Address();
        std::memcpy(&in6->sin6_addr, &bytes, sizeof bytes);
        length = sizeof(sockaddr_in6);
    }
    char name[NI_MAXHOST] = {};
    const int status = getnameinfo(reinterpret_cast<sockaddr *>(&storage), length, name, sizeof name, nullptr,
                                   0, NI_NAMEREQD);
    LookupAnswer answer;
    if (status != 0) {
        answer.error = QString::fromLocal8Bit(gai_strerror(status));
        answer.outcome =
            status == EAI_NONAME ? LookupAnswer::Outcome::NoSuchName : LookupAnswer::Outcome::Failed;
        return answer;
    }
    answer.outcome = LookupAnswer::Outcome::Found;
    answer.name = QString::fromUtf8(name);
    return answer;
}

} // namespace

LookupAnswer systemLookup(const LookupQuery &query)
{
    return query.address.isNull() ? forward(query) : reverse(query);
}

HostResolver::HostResolver(int maxThreads, QObject *parent)
    : QObject(parent)
    , m_maxThreads(std::max(1, maxThreads))
    , m_channel(std::make_shared<Channel>())
{
    m_channel->owner = this;
}

HostResolver::~HostResolver()
{
    QMutexLocker lock(&m_channel->mutex);
    m_channel->owner = nullptr;
}

quint64 HostResolver::lookup(LookupQuery query, Callback done)
{
    const quint64 id = m_nextId++;
    m_callbacks.insert(id, std::move(done));
    m_waiting.push_back({id, std::move(query)});
    // Started from the event loop, so that no answer can arrive inside lookup().
    QMetaObject::invokeMethod(this, &HostResolver::startWaiting, Qt::QueuedConnection);
    return id;
}

void HostResolver::cancel(quint64 id)
{
    m_callbacks.remove(id);
    std::erase_if(m_waiting, [id](const Pending &pending) { return pending.id == id; });
}

void HostResolver::startWaiting()
{
    while (m_running < m_maxThreads && !m_waiting.empty()) {
        Pending pending = std::move(m_waiting.front());
        m_waiting.pop_front();
        ++m_running;
        // Detached: getaddrinfo cannot be interrupted, and nobody should wait for it.
        std::thread([channel = m_channel, function = m_function, pending = std::move(pending)] {
            const LookupAnswer answer = function(pending.query);
            QMutexLocker lock(&channel->mutex);
            if (HostResolver *owner = channel->owner)
                QMetaObject::invokeMethod(
                    owner, [owner, id = pending.id, answer] { owner->onAnswer(id, answer); },
                    Qt::QueuedConnection);
        }).detach();
    }
}

void HostResolver::onAnswer(quint64 id, const LookupAnswer &answer)
{
    --m_running;
    const Callback done = m_callbacks.take(id);
    startWaiting();
    if (done)
        done(answer);
}

} // namespace prophasis
