#pragma once

#include <QDateTime>
#include <QHash>
#include <QMutex>
#include <QString>

#include "daemon-core/auth/authpolicy.h"

namespace prophasis {

// Counts failed logins per source address, in memory, and refuses a source that failed too
// often for a while — whatever usernames it tries, so a password spray is slowed as much as a
// guess at one account. IPv6 addresses count per /64, as one machine usually holds a whole /64.
// Thread-safe.
class SourceThrottle
{
public:
    explicit SourceThrottle(const AuthPolicy &policy);

    // When the source is refused: until when; otherwise an invalid time.
    QDateTime refusedUntil(const QString &sourceAddress, const QDateTime &now);
    void recordFailure(const QString &sourceAddress, const QDateTime &now);

    // "2001:db8:1:2::/64" for any address in that /64; IPv4 (also v4-mapped) as is.
    static QString sourceKey(const QString &sourceAddress);

private:
    struct Entry
    {
        QDateTime windowStart;
        int failures = 0;
        QDateTime blockedUntil;
    };
    void pruneIfFull(const QDateTime &now);

    const AuthPolicy m_policy;
    QMutex m_mutex;
    QHash<QString, Entry> m_sources;
};

} // namespace prophasis
