#include "daemon-core/auth/sourcethrottle.h"

#include <QHostAddress>

namespace prophasis {

SourceThrottle::SourceThrottle(const AuthPolicy &policy)
    : m_policy(policy)
{
}

QString SourceThrottle::sourceKey(const QString &sourceAddress)
{
    QHostAddress address(sourceAddress);
    if (address.isNull())
        return sourceAddress;
    bool isV4 = false;
    const quint32 v4 = address.toIPv4Address(&isV4);
    if (isV4)
        return QHostAddress(v4).toString();
    Q_IPV6ADDR bytes = address.toIPv6Address();
    for (int i = 8; i < 16; ++i)
        bytes[i] = 0;
    return QHostAddress(bytes).toString() + QStringLiteral("/64");
}

QDateTime SourceThrottle::refusedUntil(const QString &sourceAddress, const QDateTime &now)
{
    QMutexLocker locker(&m_mutex);
    const auto found = m_sources.constFind(sourceKey(sourceAddress));
    if (found == m_sources.constEnd() || !found->blockedUntil.isValid() || found->blockedUntil <= now)
        return {};
    return found->blockedUntil;
}

void SourceThrottle::recordFailure(const QString &sourceAddress, const QDateTime &now)
{
    QMutexLocker locker(&m_mutex);
    const QString key = sourceKey(sourceAddress);
    if (!m_sources.contains(key))
        pruneIfFull(now);
    Entry &entry = m_sources[key];
    if (!entry.windowStart.isValid() || entry.windowStart.secsTo(now) >= m_policy.sourceWindow.count()) {
        entry.windowStart = now;
        entry.failures = 0;
    }
    ++entry.failures;
    if (entry.failures >= m_policy.maxSourceFailures) {
        entry.blockedUntil = now.addSecs(
            std::chrono::duration_cast<std::chrono::seconds>(m_policy.sourceBlockDuration).count());
        entry.windowStart = {};
        entry.failures = 0;
    }
}

void SourceThrottle::pruneIfFull(const QDateTime &now)
{
    if (m_sources.size() < m_policy.maxTrackedSources)
        return;
    // Entries whose window and block are over mean nothing any more.
    m_sources.removeIf([&](const QHash<QString, Entry>::iterator &it) {
        const bool blocked = it->blockedUntil.isValid() && it->blockedUntil > now;
        const bool counting =
            it->windowStart.isValid() && it->windowStart.secsTo(now) < m_policy.sourceWindow.count();
        return !blocked && !counting;
    });
    // Still full (a spray from many addresses at once): forget the ones not blocked, so memory
    // stays bounded; blocked sources stay blocked.
    if (m_sources.size() >= m_policy.maxTrackedSources)
        m_sources.removeIf([&](const QHash<QString, Entry>::iterator &it) {
            return !(it->blockedUntil.isValid() && it->blockedUntil > now);
        });
}

} // namespace prophasis
