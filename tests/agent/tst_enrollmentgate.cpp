#include <QTest>

#include "daemon-agent/app/enrollmentgate.h"
#include "shared/enrollment/pairingstrings.h"

using namespace prophasis;

namespace {

const QDateTime T0 = QDateTime(QDate(2026, 5, 1), QTime(12, 0), Qt::UTC);
const QString CoreA = QString(64, u'a');
const QString CoreB = QString(64, u'b');
const QString CoreC = QString(64, u'c');

AgentConfig withToken(const QString &token)
{
    AgentConfig config;
    config.enrollmentTokenHash = pairingTokenHash(token);
    config.enrollmentTokenExpires = T0.addSecs(EnrollmentTokenValiditySeconds);
    return config;
}

} // namespace

class TestEnrollmentGate : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void theRightTokenPinsTheKeyOnce()
    {
        const QString token = generatePairingToken();
        AgentConfig config = withToken(token);
        EnrollmentGate gate;
        QCOMPARE(gate.attempt(config, token, CoreA, T0), EnrollmentGate::Verdict::Enrolled);
        QCOMPARE(config.pinnedCoreKeys, QStringList{CoreA});
        QVERIFY(config.enrollmentTokenHash.isEmpty()); // burned
        // The same token again: refused, and nothing else gets pinned.
        QCOMPARE(gate.attempt(config, token, CoreB, T0), EnrollmentGate::Verdict::NoToken);
        QCOMPARE(config.pinnedCoreKeys, QStringList{CoreA});
    }

    void wrongExpiredAndCertificateLess()
    {
        const QString token = generatePairingToken();
        AgentConfig config = withToken(token);
        EnrollmentGate gate;
        QCOMPARE(gate.attempt(config, generatePairingToken(), CoreA, T0), EnrollmentGate::Verdict::WrongToken);
        QCOMPARE(gate.attempt(config, token, QString(), T0), EnrollmentGate::Verdict::NoClientCertificate);
        QCOMPARE(gate.attempt(config, token, CoreA, T0.addSecs(EnrollmentTokenValiditySeconds + 1)),
                 EnrollmentGate::Verdict::Expired);
        QVERIFY(config.pinnedCoreKeys.isEmpty());
        QVERIFY(!config.enrollmentTokenHash.isEmpty()); // failures do not burn the token
    }

    void failuresAreThrottledForEveryone()
    {
        const QString token = generatePairingToken();
        AgentConfig config = withToken(token);
        EnrollmentGate gate;
        for (int i = 0; i < EnrollmentGate::MaxFailures; ++i)
            QCOMPARE(gate.attempt(config, QStringLiteral("guess%1guessguessguess").arg(i), CoreA, T0.addSecs(i)),
                     EnrollmentGate::Verdict::WrongToken);
        const QDateTime locked = T0.addSecs(EnrollmentGate::MaxFailures);
        QVERIFY(gate.retryAfterSeconds(locked) > 0);
        // Even the right token waits out the lockout.
        QCOMPARE(gate.attempt(config, token, CoreA, locked), EnrollmentGate::Verdict::Throttled);
        QVERIFY(config.pinnedCoreKeys.isEmpty());
        const QDateTime later = locked.addSecs(EnrollmentGate::LockoutSeconds + 1);
        QCOMPARE(gate.retryAfterSeconds(later), 0);
        QCOMPARE(gate.attempt(config, token, CoreA, later), EnrollmentGate::Verdict::Enrolled);
    }

    void slowGuessesAreNotLockedOut()
    {
        AgentConfig config = withToken(generatePairingToken());
        EnrollmentGate gate;
        // One failure every two windows never adds up to a lockout.
        for (int i = 0; i < 3 * EnrollmentGate::MaxFailures; ++i) {
            const QDateTime when = T0.addSecs(qint64(i) * 2 * EnrollmentGate::FailureWindowSeconds);
            QCOMPARE(gate.attempt(config, QStringLiteral("wrongwrongwrongwrong"), CoreA, when), EnrollmentGate::Verdict::WrongToken);
            QCOMPARE(gate.retryAfterSeconds(when), 0);
        }
    }

    void atMostTwoCoreKeysOldestReplaced()
    {
        EnrollmentGate gate;
        AgentConfig config;
        for (const QString &core : {CoreA, CoreB, CoreC}) {
            const QString token = generatePairingToken();
            config.enrollmentTokenHash = pairingTokenHash(token);
            config.enrollmentTokenExpires = T0.addSecs(60);
            QCOMPARE(gate.attempt(config, token, core, T0), EnrollmentGate::Verdict::Enrolled);
        }
        QCOMPARE(config.pinnedCoreKeys, (QStringList{CoreB, CoreC}));
        // Re-enrolling a pinned core keeps the list as it is.
        const QString token = generatePairingToken();
        config.enrollmentTokenHash = pairingTokenHash(token);
        QCOMPARE(gate.attempt(config, token, CoreC, T0), EnrollmentGate::Verdict::Enrolled);
        QCOMPARE(config.pinnedCoreKeys, (QStringList{CoreB, CoreC}));
    }

    void verdictsSayWhatToDo()
    {
        QVERIFY(EnrollmentGate::describe(EnrollmentGate::Verdict::NoToken).contains(QStringLiteral("new-token")));
        QVERIFY(EnrollmentGate::describe(EnrollmentGate::Verdict::Expired).contains(QStringLiteral("new-token")));
        QVERIFY(EnrollmentGate::describe(EnrollmentGate::Verdict::NoClientCertificate).contains(QStringLiteral("certificate")));
    }
};

QTEST_APPLESS_MAIN(TestEnrollmentGate)
#include "tst_enrollmentgate.moc"
