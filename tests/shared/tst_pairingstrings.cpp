#include <QSet>
#include <QTest>

#include "shared/enrollment/pairingstrings.h"

using namespace prophasis;

class TestPairingStrings : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void enrollmentRoundTrip_data()
    {
        QTest::addColumn<QString>("host");
        QTest::newRow("name") << "web1.example.org";
        QTest::newRow("IPv4") << "192.0.2.7";
        QTest::newRow("IPv6") << "2001:db8::7";
        QTest::newRow("IPv6 loopback") << "::1";
    }

    void enrollmentRoundTrip()
    {
        QFETCH(QString, host);
        const EnrollmentString original{host, 4048, QString(64, u'a'), generatePairingToken()};
        const QString encoded = original.encode();
        QVERIFY(encoded.startsWith(QStringLiteral("prophasis-enroll-v1:")));
        // One line, no padding, nothing a shell or a chat program would mangle.
        QVERIFY(!encoded.contains(u'\n') && !encoded.contains(u'=') && !encoded.contains(u'+') && !encoded.contains(u'/'));
        QString error;
        const std::optional<EnrollmentString> decoded = EnrollmentString::decode(encoded, &error);
        QVERIFY2(decoded, qPrintable(error));
        QCOMPARE(*decoded, original);
        // Surrounding white space from a copy and paste is forgiven.
        QVERIFY(EnrollmentString::decode(QStringLiteral("  ") + encoded + QStringLiteral("\n"), &error));
    }

    void joinRoundTrip()
    {
        const JoinString original{QUrl(QStringLiteral("https://[2001:db8::1]:4049")), QString(64, u'b'), generatePairingToken()};
        QString error;
        const std::optional<JoinString> decoded = JoinString::decode(original.encode(), &error);
        QVERIFY2(decoded, qPrintable(error));
        QCOMPARE(*decoded, original);
        QCOMPARE(decoded->core.host(), QStringLiteral("2001:db8::1"));
        QCOMPARE(decoded->core.port(), 4049);
    }

    void damagedStringsAreRefused_data()
    {
        const QString token = generatePairingToken();
        const QString good = EnrollmentString{QStringLiteral("web1"), 4048, QString(64, u'a'), token}.encode();
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("expected");
        QTest::newRow("empty") << QString() << "must start with prophasis-enroll-v1:";
        QTest::newRow("join string") << JoinString{QUrl(QStringLiteral("https://core")), QString(64, u'a'), token}.encode()
                                     << "must start with";
        QTest::newRow("cut short") << good.left(good.size() - 10) << "damaged";
        QTest::newRow("not base64") << QStringLiteral("prophasis-enroll-v1:!!!") << "damaged";
        QTest::newRow("far too long") << QStringLiteral("prophasis-enroll-v1:") + QString(5000, u'A') << "too long";
        QTest::newRow("bad pin") << EnrollmentString{QStringLiteral("web1"), 4048, QStringLiteral("xyz"), token}.encode()
                                 << "fingerprint";
        QTest::newRow("bad token") << EnrollmentString{QStringLiteral("web1"), 4048, QString(64, u'a'), QStringLiteral("a b")}.encode()
                                   << "token";
        QTest::newRow("bad host") << EnrollmentString{QStringLiteral("web 1"), 4048, QString(64, u'a'), token}.encode()
                                  << "not a host name";
        QTest::newRow("port zero") << EnrollmentString{QStringLiteral("web1"), 0, QString(64, u'a'), token}.encode() << "port";
    }

    void damagedStringsAreRefused()
    {
        QFETCH(QString, text);
        QFETCH(QString, expected);
        QString error;
        QVERIFY(!EnrollmentString::decode(text, &error));
        QVERIFY2(error.contains(expected), qPrintable(error));
    }

    void joinStringNeedsHttps()
    {
        QString error;
        const JoinString plain{QUrl(QStringLiteral("http://core:4049")), QString(64, u'c'), generatePairingToken()};
        QVERIFY(!JoinString::decode(plain.encode(), &error));
        QVERIFY2(error.contains(QStringLiteral("https://")), qPrintable(error));
    }

    void tokens()
    {
        QSet<QString> seen;
        for (int i = 0; i < 100; ++i) {
            const QString token = generatePairingToken();
            QCOMPARE(token.size(), 43);
            seen.insert(token);
        }
        QCOMPARE(seen.size(), 100);
        const QString token = generatePairingToken();
        const QString hash = pairingTokenHash(token);
        QCOMPARE(hash.size(), 64);
        QVERIFY(!hash.contains(token));
        QVERIFY(pairingTokenMatches(token, hash));
        QVERIFY(!pairingTokenMatches(token + u'x', hash));
        QVERIFY(!pairingTokenMatches(QString(), hash));
        QVERIFY(!pairingTokenMatches(token, QString()));
    }
};

QTEST_APPLESS_MAIN(TestPairingStrings)
#include "tst_pairingstrings.moc"
