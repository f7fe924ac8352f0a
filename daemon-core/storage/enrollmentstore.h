#pragma once

#include <QByteArray>
#include <QDateTime>
#include <QList>
#include <QString>
#include <QUuid>

#include <array>
#include <optional>
#include <utility>

#include "shared/domain/enumnames.h"

namespace prophasis {

class Database;

// A join string the core issued (SPEC §4, §9) for `prophasis-agent init --join`. The token
// itself is shown once and never stored: only its hash (pairingTokenHash) is.
struct JoinToken
{
    QUuid id;
    QString description;
    QString createdBy; // the username of the admin who issued it
    QDateTime created;
    QDateTime expires;
    std::optional<int> maxUses; // nullopt: any number of agents until it expires or is revoked
    int uses = 0;
    bool revoked = false;
};

// Why a presented join token does not admit one more agent.
enum class JoinTokenRefusal
{
    None,
    Unknown, // no token with that hash
    Expired,
    Revoked,
    UsedUp, // max_uses agents registered with it already
};

struct JoinTokenUse
{
    std::optional<JoinToken> token; // set when it was admitted (and its use counted)
    JoinTokenRefusal refusal = JoinTokenRefusal::None;
};

enum class EnrollmentState
{
    Pending,
    Accepted,
    Rejected,
};

template <>
struct EnumNames<EnrollmentState>
{
    static constexpr std::array<std::pair<EnrollmentState, const char *>, 3> table = {{
        {EnrollmentState::Pending, "pending"},
        {EnrollmentState::Accepted, "accepted"},
        {EnrollmentState::Rejected, "rejected"},
    }};
};

// An agent that registered with a join token and waits for an admin (SPEC §4).
struct Enrollment
{
    QUuid id;
    QUuid joinTokenId; // null once the join token is deleted
    EnrollmentState state = EnrollmentState::Pending;
    QString hostname; // what the agent calls itself
    QString address;  // where it listens (from its enrollment string)
    quint16 agentPort = 0;
    QString agentKeySha256; // the key of its TLS client certificate
    QString agentVersion;
    QString os;
    // Its enrollment string (holding a one-time token) sealed with the core's SecretBox; empty
    // when the agent registered without one (it pinned the core itself and waits to be added).
    QByteArray enrollmentSealed;
    QString source; // the address it registered from
    QDateTime created;
    QDateTime decided;
    QString decidedBy;
    QUuid hostId; // the host made when it was accepted
};

// Join tokens and the registrations made with them (tables join_tokens and enrollments).
class EnrollmentStore
{
public:
    explicit EnrollmentStore(Database &db);

    // Stores a new join token (a fresh id; created: now when unset) with the token's hash.
    JoinToken createJoinToken(JoinToken token, const QString &tokenHash);
    // Newest first.
    QList<JoinToken> listJoinTokens();
    // Throws NotFound.
    JoinToken joinToken(const QUuid &id);
    // Refuses the token from now on; throws NotFound.
    JoinToken revokeJoinToken(const QUuid &id);
    // Admits one more agent with the token of this hash at `now` and counts the use (atomically,
    // so two agents racing for a token's last use cannot both have it), or says why not.
    JoinTokenUse useJoinToken(const QString &tokenHash, const QDateTime &now);

    // Stores a pending registration (a fresh id; created: now when unset). A registration of the
    // same key still pending is replaced: the agent ran `init --join` again (e.g. after a lost
    // answer), and only the holder of that key can present it. `*replaced` says whether it was.
    Enrollment addPending(Enrollment enrollment, bool *replaced = nullptr);
    // Pending first, then newest first.
    QList<Enrollment> listEnrollments();
    // Throws NotFound.
    Enrollment enrollment(const QUuid &id);
    // Records an admin's decision on a pending registration and forgets its sealed enrollment
    // string (the token in it is used or no longer wanted). Throws NotFound, or Conflict when it
    // was decided already.
    Enrollment decide(const QUuid &id, EnrollmentState state, const QString &decidedBy, const QUuid &hostId,
                      const QDateTime &when);

private:
    Database &m_db;
};

} // namespace prophasis
