#include <QSet>
#include <QTest>

#include "daemon-core/auth/passwordhasher.h"

using namespace prophasis;

class TestPasswordHasher : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void verifiesTheRightPasswordOnly()
    {
        // Small parameters keep the test fast; the format and checks are the same.
        const PasswordHasher::Parameters fast{10, 8, 1};
        const QString encoded = PasswordHasher::hash(QStringLiteral("correct horse ✓"), fast);
        QVERIFY(encoded.startsWith(QStringLiteral("$scrypt$ln=10,r=8,p=1$")));
        QVERIFY(PasswordHasher::verify(QStringLiteral("correct horse ✓"), encoded));
        QVERIFY(!PasswordHasher::verify(QStringLiteral("correct horse"), encoded));
        QVERIFY(!PasswordHasher::verify(QString(), encoded));
    }

    void saltsDiffer()
    {
        const PasswordHasher::Parameters fast{10, 8, 1};
        QVERIFY(PasswordHasher::hash(QStringLiteral("same"), fast) != PasswordHasher::hash(QStringLiteral("same"), fast));
    }

    void defaultsAreSlow()
    {
        const QString encoded = PasswordHasher::hash(QStringLiteral("secret"));
        QVERIFY(encoded.startsWith(QStringLiteral("$scrypt$ln=15,")));
        QVERIFY(PasswordHasher::verify(QStringLiteral("secret"), encoded));
        QVERIFY(!PasswordHasher::needsRehash(encoded));
        QVERIFY(PasswordHasher::needsRehash(PasswordHasher::hash(QStringLiteral("secret"), {10, 8, 1})));
    }

    void malformedHashesNeverVerify_data()
    {
        QTest::addColumn<QString>("encoded");
        QTest::newRow("empty") << QString();
        QTest::newRow("plain text") << QStringLiteral("secret");
        QTest::newRow("other scheme") << QStringLiteral("$2b$12$abcdefghijklmnopqrstuv");
        QTest::newRow("short hash") << QStringLiteral("$scrypt$ln=10,r=8,p=1$c2FsdHNhbHRzYWx0$aGFzaA==");
        QTest::newRow("huge N") << QStringLiteral("$scrypt$ln=40,r=8,p=1$c2FsdHNhbHRzYWx0$") + QString(44, u'A');
        QTest::newRow("zero r") << QStringLiteral("$scrypt$ln=10,r=0,p=1$c2FsdHNhbHRzYWx0$") + QString(44, u'A');
    }

    void malformedHashesNeverVerify()
    {
        QFETCH(QString, encoded);
        QVERIFY(!PasswordHasher::verify(QStringLiteral("secret"), encoded));
        QVERIFY(PasswordHasher::needsRehash(encoded));
    }

    void generatedPasswordsAreLongAndDistinct()
    {
        QSet<QString> seen;
        for (int i = 0; i < 50; ++i) {
            const QString password = PasswordHasher::generatePassword();
            QCOMPARE(password.size(), 20);
            QVERIFY(!password.contains(u'0') && !password.contains(u'O') && !password.contains(u'l'));
            seen.insert(password);
        }
        QCOMPARE(seen.size(), 50);
    }
};

QTEST_APPLESS_MAIN(TestPasswordHasher)
#include "tst_passwordhasher.moc"
