#include <QCryptographicHash>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>

#include "daemon-core/serverchecks/checkarguments.h"
#include "daemon-core/serverchecks/httpcheck.h"
#include "shared/http/httpsserver.h"
#include "shared/tls/identity.h"
#include "tests/serverchecks/checktesting.h"
#include "tests/support/agentprocess.h"

using namespace prophasis;
using namespace prophasis::testing;

// The HTTP(S) check against an HTTPS server on loopback (our own HttpsServer) whose certificate
// the test made to expire in three days.
class TestHttpCheck : public QObject
{
    Q_OBJECT

    QString url(const QString &path, const QString &scheme = QStringLiteral("https")) const
    {
        return QStringLiteral("%1://{address}:%2%3").arg(scheme).arg(m_server->serverPort()).arg(path);
    }

    // The check against the test server, its self-signed certificate pinned unless told otherwise.
    CheckResult run(QJsonObject arguments, std::chrono::milliseconds timeout = 10s)
    {
        if (!arguments.contains(QStringLiteral("tls_verify")) &&
            !arguments.contains(QStringLiteral("tls_pin_sha256")))
            arguments.insert(QStringLiteral("tls_pin_sha256"), m_pin);
        const std::optional<CheckResult> result = runCheck(
            *m_runner, checkRequest(QStringLiteral("http"), arguments, QStringLiteral("127.0.0.1"), timeout));
        if (!result)
            qFatal("the HTTP check did not finish");
        return *result;
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_identity = TlsIdentity::generate(QStringLiteral("localhost"),
                                           {QStringLiteral("localhost"), QStringLiteral("127.0.0.1")}, 3);
        // As browsers and openssl show it: upper case with colons (the check accepts either form).
        m_pin = QString::fromLatin1(
            m_identity.certificate.digest(QCryptographicHash::Sha256).toHex(':').toUpper());
        HttpsServerConfig config;
        config.address = QHostAddress::LocalHost;
        config.identity = m_identity;
        config.requestClientCertificate = false;
        m_server = std::make_unique<HttpsServer>(config);
        m_server->setHandler(
            [this](const HttpRequest &request, const ClientInfo &client, HttpResponder responder) {
                m_clientPorts.append(client.port);
                m_connectionHeaders.append(request.header("Connection"));
                HttpResponse response;
                response.headers.append({QByteArray("Content-Type"), QByteArray("text/plain")});
                if (request.path == QLatin1String("/ok")) {
                    response.body = "all systems go";
                } else if (request.path == QLatin1String("/status/503")) {
                    response.status = 503;
                    response.body = "down for maintenance";
                } else if (request.path == QLatin1String("/redirect")) {
                    response.status = 302;
                    response.headers.append({QByteArray("Location"), QByteArray("/ok")});
                } else if (request.path == QLatin1String("/loop")) {
                    response.status = 302;
                    response.headers.append({QByteArray("Location"), QByteArray("/loop")});
                } else if (request.path == QLatin1String("/big")) {
                    response.body = QByteArray(10 * 1024, 'x') + "MARKER";
                } else if (request.path == QLatin1String("/never")) {
                    m_neverAnswered.append(responder); // kept, never sent
                    return;
                } else {
                    response.status = 404;
                }
                responder.send(response);
            });
        QString error;
        QVERIFY2(m_server->listen(&error), qPrintable(error));
        m_runner = std::make_unique<ServerCheckRunner>();
    }

    void cleanupTestCase()
    {
        m_runner.reset();
        m_server.reset();
    }

    void aPinnedShortLivedCertificate()
    {
        const CheckResult result = run({{"url", url("/ok")}});
        QCOMPARE(result.type, ResultType::Success);
        QCOMPARE(result.status, PluginStatus::Ok);
        QVERIFY(result.value && *result.value > 0);
        QCOMPARE(metricOf(result, "status_code"), std::optional<double>(200));
        QCOMPARE(metricOf(result, "body_bytes"), std::optional<double>(14));
        QCOMPARE(metricOf(result, "time_total_ms"), result.value);
        QVERIFY(metricOf(result, "time_connect_ms"));
        QVERIFY(*metricOf(result, "time_connect_ms") <= *result.value);
        // Valid for three days from (almost) now: two whole days and some hours left.
        const std::optional<double> days = metricOf(result, "cert_days_left");
        QVERIFY(days && (*days == 2 || *days == 3));
        QVERIFY2(result.message.startsWith(QStringLiteral("HTTP 200 OK in ")), qPrintable(result.message));
        QVERIFY2(result.message.contains(QStringLiteral("certificate expires in %1 days").arg(*days)),
                 qPrintable(result.message));
        QVERIFY(result.durationMs >= 0);
    }

    void aSelfSignedCertificateIsRefusedByDefault()
    {
        const CheckResult result = run({{"url", url("/ok")}, {"tls_verify", true}});
        QCOMPARE(result.type, ResultType::TlsError);
        QVERIFY(!result.value);
        QVERIFY2(result.message.contains(QStringLiteral("127.0.0.1 port %1").arg(m_server->serverPort())),
                 qPrintable(result.message));
        QVERIFY2(result.message.contains(QStringLiteral("self-signed")), qPrintable(result.message));
        QVERIFY2(result.message.contains(QStringLiteral("tls_pin_sha256")), qPrintable(result.message));
    }

    void verificationCanBeTurnedOff()
    {
        const CheckResult result = run({{"url", url("/ok")}, {"tls_verify", false}});
        QCOMPARE(result.type, ResultType::Success);
        QCOMPARE(result.status, PluginStatus::Ok);
        QVERIFY(metricOf(result, "cert_days_left"));
    }

    // Qt remembers ignored TLS errors per server: one check's leniency must not carry over.
    void oneChecksLeniencyDoesNotCarryOver()
    {
        QCOMPARE(run({{"url", url("/ok")}, {"tls_verify", false}}).type, ResultType::Success);
        QCOMPARE(run({{"url", url("/ok")}}).type, ResultType::Success); // pinned
        QCOMPARE(run({{"url", url("/ok")}, {"tls_verify", true}}).type, ResultType::TlsError);
        QCOMPARE(run({{"url", url("/ok")}, {"tls_pin_sha256", QString(64, u'c')}}).type,
                 ResultType::TlsError);
        QCOMPARE(run({{"url", url("/ok")}, {"tls_verify", true}}).type, ResultType::TlsError);
    }

    void anotherPinIsRefused()
    {
        const CheckResult result = run({{"url", url("/ok")}, {"tls_pin_sha256", QString(64, u'a')}});
        QCOMPARE(result.type, ResultType::TlsError);
        QVERIFY2(result.message.contains(QStringLiteral("is not the one pinned")),
                 qPrintable(result.message));
        // Refused before the request was sent.
        const qsizetype before = m_clientPorts.size();
        run({{"url", url("/ok")}, {"tls_pin_sha256", QString(64, u'b')}});
        QCOMPARE(m_clientPorts.size(), before);
    }

    void theKeysPinWorksToo()
    {
        QVERIFY(HttpCheck::pinMatches(spkiSha256(m_identity.certificate), m_identity.certificate));
        const CheckResult result =
            run({{"url", url("/ok")}, {"tls_pin_sha256", spkiSha256(m_identity.certificate)}});
        QCOMPARE(result.type, ResultType::Success);
    }

    void anUnexpectedStatusIsCritical()
    {
        CheckResult result = run({{"url", url("/status/503")}});
        QCOMPARE(result.type, ResultType::Success);
        QCOMPARE(result.status, PluginStatus::Critical);
        QVERIFY(result.value);
        QCOMPARE(metricOf(result, "status_code"), std::optional<double>(503));
        QVERIFY2(result.message.startsWith(QStringLiteral("HTTP 503 Service Unavailable in ")),
                 qPrintable(result.message));
        QVERIFY2(result.message.contains(QStringLiteral("(expected 200-399)")), qPrintable(result.message));

        result = run({{"url", url("/status/503")}, {"expected_status", "200, 500-503"}});
        QCOMPARE(result.status, PluginStatus::Ok);
        result = run({{"url", url("/nothing-here")}, {"expected_status", "200,204"}});
        QCOMPARE(result.status, PluginStatus::Critical);
        QVERIFY2(result.message.contains(QStringLiteral("HTTP 404 Not Found")), qPrintable(result.message));
    }

    void theBodyPattern()
    {
        CheckResult result = run({{"url", url("/ok")}, {"body_pattern", "systems\\s+go$"}});
        QCOMPARE(result.status, PluginStatus::Ok);
        result = run({{"url", url("/ok")}, {"body_pattern", "^ok"}});
        QCOMPARE(result.type, ResultType::Success);
        QCOMPARE(result.status, PluginStatus::Critical);
        QVERIFY2(result.message.contains(QStringLiteral("but the body does not match /^ok/")),
                 qPrintable(result.message));
    }

    void theBodyIsReadUpToItsCap()
    {
        CheckResult result = run({{"url", url("/big")}, {"body_pattern", "MARKER"}});
        QCOMPARE(result.status, PluginStatus::Ok);
        result = run({{"url", url("/big")}, {"body_pattern", "MARKER"}, {"max_body_kb", 1}});
        QCOMPARE(result.status, PluginStatus::Critical);
        QVERIFY2(result.message.contains(QStringLiteral("in its first 1 KiB")), qPrintable(result.message));
        QVERIFY(*metricOf(result, "body_bytes") > 1024);
    }

    void redirects()
    {
        // Not followed: the redirect is the answer, and 302 is expected by default.
        CheckResult result = run({{"url", url("/redirect")}});
        QCOMPARE(result.status, PluginStatus::Ok);
        QCOMPARE(metricOf(result, "status_code"), std::optional<double>(302));
        result = run({{"url", url("/redirect")}, {"expected_status", "200"}});
        QCOMPARE(result.status, PluginStatus::Critical);

        result = run({{"url", url("/redirect")}, {"follow_redirects", true}, {"body_pattern", "go"}});
        QCOMPARE(result.status, PluginStatus::Ok);
        QCOMPARE(metricOf(result, "status_code"), std::optional<double>(200));
        QCOMPARE(metricOf(result, "redirects"), std::optional<double>(1));
        QVERIFY2(result.message.contains(QStringLiteral("after 1 redirect, at https://127.0.0.1:")),
                 qPrintable(result.message));

        result = run({{"url", url("/loop")}, {"follow_redirects", true}});
        QCOMPARE(result.type, ResultType::Success);
        QCOMPARE(result.status, PluginStatus::Critical);
        QVERIFY2(result.message.contains(QStringLiteral("redirect")), qPrintable(result.message));
    }

    void aHeadRequest()
    {
        const CheckResult result = run({{"url", url("/ok")}, {"method", "head"}});
        QCOMPARE(result.status, PluginStatus::Ok);
        QCOMPARE(metricOf(result, "body_bytes"), std::optional<double>(0));
    }

    void eachCheckMakesAFreshConnection()
    {
        const qsizetype before = m_clientPorts.size();
        run({{"url", url("/ok")}});
        run({{"url", url("/ok")}});
        QCOMPARE(m_clientPorts.size(), before + 2);
        QVERIFY(m_clientPorts[before] != m_clientPorts[before + 1]);
        QCOMPARE(m_connectionHeaders.last(), QByteArray("close"));
    }

    void aClosedPortIsAConnectionError()
    {
        const quint16 port = test::freeLoopbackPort();
        const CheckResult result = run({{"url", QStringLiteral("https://{address}:%1/").arg(port)}});
        QCOMPARE(result.type, ResultType::ConnectionError);
        QVERIFY(!result.value);
        QCOMPARE(result.message,
                 QStringLiteral("connection to 127.0.0.1 port %1 refused: nothing listens there").arg(port));
    }

    void aListenerThatNeverAnswersTimesOut()
    {
        QTcpServer silent;
        QVERIFY(silent.listen(QHostAddress::LocalHost));
        QList<QTcpSocket *> accepted; // kept open, never read, never written
        connect(&silent, &QTcpServer::newConnection, this,
                [&] { accepted.append(silent.nextPendingConnection()); });
        const QString base = QStringLiteral("{address}:%1/").arg(silent.serverPort());

        // HTTPS: the handshake never completes.
        CheckResult result = run({{"url", QStringLiteral("https://") + base}}, 500ms);
        QCOMPARE(result.type, ResultType::Timeout);
        QVERIFY(!result.value);
        QVERIFY2(
            result.message.startsWith(
                QStringLiteral("no connection to 127.0.0.1 port %1 within 500 ms").arg(silent.serverPort())),
            qPrintable(result.message));
        // HTTP: connected and sent, no answer.
        result = run({{"url", QStringLiteral("http://") + base + QStringLiteral("health")}}, 2s);
        QCOMPARE(result.type, ResultType::Timeout);
        QVERIFY2(result.message.contains(QStringLiteral("but no answer to GET /health within 2 s")),
                 qPrintable(result.message));
        QVERIFY(!accepted.isEmpty());
    }

    void aServerThatNeverFinishesTimesOut()
    {
        const CheckResult result = run({{"url", url("/never")}}, 3s);
        QCOMPARE(result.type, ResultType::Timeout);
        QVERIFY2(result.message.contains(QStringLiteral("but no answer to GET /never")),
                 qPrintable(result.message));
    }

    void argumentsThatCannotBeUsed_data()
    {
        QTest::addColumn<QJsonObject>("arguments");
        QTest::addColumn<QString>("message");
        QTest::newRow("scheme") << QJsonObject{{"url", "ftp://{address}/"}}
                                << "is not an http:// or https:// address";
        QTest::newRow("method") << QJsonObject{{"method", "GE T"}} << "is not an HTTP method";
        QTest::newRow("status") << QJsonObject{{"expected_status", "2xx"}} << "'2xx' is not a status";
        QTest::newRow("range") << QJsonObject{{"expected_status", "399-200"}} << "is not a status";
        QTest::newRow("pattern") << QJsonObject{{"body_pattern", "(unclosed"}}
                                 << "is not a regular expression";
        QTest::newRow("head") << QJsonObject{{"method", "HEAD"}, {"body_pattern", "x"}}
                              << "a HEAD answer has no body";
        QTest::newRow("pin") << QJsonObject{{"tls_pin_sha256", "abc"}} << "64 hex digits";
        QTest::newRow("cap") << QJsonObject{{"max_body_kb", 0}} << "max_body_kb must be between";
    }

    void argumentsThatCannotBeUsed()
    {
        QFETCH(QJsonObject, arguments);
        QFETCH(QString, message);
        const CheckResult result = run(arguments);
        QCOMPARE(result.type, ResultType::RequestError);
        QVERIFY2(result.message.contains(message), qPrintable(result.message));
    }

    void placeholdersAndIpv6Brackets()
    {
        using serverchecks::fillPlaceholders;
        using serverchecks::PlaceholderUse;
        const ServerCheckTarget v6{QStringLiteral("router"), QStringLiteral("::1")};
        QCOMPARE(fillPlaceholders(QStringLiteral("https://{address}/"), v6, PlaceholderUse::Url),
                 QStringLiteral("https://[::1]/"));
        QCOMPARE(fillPlaceholders(QStringLiteral("{address}"), v6, PlaceholderUse::Plain),
                 QStringLiteral("::1"));
        QCOMPARE(fillPlaceholders(QStringLiteral("https://{host}.example/{address}"),
                                  {QStringLiteral("www"), QStringLiteral("192.0.2.7")}, PlaceholderUse::Url),
                 QStringLiteral("https://www.example/192.0.2.7"));

        // End to end over ::1 where the machine has it.
        HttpsServerConfig config;
        config.address = QHostAddress::LocalHostIPv6;
        config.identity = m_identity;
        config.requestClientCertificate = false;
        HttpsServer server(config);
        server.setHandler([](const HttpRequest &, const ClientInfo &, HttpResponder responder) {
            responder.send(HttpResponse{});
        });
        QString error;
        if (!server.listen(&error))
            QSKIP("no IPv6 loopback here");
        const std::optional<CheckResult> result =
            runCheck(*m_runner,
                     checkRequest(QStringLiteral("http"),
                                  {{"url", QStringLiteral("https://{address}:%1/").arg(server.serverPort())},
                                   {"tls_pin_sha256", m_pin}},
                                  QStringLiteral("::1")));
        QVERIFY(result);
        QCOMPARE(result->type, ResultType::Success);
        QCOMPARE(result->status, PluginStatus::Ok);
    }

private:
    TlsIdentity m_identity;
    QString m_pin;
    std::unique_ptr<HttpsServer> m_server;
    std::unique_ptr<ServerCheckRunner> m_runner;
    QList<quint16> m_clientPorts;
    QList<QByteArray> m_connectionHeaders;
    QList<HttpResponder> m_neverAnswered;
};

QTEST_GUILESS_MAIN(TestHttpCheck)
#include "tst_httpcheck.moc"
