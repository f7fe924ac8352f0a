#include <QJsonArray>
#include <QTcpServer>
#include <QTest>
#include <QUdpSocket>

#include <csignal>

#include "daemon-core/alerting/commandmodule.h"
#include "daemon-core/alerting/emailmodule.h"
#include "daemon-core/alerting/syslogmodule.h"
#include "daemon-core/alerting/webhookmodule.h"
#include "tests/alerting/alertingfixtures.h"
#include "tests/support/processgone.h"

using namespace prophasis;
using namespace prophasis::test;

namespace {

const QString HostName = QStringLiteral("Küchen-Server 東京");

// web1 with a non-ASCII name went critical because its HTTP check timed out.
AlertNotification notification()
{
    AlertNotification n;
    n.alertId = QUuid::createUuid();
    n.alertName = QStringLiteral("On call");
    n.subject = AlertNotification::Subject::Host;
    n.subjectId = QUuid::createUuid();
    n.subjectName = HostName;
    n.hostAddress = QStringLiteral("192.0.2.10");
    n.from = State::Ok;
    n.to = State::Critical;
    n.time = QDateTime::currentDateTimeUtc();
    AlertCause cause;
    cause.hostId = n.subjectId;
    cause.hostName = HostName;
    cause.checkName = QStringLiteral("Web checks");
    cause.pluginName = QStringLiteral("HTTP");
    cause.hasResult = true;
    cause.classification = State::Critical;
    cause.resultType = ResultType::Timeout;
    cause.message = QStringLiteral("no answer within 10 s");
    n.causes = {cause};
    return n;
}

Alert alertWith(const QString &module, const QJsonObject &options, const QMap<QString, QString> &secrets = {})
{
    Alert alert;
    alert.id = QUuid::createUuid();
    alert.name = QStringLiteral("On call");
    alert.module = module;
    alert.options = options;
    alert.secrets = secrets;
    return alert;
}

DeliveryResult deliver(const AlertModule &module, const Alert &alert)
{
    const FieldErrors errors = module.validate(alert);
    if (!errors.isEmpty())
        qFatal("the test's alert does not validate: %s", qPrintable(errors.summary()));
    return offThread([&] { return module.deliver(alert, notification(), {}); });
}

} // namespace

class TestAlertModules : public QObject
{
    Q_OBJECT

private:
    QString m_python;
    std::unique_ptr<TestCertificate> m_certificate;

    QJsonObject emailOptions(quint16 port, const QString &tls, bool withCa = true) const
    {
        QJsonObject options{
            {QStringLiteral("server"), QStringLiteral("127.0.0.1")},
            {QStringLiteral("port"), port},
            {QStringLiteral("tls"), tls},
            {QStringLiteral("from"), QStringLiteral("monitor@example.com")},
            {QStringLiteral("to"),
             QJsonArray{QStringLiteral("ops@example.com"), QStringLiteral("boss@example.com")}},
            {QStringLiteral("timeout_s"), 20},
        };
        if (withCa)
            options.insert(QStringLiteral("ca_file"), m_certificate->certificateFile());
        return options;
    }

    void startSmtp(SmtpTestServer &server, const SmtpTestServer::Options &options)
    {
        if (m_python.isEmpty())
            QSKIP("python3-aiosmtpd is not installed (scripts/deps.sh --test installs it)");
        QString error;
        QVERIFY2(server.start(m_python, options, *m_certificate, &error), qPrintable(error));
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_python = pythonWithAiosmtpd();
        m_certificate = std::make_unique<TestCertificate>();
    }

    // ---- email ---------------------------------------------------------------------------------

    void emailThroughStartTlsWithLogin()
    {
        SmtpTestServer server;
        startSmtp(server,
                  {QStringLiteral("starttls"), QStringLiteral("alice"), QStringLiteral("wonder land")});
        QJsonObject options = emailOptions(server.port(), QStringLiteral("starttls"));
        options.insert(QStringLiteral("username"), QStringLiteral("alice"));
        const DeliveryResult result =
            deliver(EmailModule(), alertWith(QStringLiteral("email"), options,
                                             {{QStringLiteral("password"), QStringLiteral("wonder land")}}));
        QVERIFY2(result.ok, qPrintable(result.error + u' ' + server.serverOutput()));
        QTRY_COMPARE_WITH_TIMEOUT(server.messageCount(), 1, WaitMs);
        const QJsonObject message = server.message(1);
        QCOMPARE(message.value(QStringLiteral("tls")).toBool(), true);
        QCOMPARE(message.value(QStringLiteral("login")).toString(), QStringLiteral("alice"));
        QCOMPARE(message.value(QStringLiteral("mail_from")).toString(),
                 QStringLiteral("monitor@example.com"));
        QCOMPARE(message.value(QStringLiteral("rcpt_tos")).toArray(),
                 (QJsonArray{QStringLiteral("ops@example.com"), QStringLiteral("boss@example.com")}));
        // Python's email package decodes what we encoded: the subject comes back as written.
        QCOMPARE(message.value(QStringLiteral("subject")).toString(),
                 QStringLiteral("[Prophasis] Küchen-Server 東京 is CRITICAL (was OK)"));
        const QString rawSubject = message.value(QStringLiteral("raw_subject")).toString();
        QVERIFY2(rawSubject.startsWith(QStringLiteral("=?UTF-8?B?")), qPrintable(rawSubject));
        const QString body = message.value(QStringLiteral("body")).toString();
        QVERIFY2(body.contains(QStringLiteral("Host:     Küchen-Server 東京 (192.0.2.10)")),
                 qPrintable(body));
        QVERIFY2(body.contains(QStringLiteral("no answer within 10 s")), qPrintable(body));
        const QJsonObject headers = message.value(QStringLiteral("headers")).toObject();
        QVERIFY(headers.contains(QStringLiteral("Message-ID")));
        QVERIFY(headers.contains(QStringLiteral("Date")));
        QCOMPARE(headers.value(QStringLiteral("Auto-Submitted")).toString(),
                 QStringLiteral("auto-generated"));
    }

    void emailThroughImplicitTls()
    {
        SmtpTestServer server;
        startSmtp(server, {QStringLiteral("implicit"), QStringLiteral("alice"), QStringLiteral("pw")});
        QJsonObject options = emailOptions(server.port(), QStringLiteral("tls"));
        options.insert(QStringLiteral("username"), QStringLiteral("alice"));
        const DeliveryResult result =
            deliver(EmailModule(), alertWith(QStringLiteral("email"), options,
                                             {{QStringLiteral("password"), QStringLiteral("pw")}}));
        QVERIFY2(result.ok, qPrintable(result.error));
        QTRY_COMPARE_WITH_TIMEOUT(server.messageCount(), 1, WaitMs);
        QCOMPARE(server.message(1).value(QStringLiteral("tls")).toBool(), true);
    }

    void emailRefusesAServerWithoutStartTls()
    {
        SmtpTestServer server; // plain SMTP, STARTTLS not offered
        startSmtp(server, {});
        const DeliveryResult result =
            deliver(EmailModule(), alertWith(QStringLiteral("email"),
                                             emailOptions(server.port(), QStringLiteral("starttls"))));
        QVERIFY(!result.ok);
        QVERIFY2(result.error.contains(QStringLiteral("does not offer STARTTLS")), qPrintable(result.error));
        QVERIFY2(result.error.contains(QStringLiteral("nothing was sent")), qPrintable(result.error));
        QCOMPARE(server.messageCount(), 0);
    }

    void emailWithAWrongPasswordSaysSo()
    {
        SmtpTestServer server;
        startSmtp(server, {QStringLiteral("starttls"), QStringLiteral("alice"), QStringLiteral("right")});
        QJsonObject options = emailOptions(server.port(), QStringLiteral("starttls"));
        options.insert(QStringLiteral("username"), QStringLiteral("alice"));
        const DeliveryResult result =
            deliver(EmailModule(), alertWith(QStringLiteral("email"), options,
                                             {{QStringLiteral("password"), QStringLiteral("wrong")}}));
        QVERIFY(!result.ok);
        QVERIFY2(result.error.contains(QStringLiteral("refused the login of user \"alice\"")),
                 qPrintable(result.error));
        QVERIFY2(result.error.contains(QStringLiteral("535")),
                 qPrintable(result.error)); // the server's own reply
        QVERIFY2(!result.error.contains(QStringLiteral("wrong")), qPrintable(result.error));
        QCOMPARE(server.messageCount(), 0);
    }

    void emailVerifiesTheServersCertificate()
    {
        SmtpTestServer server;
        startSmtp(server, {QStringLiteral("starttls"), {}, {}});
        const DeliveryResult result =
            deliver(EmailModule(), alertWith(QStringLiteral("email"),
                                             emailOptions(server.port(), QStringLiteral("starttls"), false)));
        QVERIFY(!result.ok);
        QVERIFY2(result.error.contains(QStringLiteral("not trusted")) &&
                     result.error.contains(QStringLiteral("ca_file")),
                 qPrintable(result.error));
        QCOMPARE(server.messageCount(), 0);
    }

    void emailWithoutTlsOnlyWhenConfigured()
    {
        SmtpTestServer server;
        startSmtp(server, {});
        const DeliveryResult result =
            deliver(EmailModule(),
                    alertWith(QStringLiteral("email"), emailOptions(server.port(), QStringLiteral("none"))));
        QVERIFY2(result.ok, qPrintable(result.error));
        QTRY_COMPARE_WITH_TIMEOUT(server.messageCount(), 1, WaitMs);
        QCOMPARE(server.message(1).value(QStringLiteral("tls")).toBool(), false);
    }

    void emailToAClosedPort()
    {
        QTcpServer reserve; // a port nobody listens on once closed
        QVERIFY(reserve.listen(QHostAddress::LocalHost));
        const quint16 port = reserve.serverPort();
        reserve.close();
        const DeliveryResult result =
            deliver(EmailModule(),
                    alertWith(QStringLiteral("email"), emailOptions(port, QStringLiteral("starttls"))));
        QVERIFY(!result.ok);
        QVERIFY2(
            result.error.startsWith(QStringLiteral("cannot reach the SMTP server 127.0.0.1:%1").arg(port)),
            qPrintable(result.error));
    }

    // ---- webhook -------------------------------------------------------------------------------

    void webhookTemplates_data()
    {
        QTest::addColumn<QString>("style");
        QTest::newRow("generic") << QStringLiteral("generic");
        QTest::newRow("slack") << QStringLiteral("slack");
        QTest::newRow("teams") << QStringLiteral("teams");
    }

    void webhookTemplates()
    {
        QFETCH(QString, style);
        WebhookListener listener(*m_certificate);
        const Alert alert = alertWith(QStringLiteral("webhook"),
                                      {{QStringLiteral("template"), style},
                                       {QStringLiteral("ca_file"), m_certificate->certificateFile()}},
                                      {{QStringLiteral("url"), listener.url()},
                                       {QStringLiteral("authorization"), QStringLiteral("Bearer abc")}});
        const DeliveryResult result = deliver(WebhookModule(), alert);
        QVERIFY2(result.ok, qPrintable(result.error));
        QCOMPARE(listener.requests().size(), 1);
        const HttpRequest &request = listener.requests().first();
        QCOMPARE(request.method, QByteArray("POST"));
        QCOMPARE(request.path, QStringLiteral("/hooks/T0001/B0002/s3cretToken"));
        QCOMPARE(request.header("Content-Type"), QByteArray("application/json; charset=utf-8"));
        QCOMPARE(request.header("Authorization"), QByteArray("Bearer abc"));
        const QJsonObject json = listener.json(0);
        if (style == u"generic") {
            QCOMPARE(json[QStringLiteral("subject")][QStringLiteral("name")].toString(), HostName);
            QCOMPARE(json.value(QStringLiteral("to")).toString(), QStringLiteral("critical"));
            QCOMPARE(
                json.value(QStringLiteral("causes")).toArray().first()[QStringLiteral("plugin")].toString(),
                QStringLiteral("HTTP"));
        } else if (style == u"slack") {
            QCOMPARE(json.value(QStringLiteral("text")).toString(),
                     HostName + QStringLiteral(" is CRITICAL (was OK)"));
            QCOMPARE(json.value(QStringLiteral("attachments"))
                         .toArray()
                         .first()[QStringLiteral("color")]
                         .toString(),
                     alertStateColour(State::Critical));
        } else {
            QCOMPARE(json.value(QStringLiteral("type")).toString(), QStringLiteral("message"));
            const QJsonObject card = json.value(QStringLiteral("attachments"))
                                         .toArray()
                                         .first()[QStringLiteral("content")]
                                         .toObject();
            QCOMPARE(card.value(QStringLiteral("type")).toString(), QStringLiteral("AdaptiveCard"));
            QVERIFY(card.value(QStringLiteral("body"))
                        .toArray()
                        .first()[QStringLiteral("text")]
                        .toString()
                        .contains(HostName));
        }
    }

    void webhookAnswerOutside2xxIsAFailure()
    {
        WebhookListener listener(*m_certificate);
        listener.answerWith({500});
        const DeliveryResult result = deliver(
            WebhookModule(), alertWith(QStringLiteral("webhook"),
                                       {{QStringLiteral("ca_file"), m_certificate->certificateFile()}},
                                       {{QStringLiteral("url"), listener.url()}}));
        QVERIFY(!result.ok);
        QVERIFY2(result.error.contains(QStringLiteral("answered HTTP 500: boom: the hook is down")),
                 qPrintable(result.error));
        // The URL's path holds the token: errors never show it.
        QVERIFY2(!result.error.contains(QStringLiteral("s3cretToken")), qPrintable(result.error));
        QVERIFY(result.error.startsWith(QStringLiteral("https://127.0.0.1:")));
    }

    void webhookVerifiesTheServersCertificate()
    {
        WebhookListener listener(*m_certificate);
        const DeliveryResult result =
            deliver(WebhookModule(),
                    alertWith(QStringLiteral("webhook"), {}, {{QStringLiteral("url"), listener.url()}}));
        QVERIFY(!result.ok);
        QVERIFY2(result.error.contains(QStringLiteral("ca_file")), qPrintable(result.error));
        QVERIFY(listener.requests().isEmpty());
    }

    void webhookTimesOut()
    {
        WebhookListener listener(*m_certificate);
        listener.answerWith({0}); // never answers
        const DeliveryResult result =
            deliver(WebhookModule(), alertWith(QStringLiteral("webhook"),
                                               {{QStringLiteral("ca_file"), m_certificate->certificateFile()},
                                                {QStringLiteral("timeout_s"), 1}},
                                               {{QStringLiteral("url"), listener.url()}}));
        QVERIFY(!result.ok);
        QVERIFY2(result.error.contains(QStringLiteral("timed out"), Qt::CaseInsensitive),
                 qPrintable(result.error));
    }

    void webhookAttemptIsCancelledWhenTheCoreStops()
    {
        WebhookListener listener(*m_certificate);
        listener.answerWith({0});
        const Alert alert = alertWith(QStringLiteral("webhook"),
                                      {{QStringLiteral("ca_file"), m_certificate->certificateFile()},
                                       {QStringLiteral("timeout_s"), 60}},
                                      {{QStringLiteral("url"), listener.url()}});
        std::atomic<bool> cancel = false;
        auto attempt = std::async(std::launch::async,
                                  [&] { return WebhookModule().deliver(alert, notification(), {&cancel}); });
        QTRY_COMPARE_WITH_TIMEOUT(listener.requests().size(), 1, WaitMs);
        cancel = true;
        QVERIFY(QTest::qWaitFor(
            [&] { return attempt.wait_for(std::chrono::seconds(0)) == std::future_status::ready; }, WaitMs));
        const DeliveryResult result = attempt.get();
        QVERIFY(!result.ok);
        QVERIFY2(result.error.contains(QStringLiteral("cancelled: the core is stopping")),
                 qPrintable(result.error));
    }

    // ---- command -------------------------------------------------------------------------------

    void commandGetsTheAlertInItsEnvironment()
    {
        QTemporaryDir dir;
        const QString out = dir.filePath(QStringLiteral("env.txt"));
        // argv, no shell of ours: the program given is /bin/sh, the script its argument.
        const DeliveryResult result = deliver(
            CommandModule(), alertWith(QStringLiteral("command"),
                                       {{QStringLiteral("program"), QStringLiteral("/bin/sh")},
                                        {QStringLiteral("arguments"),
                                         QJsonArray{QStringLiteral("-c"), QStringLiteral("env > \"$1\""),
                                                    QStringLiteral("sh"), out}}},
                                       {{QStringLiteral("token"), QStringLiteral("t0k")}}));
        QVERIFY2(result.ok, qPrintable(result.error));
        QFile file(out);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QStringList lines = QString::fromUtf8(file.readAll()).split(u'\n');
        QVERIFY(lines.contains(QStringLiteral("PROPHASIS_SUBJECT_TYPE=host")));
        QVERIFY(lines.contains(QStringLiteral("PROPHASIS_NAME=") + HostName));
        QVERIFY(lines.contains(QStringLiteral("PROPHASIS_FROM=ok")));
        QVERIFY(lines.contains(QStringLiteral("PROPHASIS_TO=critical")));
        QVERIFY(lines.contains(QStringLiteral("PROPHASIS_CAUSE_1_MESSAGE=no answer within 10 s")));
        QVERIFY(lines.contains(QStringLiteral("PROPHASIS_SECRET_TOKEN=t0k")));
        QVERIFY(std::any_of(lines.cbegin(), lines.cend(), [](const QString &line) {
            return line.startsWith(QStringLiteral("PROPHASIS_TIME="));
        }));
    }

    void commandFailureCarriesTheEndOfStderr()
    {
        const DeliveryResult result =
            deliver(CommandModule(),
                    alertWith(QStringLiteral("command"),
                              {{QStringLiteral("program"), QStringLiteral("/bin/sh")},
                               {QStringLiteral("arguments"),
                                QJsonArray{QStringLiteral("-c"),
                                           QStringLiteral("echo 'pager API said no' >&2; exit 3")}}}));
        QVERIFY(!result.ok);
        QCOMPARE(result.error, QStringLiteral("/bin/sh exited with code 3: pager API said no"));
    }

    void commandTimeoutKillsItsProcessGroup()
    {
        QTemporaryDir dir;
        const QString pidFile = dir.filePath(QStringLiteral("pid"));
        const DeliveryResult result = deliver(
            CommandModule(),
            alertWith(QStringLiteral("command"),
                      {{QStringLiteral("program"), QStringLiteral("/bin/sh")},
                       {QStringLiteral("arguments"),
                        QJsonArray{QStringLiteral("-c"), QStringLiteral("sleep 60 & echo $! > \"$1\"; wait"),
                                   QStringLiteral("sh"), pidFile}},
                       {QStringLiteral("timeout_s"), 1}}));
        QVERIFY(!result.ok);
        QCOMPARE(result.error,
                 QStringLiteral("/bin/sh did not finish within 1 s; its process group was killed"));
        QFile file(pidFile);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const qint64 sleeper = file.readAll().trimmed().toLongLong();
        QVERIFY(sleeper > 0);
        QTRY_VERIFY_WITH_TIMEOUT(test::processGone(sleeper),
                                 WaitMs); // the background child went with the group
    }

    void commandThatCannotStart()
    {
        const DeliveryResult result = deliver(
            CommandModule(), alertWith(QStringLiteral("command"),
                                       {{QStringLiteral("program"), QStringLiteral("/nonexistent/notify")}}));
        QVERIFY(!result.ok);
        QCOMPARE(result.error, QStringLiteral("cannot run the command: /nonexistent/notify does not exist"));
    }

    // ---- syslog --------------------------------------------------------------------------------

    void syslogLocally()
    {
        // syslog(3) reports nothing back; without a syslog daemon (as in this container: no /dev/log)
        // glibc drops the message. What can be checked: it neither blocks nor crashes.
        const DeliveryResult result =
            deliver(SyslogModule(), alertWith(QStringLiteral("syslog"),
                                              {{QStringLiteral("facility"), QStringLiteral("local0")}}));
        QVERIFY2(result.ok, qPrintable(result.error));
    }

    void syslogToARemoteCollector()
    {
        QUdpSocket collector;
        QVERIFY(collector.bind(QHostAddress::LocalHost, 0));
        const DeliveryResult result =
            deliver(SyslogModule(), alertWith(QStringLiteral("syslog"),
                                              {{QStringLiteral("facility"), QStringLiteral("local3")},
                                               {QStringLiteral("remote"),
                                                QStringLiteral("127.0.0.1:%1").arg(collector.localPort())}}));
        QVERIFY2(result.ok, qPrintable(result.error));
        QTRY_VERIFY_WITH_TIMEOUT(collector.hasPendingDatagrams(), WaitMs);
        QByteArray datagram(int(collector.pendingDatagramSize()), '\0');
        collector.readDatagram(datagram.data(), datagram.size());
        QVERIFY2(datagram.startsWith("<154>1 "), datagram.constData()); // local3 (19) × 8 + crit (2)
        const QString text = QString::fromUtf8(datagram);
        QVERIFY2(text.contains(
                     QStringLiteral("alert \"On call\": Küchen-Server 東京 is CRITICAL (was OK); why: check "
                                    "\"Web checks\"")),
                 qPrintable(text));
    }
};

QTEST_GUILESS_MAIN(TestAlertModules)
#include "tst_alertmodules.moc"
