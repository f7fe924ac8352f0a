#include <QTest>

#include "shared/domain/pluginversion.h"

using namespace prophasis;

class TestPluginVersion : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void compare_data()
    {
        QTest::addColumn<QString>("a");
        QTest::addColumn<QString>("b");
        QTest::addColumn<int>("expected");
        QTest::newRow("1.10 > 1.9") << "1.10" << "1.9" << 1;
        QTest::newRow("1.9 < 1.10") << "1.9" << "1.10" << -1;
        QTest::newRow("equal") << "2.0.1" << "2.0.1" << 0;
        QTest::newRow("missing parts are zero") << "1.0" << "1.0.0" << 0;
        QTest::newRow("extra part newer") << "1.0.1" << "1.0" << 1;
        QTest::newRow("leading zeros") << "1.010" << "1.10" << 0;
        QTest::newRow("major wins") << "2" << "1.99.99" << 1;
        QTest::newRow("pre-release older than release") << "1.0-rc.1" << "1.0" << -1;
        QTest::newRow("release newer than pre-release") << "1.0" << "1.0-beta" << 1;
        QTest::newRow("rc.10 > rc.9") << "1.0-rc.10" << "1.0-rc.9" << 1;
        QTest::newRow("alpha < beta") << "1.0-alpha" << "1.0-beta" << -1;
        QTest::newRow("numeric < text") << "1.0-1" << "1.0-alpha" << -1;
        QTest::newRow("shorter pre-release older") << "1.0-alpha" << "1.0-alpha.1" << -1;
        QTest::newRow("build metadata ignored") << "1.0+build5" << "1.0+build9" << 0;
        QTest::newRow("huge numbers") << "1.123456789" << "1.123456788" << 1;
    }

    void compare()
    {
        QFETCH(QString, a);
        QFETCH(QString, b);
        QFETCH(int, expected);
        QVERIFY(isValidPluginVersion(a));
        QVERIFY(isValidPluginVersion(b));
        QCOMPARE(compareVersions(a, b), expected);
        QCOMPARE(compareVersions(b, a), -expected);
    }

    void validity_data()
    {
        QTest::addColumn<QString>("version");
        QTest::addColumn<bool>("valid");
        QTest::newRow("simple") << "1" << true;
        QTest::newRow("dotted") << "1.2.3" << true;
        QTest::newRow("pre-release") << "1.2.3-rc.1" << true;
        QTest::newRow("build") << "1.2.3+20260101" << true;
        QTest::newRow("empty") << "" << false;
        QTest::newRow("letters") << "one" << false;
        QTest::newRow("leading dot") << ".1" << false;
        QTest::newRow("trailing dot") << "1." << false;
        QTest::newRow("double dot") << "1..2" << false;
        QTest::newRow("v prefix") << "v1.0" << false;
        QTest::newRow("empty pre-release") << "1.0-" << false;
        QTest::newRow("spaces") << "1.0 beta" << false;
        QTest::newRow("trailing newline") << "1.0\n" << false;
        QTest::newRow("too long") << QString(QStringLiteral("1.")).repeated(40) + QStringLiteral("1") << false;
    }

    void validity()
    {
        QFETCH(QString, version);
        QFETCH(bool, valid);
        QCOMPARE(isValidPluginVersion(version), valid);
    }
};

QTEST_APPLESS_MAIN(TestPluginVersion)
#include "tst_pluginversion.moc"
