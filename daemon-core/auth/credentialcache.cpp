#include "daemon-core/auth/credentialcache.h"

namespace prophasis {

CredentialCache::CredentialCache(qint64 lifetimeMs, int maxEntries)
    : m_lifetimeMs(lifetimeMs)
    , m_maxEntries(maxEntries)
{
}

std::optional<Principal> CredentialCache::find(const QString &tokenHash, const QDateTime &now)
{
    QMutexLocker locker(&m_mutex);
    const auto found = m_entries.constFind(tokenHash);
    if (found == m_entries.constEnd())
        return std::nullopt;
    const bool stale = found->cachedAt.msecsTo(now) >= m_lifetimeMs || found->cachedAt > now;
    const bool expired = found->credentialExpires.isValid() && found->credentialExpires <= now;
    if (stale || expired) {
        m_entries.erase(found);
        return std::nullopt;
    }
    return found->principal;
}

quint64 CredentialCache::generation()
{
    QMutexLocker locker(&m_mutex);
    return m_generation;
}

void CredentialCache::insert(const QString &tokenHash, const Principal &principal,
                             const QDateTime &credentialExpires, const QDateTime &now,
                             quint64 generationBeforeLookup)
{
    QMutexLocker locker(&m_mutex);
    if (generationBeforeLookup != m_generation)
        return;
    if (m_entries.size() >= m_maxEntries && !m_entries.contains(tokenHash)) {
        m_entries.removeIf([&](const QHash<QString, Entry>::iterator &it) {
            return it->cachedAt.msecsTo(now) >= m_lifetimeMs;
        });
        if (m_entries.size() >= m_maxEntries)
            return; // full of fresh entries: this one goes to the database next time
    }
    m_entries.insert(tokenHash, Entry{principal, now, credentialExpires});
}

void CredentialCache::forgetToken(const QString &tokenHash)
{
    QMutexLocker locker(&m_mutex);
    ++m_generation;
    m_entries.remove(tokenHash);
}

void CredentialCache::forgetTokenId(const QUuid &tokenId)
{
    QMutexLocker locker(&m_mutex);
    ++m_generation;
    if (tokenId.isNull())
        return; // sessions have no token id: nothing to match
    m_entries.removeIf(
        [&](const QHash<QString, Entry>::iterator &it) { return it->principal.tokenId == tokenId; });
}

void CredentialCache::forgetUser(const QUuid &userId)
{
    QMutexLocker locker(&m_mutex);
    ++m_generation;
    m_entries.removeIf(
        [&](const QHash<QString, Entry>::iterator &it) { return it->principal.userId == userId; });
}

} // namespace prophasis
