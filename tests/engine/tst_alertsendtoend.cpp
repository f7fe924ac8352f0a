#include <QJsonArray>
#include <QSignalSpy>
#include <QTest>

#include "daemon-core/engine/coreengine.h"
#include "daemon-core/storage/alertstore.h"
#include "daemon-core/storage/storageexecutor.h"
#include "tests/alerting/alertingfixtures.h"
#include "tests/engine/shopfixture.h"
#include "tests/storage/testdatabase.h"
#include "tests/support/agentprocess.h"

using namespace prophasis;
using namespace prophasis::test::shop;

namespace {

const QString SmtpUser = QStringLiteral("monitor");
const QString SmtpPassword = QStringLiteral("correct horse battery");

// Every webhook body the listener received so far, as JSON.
QList<QJsonObject> webhookBodies(const test::WebhookListener &listener)
{
    QList<QJsonObject> bodies;
    for (int i = 0; i < listener.requests().size(); ++i)
        bodies.append(listener.json(i));
    return bodies;
}

bool sawServiceChange(const test::WebhookListener &listener, const QString &to)
{
    const QList<QJsonObject> bodies = webhookBodies(listener);
    return std::any_of(bodies.cbegin(), bodies.cend(), [&](const QJsonObject &body) {
        return body.value(QStringLiteral("to")).toString() == to &&
               body.value(QStringLiteral("subject")).toObject().value(QStringLiteral("type")).toString() ==
                   QStringLiteral("service");
    });
}

} // namespace

// Alerts end to end (issue #5): the engine with mock agents over mutual TLS, real Lua
// classification, a real SMTP server with STARTTLS and AUTH (python3-aiosmtpd) and a webhook
// listener; on SQLite and PostgreSQL.
class TestAlertsEndToEnd : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void failingHostsRaiseHostAndServiceAlertsAndARestartSendsNothing()
    {
        const QString python = test::pythonWithAiosmtpd();
        if (python.isEmpty())
            QSKIP("python3-aiosmtpd is not installed (scripts/deps.sh --test installs it)");
        test::TestCertificate certificate;
        test::SmtpTestServer smtp;
        QString error;
        QVERIFY2(
            smtp.start(python, {QStringLiteral("starttls"), SmtpUser, SmtpPassword}, certificate, &error),
            qPrintable(error));
        test::WebhookListener webhook(certificate);

        ShopBench bench(QStringLiteral("alerts_e2e"));
        QVERIFY(bench.start());
        StorageExecutor &storage = *bench.storage;
        const TlsIdentity &core = bench.core;
        MockAgentProcess &mock = bench.mock;
        const Shop &shop = bench.shop;
        const QByteArray secretsKey = SecretBox::generateKey();

        // Hosts turning critical go by email (a non-ASCII subject prefix, so the subject must be
        // RFC 2047 encoded); every change of the shop goes to the webhook.
        storage.runAndWait([&](Database &db) {
            AlertStore alerts(db, SecretBox(secretsKey));
            Alert email;
            email.name = QStringLiteral("hosts down by mail");
            email.toStates = {State::Critical};
            email.scope.allHosts = true;
            email.module = QStringLiteral("email");
            email.options = {{QStringLiteral("server"), QStringLiteral("127.0.0.1")},
                             {QStringLiteral("port"), smtp.port()},
                             {QStringLiteral("tls"), QStringLiteral("starttls")},
                             {QStringLiteral("username"), SmtpUser},
                             {QStringLiteral("from"), QStringLiteral("prophasis@example.com")},
                             {QStringLiteral("to"), QJsonArray{QStringLiteral("oncall@example.com")}},
                             {QStringLiteral("subject_prefix"), QStringLiteral("[Überwachung]")},
                             {QStringLiteral("ca_file"), certificate.certificateFile()}};
            email.secrets = {{QStringLiteral("password"), SmtpPassword}};
            alerts.create(email);
            Alert hook;
            hook.name = QStringLiteral("shop changes");
            hook.scope.serviceIds = {shop.service.id};
            hook.module = QStringLiteral("webhook");
            hook.options = {{QStringLiteral("template"), QStringLiteral("generic")},
                            {QStringLiteral("ca_file"), certificate.certificateFile()}};
            hook.secrets = {{QStringLiteral("url"), webhook.url()}};
            alerts.create(hook);
        });

        const EngineOptions options = bench.engineOptions();
        auto engine = std::make_unique<CoreEngine>(storage, SecretBox(secretsKey), core, options);
        QSignalSpy started(engine.get(), &CoreEngine::started);
        QVERIFY2(engine->start(&error), qPrintable(error));
        QVERIFY(started.wait(10'000));
        QTRY_COMPARE_WITH_TIMEOUT(engine->health().serviceState(shop.service.id), State::Ok, 15'000);
        QTRY_COMPARE_WITH_TIMEOUT(engine->health().hostState(shop.web2.id), State::Ok, 15'000);

        // One of the two redundant web servers goes down: its runs fail (unknown, then critical
        // on the second failure in a row) and the shop is degraded, not down.
        QVERIFY(mock.rewrite(bench.hosts(QStringLiteral("drop"))));
        QTRY_COMPARE_WITH_TIMEOUT(engine->health().hostState(shop.web2.id), State::Critical, 15'000);
        QCOMPARE(engine->health().serviceState(shop.service.id), State::Degraded);
        QCOMPARE(engine->health().hostState(shop.web1.id), State::Ok);

        QTRY_VERIFY_WITH_TIMEOUT(smtp.messageCount() >= 1, test::WaitMs);
        const QJsonObject mail = smtp.message(1);
        QCOMPARE(mail.value(QStringLiteral("tls")).toBool(), true);
        QCOMPARE(mail.value(QStringLiteral("login")).toString(), SmtpUser);
        const QString subject = mail.value(QStringLiteral("subject")).toString();
        QVERIFY2(subject.startsWith(QStringLiteral("[Überwachung] web2 is CRITICAL")), qPrintable(subject));
        QVERIFY2(mail.value(QStringLiteral("raw_subject")).toString().contains(QStringLiteral("=?UTF-8?")),
                 qPrintable(mail.value(QStringLiteral("raw_subject")).toString()));
        const QString body = mail.value(QStringLiteral("body")).toString();
        QVERIFY2(body.contains(QStringLiteral("web2")) && body.contains(QStringLiteral("connection_error")),
                 qPrintable(body));

        QTRY_VERIFY_WITH_TIMEOUT(sawServiceChange(webhook, QStringLiteral("degraded")), test::WaitMs);
        const QJsonObject degraded = webhookBodies(webhook).first();
        QCOMPARE(degraded.value(QStringLiteral("from")).toString(), QStringLiteral("ok"));
        QCOMPARE(
            degraded.value(QStringLiteral("subject")).toObject().value(QStringLiteral("name")).toString(),
            QStringLiteral("shop"));
        // Leaving "no data" at the start raised nothing: the first webhook is this change.
        QCOMPARE(degraded.value(QStringLiteral("to")).toString(), QStringLiteral("degraded"));

        // Both down: the shop is critical, and web1 gets its mail too.
        QVERIFY(mock.rewrite(bench.hosts(QStringLiteral("drop"), QStringLiteral("drop"))));
        QTRY_COMPARE_WITH_TIMEOUT(engine->health().serviceState(shop.service.id), State::Critical, 15'000);
        QTRY_VERIFY_WITH_TIMEOUT(sawServiceChange(webhook, QStringLiteral("critical")), test::WaitMs);
        QTRY_COMPARE_WITH_TIMEOUT(smtp.messageCount(), 2, test::WaitMs);
        QVERIFY(smtp.message(2).value(QStringLiteral("subject")).toString().contains(QStringLiteral("web1")));

        // A restart of the core sends nothing: health starts where it was.
        QSignalSpy stopped(engine.get(), &CoreEngine::stopped);
        engine->stop();
        QVERIFY(stopped.wait(30'000));
        engine.reset();
        const int mailsBefore = smtp.messageCount();
        const qsizetype hooksBefore = webhook.requests().size();

        engine = std::make_unique<CoreEngine>(storage, SecretBox(secretsKey), core, options);
        QSignalSpy restarted(engine.get(), &CoreEngine::started);
        QSignalSpy results(engine.get(), &CoreEngine::resultRecorded);
        QSignalSpy changes(engine.get(), &CoreEngine::healthChanged);
        QVERIFY2(engine->start(&error), qPrintable(error));
        QVERIFY(restarted.wait(10'000));
        QCOMPARE(engine->health().serviceState(shop.service.id), State::Critical);
        // Two failed runs of each host after the restart, classified with the stored history.
        QTRY_VERIFY_WITH_TIMEOUT(results.size() >= 4, 15'000);
        QCOMPARE(engine->health().hostState(shop.web1.id), State::Critical);
        QCOMPARE(engine->health().serviceState(shop.service.id), State::Critical);
        QVERIFY2(changes.isEmpty(), "a restart reported health changes");
        QTest::qWait(500); // a delivery on loopback would arrive within milliseconds
        QCOMPARE(smtp.messageCount(), mailsBefore);
        QCOMPARE(webhook.requests().size(), hooksBefore);

        QSignalSpy stoppedAgain(engine.get(), &CoreEngine::stopped);
        engine->stop();
        QVERIFY(stoppedAgain.wait(30'000));
    }
};

QTEST_GUILESS_MAIN(TestAlertsEndToEnd)
#include "tst_alertsendtoend.moc"
