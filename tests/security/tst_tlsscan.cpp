#include <QtTest>

#include "tests/security/sslscanreport.h"
#include "tests/support/agentprocess.h"
#include "tests/support/coreprocess.h"

using namespace prophasis;
using namespace prophasis::test;

namespace {

// sslscan's report of a server with everything on: its report of `openssl s_server -cipher
// 'ALL:@SECLEVEL=0'`, shortened, with SSLv3 and the RC4, 3DES and NULL lines that OpenSSL 3 can no
// longer offer added by hand. The rule must find each kind of weakness in it. In a file of its own
// (weakserver-sslscan.xml): moc cannot read a raw string literal.
QByteArray weakServerReport()
{
    QFile file(QStringLiteral(PROPHASIS_WEAK_SERVER_REPORT));
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

} // namespace

// The TLS ports a real core and a real agent open on loopback, scanned with sslscan: TLS 1.2 and
// 1.3 only, no cipher below 128 bits, none without encryption, server authentication or with a
// broken algorithm (NULL, EXPORT, RC4, DES, 3DES, MD5, anonymous). The Debian sslscan is built on
// OpenSSL 3 without SSLv2 / SSLv3, so those two are refused by the scanner itself; TLS 1.0 and 1.1
// it does try (its report of a permissive server above shows them).
class TestTlsScan : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void theRuleFindsEveryWeakness()
    {
        QString error;
        const SslscanReport report = SslscanReport::parse(weakServerReport(), &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        const QString found = report.weaknesses.join(u'\n');
        for (const char *expected :
             {"SSLv3 is accepted", "TLSv1.0 is accepted", "TLSv1.1 is accepted", "ADH-AES128-GCM-SHA256",
              "AECDH-AES256-SHA", "DES-CBC3-SHA (112 bits)", "RC4-SHA", "NULL-SHA256"})
            QVERIFY2(found.contains(QLatin1String(expected)), qPrintable(expected + (u'\n' + found)));
        QVERIFY2(!found.contains(QStringLiteral("TLS_AES_256_GCM_SHA384")), qPrintable(found));
        QVERIFY2(!found.contains(QStringLiteral("ECDHE-RSA-AES128-GCM-SHA256")), qPrintable(found));
        QCOMPARE(report.weaknesses.size(), 8);
    }

    void aReportWithoutTlsIsAnError()
    {
        QString error;
        SslscanReport::parse("<document><ssltest host=\"127.0.0.1\" port=\"1\"></ssltest></document>",
                             &error);
        QVERIFY(error.contains(QStringLiteral("no protocol")));
        error.clear();
        SslscanReport::parse("not xml <", &error);
        QVERIFY(!error.isEmpty());
    }

    void theCorePortIsStrong()
    {
        CoreProcess core;
        QVERIFY2(core.init(), qPrintable(core.log()));
        QVERIFY2(core.start(), qPrintable(core.log()));
        expectStrong(QStringLiteral("the core"), core.port());
    }

    void theAgentPortIsStrong()
    {
        AgentProcess agent{QStringLiteral(PROPHASIS_AGENT_BINARY)};
        const quint16 port = freeLoopbackPort();
        QVERIFY2(agent.init(port), qPrintable(agent.log()));
        QVERIFY2(agent.start(), qPrintable(agent.log()));
        expectStrong(QStringLiteral("the agent"), port);
    }

private:
    static void expectStrong(const QString &what, quint16 port)
    {
        QString error;
        const SslscanReport report = scanTlsPort(QStringLiteral("127.0.0.1"), port, &error);
        QVERIFY2(error.isEmpty(), qPrintable(what + QStringLiteral(": ") + error));
        qInfo().noquote() << what << "accepts" << report.enabledProtocols.join(u',') << "with"
                          << report.acceptedCiphers.size() << "ciphers";
        QVERIFY2(report.weaknesses.isEmpty(), qPrintable(what + QStringLiteral(" accepts:\n  ") +
                                                         report.weaknesses.join(QStringLiteral("\n  "))));
    }
};

QTEST_GUILESS_MAIN(TestTlsScan)
#include "tst_tlsscan.moc"
