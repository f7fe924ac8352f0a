#include "daemon-agent/app/enrollmentgate.h"

#include "shared/enrollment/pairingstrings.h"

namespace prophasis {

EnrollmentGate::Verdict EnrollmentGate::attempt(AgentConfig &config, const QString &presentedToken,
                                                const QString &clientSpki, const QDateTime &now)
{
    if (retryAfterSeconds(now) > 0)
        return Verdict::Throttled;
    if (clientSpki.isEmpty())
        return Verdict::NoClientCertificate;
    Verdict failure = Verdict::WrongToken;
    if (config.enrollmentTokenHash.isEmpty())
        failure = Verdict::NoToken;
    else if (config.enrollmentTokenExpires.isValid() && now > config.enrollmentTokenExpires)
        failure = Verdict::Expired;
    else if (pairingTokenMatches(presentedToken, config.enrollmentTokenHash))
        failure = Verdict::Enrolled;
    if (failure != Verdict::Enrolled) {
        recordFailure(now);
        return failure;
    }
    config.pinCoreKey(clientSpki);
    config.closeEnrollment();
    m_failures.clear();
    return Verdict::Enrolled;
}

void EnrollmentGate::recordFailure(const QDateTime &now)
{
    m_failures.append(now);
    m_failures.removeIf([&](const QDateTime &time) { return time.secsTo(now) > FailureWindowSeconds; });
    if (m_failures.size() >= MaxFailures) {
        m_lockedUntil = now.addSecs(LockoutSeconds);
        m_failures.clear();
    }
}

int EnrollmentGate::retryAfterSeconds(const QDateTime &now) const
{
    if (!m_lockedUntil.isValid() || now >= m_lockedUntil)
        return 0;
    return int(std::max<qint64>(1, now.secsTo(m_lockedUntil)));
}

QString EnrollmentGate::describe(Verdict verdict)
{
    switch (verdict) {
    case Verdict::Enrolled:
        return QStringLiteral("enrolled: this core's key is now pinned");
    case Verdict::Throttled:
        return QStringLiteral("too many failed enrollment attempts; try again later");
    case Verdict::NoClientCertificate:
        return QStringLiteral("enrollment needs a client certificate: its key is what the agent pins");
    case Verdict::NoToken:
        return QStringLiteral("no enrollment is open: run 'prophasis-agent new-token' on the agent for a fresh "
                              "enrollment string");
    case Verdict::Expired:
        return QStringLiteral("the enrollment token has expired: run 'prophasis-agent new-token' on the agent");
    case Verdict::WrongToken:
        return QStringLiteral("the enrollment token is wrong");
    }
    return {};
}

} // namespace prophasis
