#include <QSignalSpy>
#include <QTest>

#include "console/client/apiclient.h"
#include "console/client/eventstreamclient.h"
#include "daemon-core/engine/healthtracker.h"
#include "daemon-core/storage/userstore.h"
#include "tests/api/managementapibench.h"
#include "tests/console/consolelogin.h"
#include "tests/support/agentprocess.h"

using namespace prophasis;

// The console's API client against the core's real management API over TLS on loopback: the
// pinned key (and a wrong one, which sends nothing), first-contact probing, logins, errors in
// words, a session that ends under an open form (calls held and replayed after a new login), and
// the event stream (delivery, resume after a dropped connection, reset).
class TestApiClient : public QObject
{
    Q_OBJECT

    std::unique_ptr<test::TestDatabase> m_database;
    std::unique_ptr<test::ManagementApiBench> m_bench;

    QUrl baseUrl() const { return test::loopbackCoreUrl(m_bench->api.port()); }
    QString serverKey() const { return spkiSha256(m_bench->api.identity().certificate); }

    // Runs one call to its end.
    template <typename Start>
    static ApiResult await(Start start)
    {
        std::optional<ApiResult> result;
        QObject context;
        start(&context, [&result](const ApiResult &answer) { result = answer; });
        if (!QTest::qWaitFor([&] { return result.has_value(); }, 20'000))
            return makeApiResult(0, {}, QStringLiteral("test: no answer in time"));
        return *result;
    }

    ApiResult getHosts(ApiClient &client)
    {
        return await([&](QObject *context, ApiClient::Callback done) {
            client.get(QStringLiteral("/api/v1/hosts"), {}, context, done);
        });
    }

    void endSessionsOf(const ApiClient &client)
    {
        const QUuid userId = m_bench->api.storage().runAndWait(
            [name = client.userName()](Database &db) { return UserStore(db).findByUsername(name)->id; });
        QVERIFY(m_bench->api.authenticator().endSessionsOfUser(userId).result() >= 1);
    }

    HealthChange hostChange(State from, State to)
    {
        HealthChange change;
        change.subject = HealthChange::Subject::Host;
        change.id = QUuid::createUuid();
        change.from = from;
        change.to = to;
        change.time = QDateTime::currentDateTimeUtc();
        return change;
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_database = std::make_unique<test::TestDatabase>(QStringLiteral("consoleclient"));
    }

    void init()
    {
        // A fixed port, so a test can stop the server and start it again where the client expects it.
        CoreListenOptions listen;
        listen.port = test::freeLoopbackPort();
        m_bench = std::make_unique<test::ManagementApiBench>(*m_database, this, listen);
        QString error;
        QVERIFY2(m_bench->api.start(&error), qPrintable(error));
    }

    void cleanup() { m_bench.reset(); }

    void probeShowsTheCoresKeyWithoutTrustingIt()
    {
        ApiClient client;
        client.setCore(baseUrl(), {});
        std::optional<CoreProbe> probe;
        client.probe(this, [&probe](const CoreProbe &answer) { probe = answer; });
        QTRY_VERIFY_WITH_TIMEOUT(probe.has_value(), 20'000);
        QCOMPARE(probe->spkiSha256, serverKey());
        QVERIFY(!probe->caTrusted); // a self-signed test certificate
    }

    void unpinnedSelfSignedCoreIsRefused()
    {
        ApiClient client;
        client.setCore(baseUrl(), {});
        const ApiResult result = test::loginAndWait(client, QStringLiteral("admin"), test::AdminPassword);
        QVERIFY(result.networkFailure());
        QVERIFY(!result.errorText.isEmpty());
        QVERIFY(!client.isLoggedIn());
    }

    void pinnedLoginAndCalls()
    {
        ApiClient client;
        client.setCore(baseUrl(), serverKey().toUpper()); // pins compare case-insensitively
        QSignalSpy loggedIn(&client, &ApiClient::loggedIn);
        const ApiResult login =
            test::loginAndWait(client, QStringLiteral("operator"), test::OperatorPassword);
        QVERIFY2(login.ok(), qPrintable(login.errorText));
        QCOMPARE(loggedIn.count(), 1);
        QCOMPARE(client.userName(), QStringLiteral("operator"));
        QCOMPARE(client.role(), QStringLiteral("operator"));
        const ApiResult hosts = getHosts(client);
        QVERIFY2(hosts.ok(), qPrintable(hosts.errorText));
        QVERIFY(hosts.json.isArray() || hosts.json.isObject());
    }

    void wrongPinSendsNothing()
    {
        ApiClient client;
        client.setCore(baseUrl(), QString(64, u'0'));
        const ApiResult result = test::loginAndWait(client, QStringLiteral("admin"), test::AdminPassword);
        QVERIFY(result.networkFailure());
        QCOMPARE(result.presentedKey, serverKey());
        QVERIFY(result.errorText.contains(serverKey()));
        // The password never reached the core: a right login still works and nothing was refused.
        ApiClient right;
        right.setCore(baseUrl(), serverKey());
        QVERIFY(test::loginAndWait(right, QStringLiteral("admin"), test::AdminPassword).ok());
    }

    void errorsComeInWords()
    {
        ApiClient client;
        client.setCore(baseUrl(), serverKey());
        const ApiResult wrong =
            test::loginAndWait(client, QStringLiteral("admin"), QStringLiteral("not the password"));
        QCOMPARE(wrong.status, 401);
        QVERIFY(wrong.errorText.contains(QStringLiteral("wrong user name or password")));
        QVERIFY(!client.isLoggedIn());

        QVERIFY(test::loginAndWait(client, QStringLiteral("admin"), test::AdminPassword).ok());
        const ApiResult invalid = await([&](QObject *context, ApiClient::Callback done) {
            client.post(QStringLiteral("/api/v1/host-groups"),
                        QJsonObject{{QStringLiteral("name"), QString()}}, context, done);
        });
        QCOMPARE(invalid.status, 422);
        QVERIFY(invalid.fieldErrors.contains(QStringLiteral("name")));

        // A write path may carry its query: DELETE …?force=1 of something that does not exist.
        const ApiResult missing = await([&](QObject *context, ApiClient::Callback done) {
            client.remove(QStringLiteral("/api/v1/host-groups/%1?force=1")
                              .arg(QUuid::createUuid().toString(QUuid::WithoutBraces)),
                          context, done);
        });
        QCOMPARE(missing.status, 404);
        QVERIFY(!missing.errorText.isEmpty());
    }

    void viewerIsRefusedWithAReason()
    {
        ApiClient client;
        client.setCore(baseUrl(), serverKey());
        QVERIFY(test::loginAndWait(client, QStringLiteral("viewer"), test::ViewerPassword).ok());
        const ApiResult refused = await([&](QObject *context, ApiClient::Callback done) {
            client.post(QStringLiteral("/api/v1/host-groups"),
                        QJsonObject{{QStringLiteral("name"), QStringLiteral("x")}}, context, done);
        });
        QCOMPARE(refused.status, 403);
        QVERIFY(!refused.errorText.isEmpty());
    }

    void endedSessionHoldsCallsUntilANewLogin()
    {
        ApiClient client;
        client.setCore(baseUrl(), serverKey());
        QVERIFY(test::loginAndWait(client, QStringLiteral("admin"), test::AdminPassword).ok());
        QSignalSpy expired(&client, &ApiClient::sessionExpired);

        // The session ends behind the console's back (as a password change or an expiry does).
        endSessionsOf(client);

        // A form's save and a read, both made while the session is gone: neither is lost.
        std::optional<ApiResult> saved, read;
        client.post(QStringLiteral("/api/v1/host-groups"),
                    QJsonObject{{QStringLiteral("name"), QStringLiteral("kept")}}, this,
                    [&saved](const ApiResult &result) { saved = result; });
        QTRY_COMPARE_WITH_TIMEOUT(expired.count(), 1, 20'000);
        client.get(QStringLiteral("/api/v1/host-groups"), {}, this,
                   [&read](const ApiResult &result) { read = result; });
        QTest::qWait(200);
        QVERIFY(!saved && !read); // held, not answered with a 401
        QCOMPARE(expired.count(), 1);

        QVERIFY(test::loginAndWait(client, QStringLiteral("admin"), test::AdminPassword).ok());
        QTRY_VERIFY_WITH_TIMEOUT(saved && read, 20'000);
        QCOMPARE(saved->status, 201);
        QVERIFY2(read->ok(), qPrintable(read->errorText));
        // Saved exactly once: the refused attempt changed nothing, the replay made it.
        const ApiResult groups = await([&](QObject *context, ApiClient::Callback done) {
            client.get(QStringLiteral("/api/v1/host-groups"), {}, context, done);
        });
        QCOMPARE(groups.body.count("\"kept\""), 1);
    }

    void logoutAnswersHeldCalls()
    {
        ApiClient client;
        client.setCore(baseUrl(), serverKey());
        QVERIFY(test::loginAndWait(client, QStringLiteral("viewer"), test::ViewerPassword).ok());
        QSignalSpy expired(&client, &ApiClient::sessionExpired);
        endSessionsOf(client);
        std::optional<ApiResult> read;
        client.get(QStringLiteral("/api/v1/hosts"), {}, this,
                   [&read](const ApiResult &result) { read = result; });
        QTRY_COMPARE_WITH_TIMEOUT(expired.count(), 1, 20'000);
        client.logout();
        QVERIFY(read.has_value());
        QCOMPARE(read->status, 401);
        QVERIFY(!client.isLoggedIn());
    }

    void unreachableCoreIsReportedAndRecovers()
    {
        ApiClient client;
        client.setCore(baseUrl(), serverKey());
        QVERIFY(test::loginAndWait(client, QStringLiteral("viewer"), test::ViewerPassword).ok());
        QSignalSpy reachable(&client, &ApiClient::reachableChanged);
        m_bench->api.server().stop();
        const ApiResult failed = getHosts(client); // retried, then given up
        QVERIFY(failed.networkFailure());
        QVERIFY(!failed.errorText.isEmpty());
        QCOMPARE(reachable.count(), 1);
        QCOMPARE(reachable.at(0).at(0).toBool(), false);

        QString error;
        QVERIFY2(m_bench->api.server().start(&error), qPrintable(error));
        QVERIFY(getHosts(client).ok());
        QCOMPARE(reachable.count(), 2);
        QCOMPARE(reachable.at(1).at(0).toBool(), true);
    }

    void eventStreamDeliversAndResumes()
    {
        ApiClient client;
        client.setCore(baseUrl(), serverKey());
        QVERIFY(test::loginAndWait(client, QStringLiteral("viewer"), test::ViewerPassword).ok());
        EventStreamClient stream(client);
        QSignalSpy connected(&stream, &EventStreamClient::connectedChanged);
        QSignalSpy health(&stream, &EventStreamClient::healthChanged);
        QSignalSpy resets(&stream, &EventStreamClient::reset);
        stream.start({QStringLiteral("health")});
        QTRY_VERIFY_WITH_TIMEOUT(stream.isConnected(), 20'000);

        m_bench->events.publishHealthChange(hostChange(State::Ok, State::Critical));
        QTRY_COMPARE_WITH_TIMEOUT(health.count(), 1, 20'000);
        QCOMPARE(health.at(0).at(0).toJsonObject().value(QStringLiteral("to")).toString(),
                 QStringLiteral("critical"));
        QVERIFY(!stream.lastEventId().isEmpty());

        // The connection drops; what happens meanwhile arrives after the reconnect, without a reset.
        m_bench->api.server().stop();
        QTRY_VERIFY_WITH_TIMEOUT(!stream.isConnected(), 20'000);
        m_bench->events.publishHealthChange(hostChange(State::Critical, State::Ok));
        QString error;
        QVERIFY2(m_bench->api.server().start(&error), qPrintable(error));
        QTRY_VERIFY_WITH_TIMEOUT(stream.isConnected(), 30'000);
        QTRY_COMPARE_WITH_TIMEOUT(health.count(), 2, 20'000);
        QCOMPARE(health.at(1).at(0).toJsonObject().value(QStringLiteral("to")).toString(),
                 QStringLiteral("ok"));
        QCOMPARE(resets.count(), 0);
    }
};

QTEST_MAIN(TestApiClient)
#include "tst_apiclient.moc"
