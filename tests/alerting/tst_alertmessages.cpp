#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QTest>

#include <syslog.h>

#include "daemon-core/alerting/alertmodules.h"
#include "daemon-core/alerting/alertnotification.h"
#include "daemon-core/alerting/commandmodule.h"
#include "daemon-core/alerting/deadmansswitch.h"
#include "daemon-core/alerting/deliveryoptions.h"
#include "daemon-core/alerting/httptransport.h"
#include "daemon-core/alerting/mimemessage.h"
#include "daemon-core/alerting/syslogmodule.h"
#include "daemon-core/alerting/webhooktemplates.h"
#include "tests/support/configurationfixture.h"

using namespace prophasis;
using namespace std::chrono_literals;
using prophasis::test::ConfigurationFixture;
using prophasis::test::FixtureNow;

namespace {

// A host with a non-ASCII name, failing its HTTP check, in a service.
struct Scene
{
    ConfigurationFixture f;
    QUuid host, plugin, check, service;
    Alert alert;
    CheckResult result;

    Scene()
    {
        host = f.host(QStringLiteral("Küchen-Server 東京"));
        f.config.hosts[host].address = QStringLiteral("192.0.2.10");
        plugin = f.plugin(QStringLiteral("HTTP"));
        check = f.check({host}, {}, {plugin});
        f.config.checks[check].name = QStringLiteral("Web checks");
        service = f.service({ConfigurationFixture::hostMember(host)});
        f.config.services[service].name = QStringLiteral("Shop");
        alert.id = f.newId();
        alert.name = QStringLiteral("On call");
        alert.module = QStringLiteral("webhook");
        result.hostId = host;
        result.checkId = check;
        result.pluginId = plugin;
        result.time = FixtureNow.addSecs(-2);
        result.type = ResultType::Timeout;
        result.value = 0.25;
        result.message = QStringLiteral("no answer within 10 s");
        result.classification = State::Critical;
    }

    AlertEvent hostEvent(bool withResult = true) const
    {
        AlertEvent event;
        event.change = {HealthChange::Subject::Host,     host, State::Ok, State::Critical, FixtureNow,
                        {SeriesKey{host, check, plugin}}};
        if (withResult)
            event.causeResults = {result};
        return event;
    }

    AlertNotification notification() const { return buildNotification(alert, hostEvent(), f.config); }
};

// Decodes a header made of RFC 2047 "B" encoded words (what encodeHeaderText writes for
// non-ASCII text), independently of the encoder.
QString decodeEncodedWords(const QByteArray &header)
{
    static const QRegularExpression word(QStringLiteral(R"(=\?UTF-8\?B\?([A-Za-z0-9+/=]*)\?=)"));
    QByteArray bytes;
    auto it = word.globalMatch(QString::fromLatin1(header));
    while (it.hasNext())
        bytes += QByteArray::fromBase64(it.next().captured(1).toLatin1());
    return QString::fromUtf8(bytes);
}

Alert alertWith(const QString &module, const QJsonObject &options, const QMap<QString, QString> &secrets = {})
{
    Alert alert;
    alert.name = QStringLiteral("a");
    alert.module = module;
    alert.options = options;
    alert.secrets = secrets;
    return alert;
}

QStringList fields(const FieldErrors &errors)
{
    QStringList names;
    for (const FieldError &error : errors.list())
        names.append(error.field);
    return names;
}

} // namespace

class TestAlertMessages : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void hostNotificationSaysWhatWhenAndWhy()
    {
        const Scene scene;
        const AlertNotification notification = scene.notification();
        QCOMPARE(notification.subjectType(), QStringLiteral("host"));
        QCOMPARE(notification.subjectName, QStringLiteral("Küchen-Server 東京"));
        QCOMPARE(notification.summary(), QStringLiteral("Küchen-Server 東京 is CRITICAL (was OK)"));
        const QString text = notification.textBody();
        QVERIFY2(text.contains(QStringLiteral("Host:     Küchen-Server 東京 (192.0.2.10)")),
                 qPrintable(text));
        QVERIFY2(text.contains(QStringLiteral("Changed:  2024-03-01 12:00:00 UTC")), qPrintable(text));
        QVERIFY2(text.contains(QStringLiteral("Alert:    On call")), qPrintable(text));
        QVERIFY2(text.contains(QStringLiteral(
                     "check \"Web checks\", plugin \"HTTP\" on Küchen-Server 東京: CRITICAL "
                     "(timeout): no answer within 10 s [value 0.25, at 2024-03-01 11:59:58 UTC]")),
                 qPrintable(text));
    }

    void causesWithoutResultsAreStillNamed()
    {
        const Scene scene;
        const AlertNotification notification =
            buildNotification(scene.alert, scene.hostEvent(false), scene.f.config);
        QCOMPARE(notification.causes.size(), 1);
        QVERIFY(!notification.causes.first().hasResult);
        QVERIFY(notification.textBody().contains(
            QStringLiteral("- check \"Web checks\", plugin \"HTTP\" on Küchen-Server 東京\n")));
    }

    void configurationChangesSaySo()
    {
        const Scene scene;
        AlertEvent event;
        event.change = {
            HealthChange::Subject::Service, scene.service, State::Ok, State::Critical, FixtureNow, {}};
        const AlertNotification notification = buildNotification(scene.alert, event, scene.f.config);
        QCOMPARE(notification.subjectType(), QStringLiteral("service"));
        QVERIFY(notification.textBody().contains(QStringLiteral("Service:  Shop")));
        QVERIFY(notification.textBody().contains(QStringLiteral("the configuration changed")));
    }

    void objectsGoneSinceTheChangeAreNamedById()
    {
        const Scene scene;
        Configuration emptied = scene.f.config;
        emptied.hosts.clear();
        const AlertNotification notification = buildNotification(scene.alert, scene.hostEvent(), emptied);
        QCOMPARE(notification.subjectName, scene.host.toString(QUuid::WithoutBraces));
    }

    void testNotificationIsClearlyMarked()
    {
        const Scene scene;
        const AlertNotification test = buildTestNotification(scene.alert, FixtureNow);
        QVERIFY(test.isTest());
        QCOMPARE(test.subjectType(), QStringLiteral("test"));
        QCOMPARE(test.summary(), QStringLiteral("TEST: alert \"On call\" works"));
        QVERIFY(test.textBody().contains(QStringLiteral("This is a test message")));
        QCOMPARE(test.toJson().value(QStringLiteral("test")).toBool(), true);
    }

    void genericJsonDocument()
    {
        const Scene scene;
        const QJsonObject json = scene.notification().toJson();
        QCOMPARE(json.value(QStringLiteral("version")).toInt(), 1);
        QCOMPARE(json.value(QStringLiteral("test")).toBool(), false);
        QCOMPARE(json[QStringLiteral("alert")][QStringLiteral("name")].toString(), QStringLiteral("On call"));
        QCOMPARE(json[QStringLiteral("subject")][QStringLiteral("type")].toString(), QStringLiteral("host"));
        QCOMPARE(json[QStringLiteral("subject")][QStringLiteral("address")].toString(),
                 QStringLiteral("192.0.2.10"));
        QCOMPARE(json.value(QStringLiteral("from")).toString(), QStringLiteral("ok"));
        QCOMPARE(json.value(QStringLiteral("to")).toString(), QStringLiteral("critical"));
        QCOMPARE(json.value(QStringLiteral("time")).toString(), QStringLiteral("2024-03-01T12:00:00.000Z"));
        const QJsonObject cause = json.value(QStringLiteral("causes")).toArray().first().toObject();
        QCOMPARE(cause.value(QStringLiteral("plugin")).toString(), QStringLiteral("HTTP"));
        QCOMPARE(cause.value(QStringLiteral("check")).toString(), QStringLiteral("Web checks"));
        QCOMPARE(cause.value(QStringLiteral("result_type")).toString(), QStringLiteral("timeout"));
        QCOMPARE(cause.value(QStringLiteral("value")).toDouble(), 0.25);
        QCOMPARE(cause.value(QStringLiteral("message")).toString(), QStringLiteral("no answer within 10 s"));
    }

    void slackTemplate()
    {
        const Scene scene;
        const QJsonObject json = webhookPayload(WebhookTemplate::Slack, scene.notification());
        QCOMPARE(json.value(QStringLiteral("text")).toString(), scene.notification().summary());
        const QJsonObject attachment = json.value(QStringLiteral("attachments")).toArray().first().toObject();
        QCOMPARE(attachment.value(QStringLiteral("color")).toString(), alertStateColour(State::Critical));
        QVERIFY(attachment.value(QStringLiteral("text")).toString().contains(QStringLiteral("no answer")));
        const QJsonArray fieldList = attachment.value(QStringLiteral("fields")).toArray();
        QCOMPARE(fieldList.first()[QStringLiteral("title")].toString(), QStringLiteral("Host"));
        QCOMPARE(fieldList.first()[QStringLiteral("value")].toString(), QStringLiteral("Küchen-Server 東京"));
        QCOMPARE(attachment.value(QStringLiteral("ts")).toInteger(), FixtureNow.toSecsSinceEpoch());
    }

    void teamsTemplateIsAnAdaptiveCardMessage()
    {
        const Scene scene;
        const QJsonObject json = webhookPayload(WebhookTemplate::Teams, scene.notification());
        QCOMPARE(json.value(QStringLiteral("type")).toString(), QStringLiteral("message"));
        const QJsonObject attachment = json.value(QStringLiteral("attachments")).toArray().first().toObject();
        QCOMPARE(attachment.value(QStringLiteral("contentType")).toString(),
                 QStringLiteral("application/vnd.microsoft.card.adaptive"));
        const QJsonObject card = attachment.value(QStringLiteral("content")).toObject();
        QCOMPARE(card.value(QStringLiteral("type")).toString(), QStringLiteral("AdaptiveCard"));
        const QJsonArray body = card.value(QStringLiteral("body")).toArray();
        QCOMPARE(body.at(0)[QStringLiteral("text")].toString(), scene.notification().summary());
        QCOMPARE(body.at(0)[QStringLiteral("color")].toString(), QStringLiteral("Attention"));
        QCOMPARE(body.at(1)[QStringLiteral("type")].toString(), QStringLiteral("FactSet"));
    }

    void genericTemplateIsTheDocument()
    {
        const Scene scene;
        QCOMPARE(webhookPayload(WebhookTemplate::Generic, scene.notification()),
                 scene.notification().toJson());
    }

    void asciiHeadersStayReadable()
    {
        QCOMPARE(encodeHeaderText(QStringLiteral("[Prophasis] web1 is CRITICAL (was OK)")),
                 QByteArray("[Prophasis] web1 is CRITICAL (was OK)"));
    }

    void nonAsciiHeadersAreEncodedWords_data()
    {
        QTest::addColumn<QString>("text");
        QTest::newRow("umlauts") << QStringLiteral("[Prophasis] Küchen-Server ist KRITISCH");
        QTest::newRow("cjk, long")
            << QStringLiteral("[Prophasis] 東京のサーバーが停止しました。").repeated(4);
        QTest::newRow("emoji across word boundaries") << QStringLiteral("🔥").repeated(40);
        QTest::newRow("looks like an encoded word") << QStringLiteral("=?UTF-8?B?abc?= plain");
    }

    void nonAsciiHeadersAreEncodedWords()
    {
        QFETCH(QString, text);
        const QByteArray header = encodeHeaderText(text);
        for (const char c : header)
            QVERIFY2(uchar(c) < 0x80, header.constData());
        QCOMPARE(decodeEncodedWords(header), text);
        // RFC 2047: lines holding encoded words are at most 76 characters, the first one after
        // "Subject: ".
        const QList<QByteArray> lines = ("Subject: " + header).split('\n');
        for (const QByteArray &line : lines)
            QVERIFY2(line.trimmed().size() <= 76, line.constData());
        for (const QByteArray &line : lines.mid(1))
            QVERIFY(line.startsWith(' '));
    }

    void headerTextCannotInjectHeaders()
    {
        const QByteArray plain = encodeHeaderText(QStringLiteral("web1\r\nBcc: everyone@example.com"));
        QVERIFY(!plain.contains('\r') && !plain.contains('\n'));
        const QByteArray encoded = encodeHeaderText(QStringLiteral("wéb1\r\nBcc: everyone@example.com"));
        QVERIFY(!decodeEncodedWords(encoded).contains(u'\n'));
    }

    void mailDate()
    {
        QCOMPARE(formatMailDate(FixtureNow), QByteArray("Fri, 01 Mar 2024 12:00:00 +0000"));
        QCOMPARE(formatMailDate(QDateTime(QDate(2023, 12, 31), QTime(23, 5, 9), Qt::OffsetFromUTC, 3600)),
                 QByteArray("Sun, 31 Dec 2023 22:05:09 +0000"));
    }

    void mailMessageIsMime()
    {
        MailMessage message;
        message.from = QStringLiteral("monitor@example.com");
        message.to = {QStringLiteral("a@example.com"), QStringLiteral("b@example.com")};
        message.subject = QStringLiteral("Küche");
        message.body = QStringLiteral("Zeile eins\n.dot line\nÜberall");
        message.date = FixtureNow;
        const QByteArray mail = buildMailMessage(message);
        const qsizetype split = mail.indexOf("\r\n\r\n");
        QVERIFY(split > 0);
        const QByteArray head = mail.left(split + 2);
        QVERIFY(head.contains("Date: Fri, 01 Mar 2024 12:00:00 +0000\r\n"));
        QVERIFY(head.contains("From: monitor@example.com\r\n"));
        QVERIFY(head.contains("To: a@example.com, b@example.com\r\n"));
        QVERIFY(head.contains("Subject: =?UTF-8?B?"));
        QVERIFY(head.contains("MIME-Version: 1.0\r\n"));
        QVERIFY(head.contains("Content-Type: text/plain; charset=UTF-8\r\n"));
        QVERIFY(head.contains("Content-Transfer-Encoding: base64\r\n"));
        QVERIFY(QRegularExpression(QStringLiteral("Message-ID: <[0-9a-f-]{36}@example\\.com>\r\n"))
                    .match(QString::fromLatin1(head))
                    .hasMatch());
        const QByteArray body = mail.mid(split + 4);
        for (const QByteArray &line : body.split('\n'))
            QVERIFY(line.size() <= 78 && !line.startsWith('.'));
        QCOMPARE(QString::fromUtf8(QByteArray::fromBase64(body)),
                 QStringLiteral("Zeile eins\r\n.dot line\r\nÜberall"));
    }

    void retryPolicyBacksOffExponentially()
    {
        const RetryPolicy policy; // 6 attempts, 5 s doubling, 5 min cap, 15 min total
        QCOMPARE(policy.delayAfter(1, 0ms), std::optional(5'000ms));
        QCOMPARE(policy.delayAfter(2, 5'000ms), std::optional(10'000ms));
        QCOMPARE(policy.delayAfter(3, 15'000ms), std::optional(20'000ms));
        QCOMPARE(policy.delayAfter(5, 75'000ms), std::optional(80'000ms));
        QCOMPARE(policy.delayAfter(6, 155'000ms), std::nullopt);

        RetryPolicy capped{
            .maxAttempts = 20, .firstDelay = 1'000ms, .maxDelay = 8'000ms, .maxTotal = 60'000ms};
        QCOMPARE(capped.delayAfter(10, 0ms), std::optional(8'000ms));
        QCOMPARE(capped.delayAfter(10, 52'000ms), std::optional(8'000ms));
        QCOMPARE(capped.delayAfter(10, 52'001ms), std::nullopt); // would start past maxTotal
    }

    void emailOptionsAreValidated()
    {
        const QJsonObject good{
            {QStringLiteral("server"), QStringLiteral("mail.example.com")},
            {QStringLiteral("username"), QStringLiteral("monitor")},
            {QStringLiteral("from"), QStringLiteral("monitor@example.com")},
            {QStringLiteral("to"), QJsonArray{QStringLiteral("ops@example.com")}},
        };
        QVERIFY(validateAlertModule(alertWith(QStringLiteral("email"), good,
                                              {{QStringLiteral("password"), QStringLiteral("s3cret")}}))
                    .isEmpty());

        // Every problem at once, each beside its field.
        const FieldErrors missing = validateAlertModule(alertWith(QStringLiteral("email"), {}));
        QVERIFY(missing.hasField(QStringLiteral("options.server")));
        QVERIFY(missing.hasField(QStringLiteral("options.from")));
        QVERIFY(missing.hasField(QStringLiteral("options.to")));

        QJsonObject bad = good;
        bad.insert(QStringLiteral("to"),
                   QJsonArray{QStringLiteral("ops@example.com"), QStringLiteral("Ops <ops>")});
        bad.insert(QStringLiteral("from"), QStringLiteral("monitor@example.com\r\nBcc: x@example.com"));
        bad.insert(QStringLiteral("tsl"), QStringLiteral("none"));
        bad.insert(QStringLiteral("port"), 0);
        const FieldErrors errors = validateAlertModule(alertWith(QStringLiteral("email"), bad));
        QCOMPARE(fields(errors),
                 (QStringList{QStringLiteral("options.tsl"), QStringLiteral("options.port"),
                              QStringLiteral("secrets.password"), QStringLiteral("options.from"),
                              QStringLiteral("options.to.1")}));

        // A password never crosses the network in clear.
        QJsonObject clear = good;
        clear.insert(QStringLiteral("tls"), QStringLiteral("none"));
        const FieldErrors clearErrors = validateAlertModule(alertWith(
            QStringLiteral("email"), clear, {{QStringLiteral("password"), QStringLiteral("s3cret")}}));
        QCOMPARE(fields(clearErrors), QStringList{QStringLiteral("options.tls")});
        clear.remove(QStringLiteral("username"));
        QCOMPARE(fields(validateAlertModule(alertWith(QStringLiteral("email"), clear))), QStringList{});

        QCOMPARE(fields(validateAlertModule(alertWith(QStringLiteral("email"), good,
                                                      {{QStringLiteral("password"), QStringLiteral("x")},
                                                       {QStringLiteral("token"), QStringLiteral("y")}}))),
                 QStringList{QStringLiteral("secrets.token")});
    }

    void webhookOptionsAreValidated()
    {
        QVERIFY(
            validateAlertModule(
                alertWith(QStringLiteral("webhook"), {{QStringLiteral("template"), QStringLiteral("slack")}},
                          {{QStringLiteral("url"), QStringLiteral("https://hooks.example.com/T/B/x")}}))
                .isEmpty());
        QCOMPARE(fields(validateAlertModule(alertWith(QStringLiteral("webhook"), {}))),
                 QStringList{QStringLiteral("secrets.url")});
        QCOMPARE(
            fields(validateAlertModule(alertWith(
                QStringLiteral("webhook"),
                {{QStringLiteral("template"), QStringLiteral("discord")}, {QStringLiteral("timeout_s"), 0}},
                {{QStringLiteral("url"), QStringLiteral("ftp://example.com/")}}))),
            (QStringList{QStringLiteral("secrets.url"), QStringLiteral("options.template"),
                         QStringLiteral("options.timeout_s")}));
        QCOMPARE(fields(validateAlertModule(
                     alertWith(QStringLiteral("webhook"), {},
                               {{QStringLiteral("url"), QStringLiteral("https://example.com/")},
                                {QStringLiteral("authorization"), QStringLiteral("a\nb")}}))),
                 QStringList{QStringLiteral("secrets.authorization")});
    }

    void commandAndSyslogOptionsAreValidated()
    {
        QCOMPARE(fields(validateAlertModule(alertWith(QStringLiteral("command"), {}))),
                 QStringList{QStringLiteral("options.program")});
        QCOMPARE(fields(validateAlertModule(alertWith(
                     QStringLiteral("command"), {{QStringLiteral("program"), QStringLiteral("bin/notify")}},
                     {{QStringLiteral("api-key"), QStringLiteral("x")}}))),
                 (QStringList{QStringLiteral("options.program"), QStringLiteral("secrets.api-key")}));
        QVERIFY(validateAlertModule(alertWith(QStringLiteral("syslog"), {})).isEmpty());
        QCOMPARE(
            fields(validateAlertModule(alertWith(
                QStringLiteral("syslog"), {{QStringLiteral("facility"), QStringLiteral("local9")},
                                           {QStringLiteral("remote"), QStringLiteral("logs.example.com")}}))),
            (QStringList{QStringLiteral("options.facility"), QStringLiteral("options.remote")}));
        QCOMPARE(fields(validateAlertModule(alertWith(QStringLiteral("pager"), {}))),
                 QStringList{QStringLiteral("module")});
    }

    void commandEnvironmentCarriesTheAlertAndNothingElse()
    {
        qputenv("PROPHASIS_TEST_LEAK", "core secret");
        Scene scene;
        scene.alert.secrets.insert(QStringLiteral("api_token"), QStringLiteral("t0ken"));
        const QProcessEnvironment environment = commandEnvironment(scene.alert, scene.notification());
        QCOMPARE(environment.value(QStringLiteral("PROPHASIS_SUBJECT_TYPE")), QStringLiteral("host"));
        QCOMPARE(environment.value(QStringLiteral("PROPHASIS_NAME")), QStringLiteral("Küchen-Server 東京"));
        QCOMPARE(environment.value(QStringLiteral("PROPHASIS_HOST_ADDRESS")), QStringLiteral("192.0.2.10"));
        QCOMPARE(environment.value(QStringLiteral("PROPHASIS_FROM")), QStringLiteral("ok"));
        QCOMPARE(environment.value(QStringLiteral("PROPHASIS_TO")), QStringLiteral("critical"));
        QCOMPARE(environment.value(QStringLiteral("PROPHASIS_TIME")),
                 QStringLiteral("2024-03-01T12:00:00.000Z"));
        QCOMPARE(environment.value(QStringLiteral("PROPHASIS_TIME_EPOCH")),
                 QString::number(FixtureNow.toSecsSinceEpoch()));
        QCOMPARE(environment.value(QStringLiteral("PROPHASIS_TEST")), QStringLiteral("0"));
        QCOMPARE(environment.value(QStringLiteral("PROPHASIS_CAUSE_COUNT")), QStringLiteral("1"));
        QCOMPARE(environment.value(QStringLiteral("PROPHASIS_CAUSE_1_PLUGIN")), QStringLiteral("HTTP"));
        QCOMPARE(environment.value(QStringLiteral("PROPHASIS_CAUSE_1_VALUE")), QStringLiteral("0.25"));
        QCOMPARE(environment.value(QStringLiteral("PROPHASIS_CAUSE_1_RESULT_TYPE")),
                 QStringLiteral("timeout"));
        QCOMPARE(environment.value(QStringLiteral("PROPHASIS_SECRET_API_TOKEN")), QStringLiteral("t0ken"));
        QCOMPARE(
            QJsonDocument::fromJson(environment.value(QStringLiteral("PROPHASIS_JSON")).toUtf8()).object(),
            scene.notification().toJson());
        QCOMPARE(environment.value(QStringLiteral("LANG")), QStringLiteral("C.UTF-8"));
        QVERIFY(environment.contains(QStringLiteral("PATH")));
        QVERIFY(!environment.contains(QStringLiteral("PROPHASIS_TEST_LEAK")));
    }

    void syslogSeverityFollowsTheState()
    {
        QCOMPARE(syslogSeverity(State::Critical), LOG_CRIT);
        QCOMPARE(syslogSeverity(State::Major), LOG_ERR);
        QCOMPARE(syslogSeverity(State::Minor), LOG_WARNING);
        QCOMPARE(syslogSeverity(State::Degraded), LOG_WARNING);
        QCOMPARE(syslogSeverity(State::Unknown), LOG_NOTICE);
        QCOMPARE(syslogSeverity(State::Ok), LOG_INFO);
        const QByteArray datagram =
            syslogDatagram(LOG_LOCAL3, LOG_CRIT, QStringLiteral("wéb1 down"), FixtureNow);
        QVERIFY2(datagram.startsWith("<154>1 2024-03-01T12:00:00.000Z "), datagram.constData()); // 19 * 8 + 2
        QVERIFY(datagram.endsWith(" prophasis - alert - \xEF\xBB\xBFw\xC3\xA9"
                                  "b1 down"));
    }

    void secretUrlsAreRedacted()
    {
        QCOMPARE(redactedUrl(QStringLiteral("https://hooks.slack.com/services/T000/B000/XXXX?token=1")),
                 QStringLiteral("https://hooks.slack.com/…"));
        QCOMPARE(redactedUrl(QStringLiteral("http://[::1]:8080/hook/secret")),
                 QStringLiteral("http://[::1]:8080/…"));
        QCOMPARE(redactedUrl(QStringLiteral("https://user:pw@example.com/x")),
                 QStringLiteral("https://example.com/…"));
    }

    void deadMansSwitchConfiguration()
    {
        DeadMansSwitchConfig config;
        QVERIFY(readDeadMansSwitchConfig({}, config).isEmpty());
        QVERIFY(!config.enabled());
        QCOMPARE(config.interval, DefaultDeadMansSwitchInterval);

        QVERIFY(readDeadMansSwitchConfig({{QStringLiteral("url"), QStringLiteral("https://hc-ping.com/abc")},
                                          {QStringLiteral("method"), QStringLiteral("get")},
                                          {QStringLiteral("interval_s"), 60}},
                                         config)
                    .isEmpty());
        QVERIFY(config.enabled());
        QCOMPARE(config.method, QByteArray("GET"));
        QCOMPARE(config.interval, 60s);

        const FieldErrors errors =
            readDeadMansSwitchConfig({{QStringLiteral("url"), QStringLiteral("ftp://x/")},
                                      {QStringLiteral("method"), QStringLiteral("PUT")},
                                      {QStringLiteral("interval_s"), 1}},
                                     config);
        QCOMPARE(fields(errors), (QStringList{QStringLiteral("dead_mans_switch.url"),
                                              QStringLiteral("dead_mans_switch.method"),
                                              QStringLiteral("dead_mans_switch.interval_s")}));
    }
};

QTEST_GUILESS_MAIN(TestAlertMessages)
#include "tst_alertmessages.moc"
