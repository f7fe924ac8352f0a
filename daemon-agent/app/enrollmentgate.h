#pragma once

#include <QDateTime>
#include <QList>
#include <QString>

#include "daemon-agent/app/agentconfig.h"

namespace prophasis {

// Decides POST /v1/enroll (SPEC §4): a one-time token plus the client certificate whose key the
// agent pins. Failed attempts are throttled for everyone at once, so guessing from many
// addresses gains nothing: after MaxFailures failures within FailureWindowSeconds, every attempt
// is refused for LockoutSeconds.
class EnrollmentGate
{
public:
    static constexpr int MaxFailures = 5;
    static constexpr int FailureWindowSeconds = 60;
    static constexpr int LockoutSeconds = 60;

    enum class Verdict
    {
        Enrolled,
        Throttled,
        NoClientCertificate,
        NoToken,    // no enrollment is open (never issued, or already used)
        Expired,
        WrongToken,
    };

    // On Enrolled, `config` pins the client key (AgentConfig::pinCoreKey) and forgets the token;
    // the caller saves it. Nothing changes otherwise.
    Verdict attempt(AgentConfig &config, const QString &presentedToken, const QString &clientSpki, const QDateTime &now);

    // Seconds until attempts are accepted again; 0 when not throttled.
    int retryAfterSeconds(const QDateTime &now) const;

    // A sentence for the HTTP answer and the log.
    static QString describe(Verdict verdict);

private:
    void recordFailure(const QDateTime &now);

    QList<QDateTime> m_failures;
    QDateTime m_lockedUntil;
};

} // namespace prophasis
