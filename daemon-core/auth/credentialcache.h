#pragma once

#include <QDateTime>
#include <QHash>
#include <QMutex>
#include <QString>
#include <QUuid>

#include "daemon-core/auth/authtypes.h"

namespace prophasis {

// Principals of recently accepted bearer tokens, keyed by the token's hash, so each API request
// does not cost a database round trip. Thread-safe.
//
// A lookup that read the database before an invalidation must not put its (now stale) answer
// back: it takes generation() before reading and insert() drops the answer when an
// invalidation happened since.
class CredentialCache
{
public:
    CredentialCache(qint64 lifetimeMs, int maxEntries);

    // A principal cached less than the lifetime ago whose credential has not expired.
    std::optional<Principal> find(const QString &tokenHash, const QDateTime &now);
    quint64 generation();
    void insert(const QString &tokenHash, const Principal &principal, const QDateTime &credentialExpires,
                const QDateTime &now, quint64 generationBeforeLookup);

    void forgetToken(const QString &tokenHash);
    void forgetTokenId(const QUuid &tokenId);
    void forgetUser(const QUuid &userId);

private:
    struct Entry
    {
        Principal principal;
        QDateTime cachedAt;
        QDateTime credentialExpires; // invalid: never
    };

    const qint64 m_lifetimeMs;
    const int m_maxEntries;
    QMutex m_mutex;
    QHash<QString, Entry> m_entries;
    quint64 m_generation = 0;
};

} // namespace prophasis
