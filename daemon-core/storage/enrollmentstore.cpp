#include "daemon-core/storage/enrollmentstore.h"

#include <QSqlQuery>

#include "daemon-core/storage/database.h"
#include "daemon-core/storage/sqlvalues.h"

namespace prophasis {

namespace {

const QString JoinTokenColumns =
    QStringLiteral("id, description, created_by, created_ms, expires_ms, max_uses, uses, revoked");
const QString EnrollmentColumns = QStringLiteral(
    "id, join_token_id, state, hostname, address, agent_port, agent_key_sha256, agent_version, os, "
    "enrollment_sealed, source, created_ms, decided_ms, decided_by, host_id");

JoinToken joinTokenFromRow(const QSqlQuery &row)
{
    JoinToken token;
    token.id = idFromDb(row.value(0));
    token.description = row.value(1).toString();
    token.createdBy = row.value(2).toString();
    token.created = timeFromDb(row.value(3));
    token.expires = timeFromDb(row.value(4));
    if (!row.value(5).isNull())
        token.maxUses = row.value(5).toInt();
    token.uses = row.value(6).toInt();
    token.revoked = row.value(7).toBool();
    return token;
}

Enrollment enrollmentFromRow(const QSqlQuery &row)
{
    Enrollment enrollment;
    enrollment.id = idFromDb(row.value(0));
    enrollment.joinTokenId = idFromDb(row.value(1));
    enrollment.state =
        enumFromName<EnrollmentState>(row.value(2).toString()).value_or(EnrollmentState::Rejected);
    enrollment.hostname = row.value(3).toString();
    enrollment.address = row.value(4).toString();
    enrollment.agentPort = quint16(row.value(5).toUInt());
    enrollment.agentKeySha256 = row.value(6).toString();
    enrollment.agentVersion = row.value(7).toString();
    enrollment.os = row.value(8).toString();
    // Binary sealed bytes travel as base64 in a text column: the same on both databases.
    enrollment.enrollmentSealed = QByteArray::fromBase64(row.value(9).toString().toLatin1());
    enrollment.source = row.value(10).toString();
    enrollment.created = timeFromDb(row.value(11));
    enrollment.decided = timeFromDb(row.value(12));
    enrollment.decidedBy = row.value(13).toString();
    enrollment.hostId = idFromDb(row.value(14));
    return enrollment;
}

StorageError notFound(const QString &what, const QUuid &id)
{
    return StorageError(StorageError::Kind::NotFound,
                        QStringLiteral("no %1 with id %2").arg(what, id.toString(QUuid::WithoutBraces)));
}

} // namespace

EnrollmentStore::EnrollmentStore(Database &db)
    : m_db(db)
{
}

JoinToken EnrollmentStore::createJoinToken(JoinToken token, const QString &tokenHash)
{
    if (tokenHash.isEmpty())
        throw StorageError(StorageError::Kind::Invalid, QStringLiteral("a join token needs its hash"));
    if (!token.expires.isValid())
        throw StorageError(StorageError::Kind::Invalid, QStringLiteral("a join token needs an expiry"),
                           QStringLiteral("expires"));
    if (token.maxUses && *token.maxUses < 1)
        throw StorageError(StorageError::Kind::Invalid, QStringLiteral("must be at least 1"),
                           QStringLiteral("max_uses"));
    token.id = QUuid::createUuid();
    if (!token.created.isValid())
        token.created = QDateTime::currentDateTimeUtc();
    token.uses = 0;
    token.revoked = false;
    m_db.exec(QStringLiteral("INSERT INTO join_tokens (id, token_hash, description, created_by, created_ms, "
                             "expires_ms, max_uses, uses, revoked) VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?)"),
              {dbId(token.id), tokenHash, token.description, token.createdBy, dbTime(token.created),
               dbTime(token.expires),
               token.maxUses ? QVariant(*token.maxUses) : QVariant(QMetaType::fromType<int>()), false});
    return token;
}

QList<JoinToken> EnrollmentStore::listJoinTokens()
{
    QList<JoinToken> tokens;
    QSqlQuery row = m_db.exec(
        QStringLiteral("SELECT %1 FROM join_tokens ORDER BY created_ms DESC, id").arg(JoinTokenColumns));
    while (row.next())
        tokens.append(joinTokenFromRow(row));
    return tokens;
}

JoinToken EnrollmentStore::joinToken(const QUuid &id)
{
    QSqlQuery row = m_db.exec(QStringLiteral("SELECT %1 FROM join_tokens WHERE id = ?").arg(JoinTokenColumns),
                              {dbId(id)});
    if (!row.next())
        throw notFound(QStringLiteral("join token"), id);
    return joinTokenFromRow(row);
}

JoinToken EnrollmentStore::revokeJoinToken(const QUuid &id)
{
    return m_db.transaction([&] {
        JoinToken token = joinToken(id);
        m_db.exec(QStringLiteral("UPDATE join_tokens SET revoked = ? WHERE id = ?"), {true, dbId(id)});
        token.revoked = true;
        return token;
    });
}

JoinTokenUse EnrollmentStore::useJoinToken(const QString &tokenHash, const QDateTime &now)
{
    return m_db.transaction([&]() -> JoinTokenUse {
        QSqlQuery row =
            m_db.exec(QStringLiteral("SELECT %1 FROM join_tokens WHERE token_hash = ?").arg(JoinTokenColumns),
                      {tokenHash});
        if (!row.next())
            return {std::nullopt, JoinTokenRefusal::Unknown};
        JoinToken token = joinTokenFromRow(row);
        if (token.revoked)
            return {std::nullopt, JoinTokenRefusal::Revoked};
        if (token.expires <= now)
            return {std::nullopt, JoinTokenRefusal::Expired};
        // The condition repeated in the UPDATE: a concurrent use between the read and the write
        // (another core on the same PostgreSQL) cannot push it past max_uses.
        const int updated =
            m_db.exec(
                    QStringLiteral("UPDATE join_tokens SET uses = uses + 1 WHERE id = ? AND NOT revoked AND "
                                   "expires_ms > ? AND (max_uses IS NULL OR uses < max_uses)"),
                    {dbId(token.id), dbTime(now)})
                .numRowsAffected();
        if (updated != 1)
            return {std::nullopt, JoinTokenRefusal::UsedUp};
        ++token.uses;
        return {token, JoinTokenRefusal::None};
    });
}

Enrollment EnrollmentStore::addPending(Enrollment enrollment, bool *replaced)
{
    return m_db.transaction([&] {
        const int removed =
            m_db.exec(QStringLiteral("DELETE FROM enrollments WHERE agent_key_sha256 = ? AND state = ?"),
                      {enrollment.agentKeySha256, enumName(EnrollmentState::Pending)})
                .numRowsAffected();
        if (replaced)
            *replaced = removed > 0;
        enrollment.id = QUuid::createUuid();
        enrollment.state = EnrollmentState::Pending;
        if (!enrollment.created.isValid())
            enrollment.created = QDateTime::currentDateTimeUtc();
        enrollment.decided = {};
        enrollment.decidedBy.clear();
        enrollment.hostId = {};
        m_db.exec(QStringLiteral(
                      "INSERT INTO enrollments (id, join_token_id, state, hostname, address, agent_port, "
                      "agent_key_sha256, agent_version, os, enrollment_sealed, source, created_ms) "
                      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
                  {dbId(enrollment.id), dbId(enrollment.joinTokenId), enumName(enrollment.state),
                   enrollment.hostname, enrollment.address, int(enrollment.agentPort),
                   enrollment.agentKeySha256, enrollment.agentVersion, enrollment.os,
                   QString::fromLatin1(enrollment.enrollmentSealed.toBase64()), enrollment.source,
                   dbTime(enrollment.created)});
        return enrollment;
    });
}

QList<Enrollment> EnrollmentStore::listEnrollments()
{
    QList<Enrollment> enrollments;
    QSqlQuery row =
        m_db.exec(QStringLiteral("SELECT %1 FROM enrollments ORDER BY CASE WHEN state = ? THEN 0 ELSE 1 "
                                 "END, created_ms DESC, id")
                      .arg(EnrollmentColumns),
                  {enumName(EnrollmentState::Pending)});
    while (row.next())
        enrollments.append(enrollmentFromRow(row));
    return enrollments;
}

Enrollment EnrollmentStore::enrollment(const QUuid &id)
{
    QSqlQuery row = m_db.exec(
        QStringLiteral("SELECT %1 FROM enrollments WHERE id = ?").arg(EnrollmentColumns), {dbId(id)});
    if (!row.next())
        throw notFound(QStringLiteral("enrollment"), id);
    return enrollmentFromRow(row);
}

Enrollment EnrollmentStore::decide(const QUuid &id, EnrollmentState state, const QString &decidedBy,
                                   const QUuid &hostId, const QDateTime &when)
{
    return m_db.transaction([&] {
        Enrollment stored = enrollment(id);
        if (stored.state != EnrollmentState::Pending)
            throw StorageError(StorageError::Kind::Conflict,
                               QStringLiteral("this enrollment was %1 already").arg(enumName(stored.state)));
        m_db.exec(
            QStringLiteral("UPDATE enrollments SET state = ?, decided_ms = ?, decided_by = ?, host_id = ?, "
                           "enrollment_sealed = '' WHERE id = ? AND state = ?"),
            {enumName(state), dbTime(when), decidedBy, dbId(hostId), dbId(id),
             enumName(EnrollmentState::Pending)});
        stored.state = state;
        stored.decided = when;
        stored.decidedBy = decidedBy;
        stored.hostId = hostId;
        stored.enrollmentSealed.clear();
        return stored;
    });
}

} // namespace prophasis
