#include <QTest>

#include "daemon-core/api/eventroutes.h"
#include "daemon-core/api/eventstream.h"
#include "daemon-core/engine/healthtracker.h"
#include "daemon-core/reports/statichealthsource.h"
#include "daemon-core/storage/logstore.h"
#include "tests/api/apitestserver.h"
#include "tests/api/sseclient.h"

using namespace prophasis;
using test::SseClient;
using test::SseEvent;

// GET /api/v1/events over real TLS on loopback, on SQLite and PostgreSQL: health changes,
// system log entries (and their folds) and configuration changes arrive as Server-Sent Events;
// a reconnect with Last-Event-ID resumes without a gap, or is told to reload; filters, limits and
// the guard.
class TestEventApi : public QObject
{
    Q_OBJECT

    std::unique_ptr<test::TestDatabase> m_testDatabase;
    std::unique_ptr<test::ApiTestServer> m_api;
    std::unique_ptr<StaticHealthSource> m_health;
    std::unique_ptr<EventStream> m_events;
    QUuid m_hostId = QUuid::createUuid();

    SseClient *open(const QString &token, const QByteArray &target = "/api/v1/events",
                    QList<std::pair<QByteArray, QByteArray>> headers = {})
    {
        headers.append({QByteArrayLiteral("Authorization"), "Bearer " + token.toLatin1()});
        auto *client = new SseClient(m_api->port(), target, headers);
        m_clients.emplace_back(client);
        return client;
    }
    std::vector<std::unique_ptr<SseClient>> m_clients;

    HealthChange hostChange(State from, State to)
    {
        HealthChange change;
        change.subject = HealthChange::Subject::Host;
        change.id = m_hostId;
        change.from = from;
        change.to = to;
        change.time = QDateTime::currentDateTimeUtc();
        return change;
    }

    // An audited change, as the entity routes write it.
    void recordChange(const QString &action)
    {
        AuditEntry entry;
        entry.username = QStringLiteral("admin");
        entry.source = QStringLiteral("127.0.0.1");
        entry.action = action;
        entry.entityType = QStringLiteral("host");
        entry.entityId = m_hostId;
        entry.summary = QStringLiteral("web1");
        m_api->storage().runAndWait([entry](Database &db) { AuditLogStore(db).append(entry); });
    }

    // Turns the event loop until the stream has `count` subscribers (a subscription is made when
    // the request has passed the guard, which asks the database).
    bool waitForSubscribers(int count)
    {
        QDeadlineTimer deadline(10'000);
        while (m_events->subscriberCount() != count && !deadline.hasExpired())
            QCoreApplication::processEvents(QEventLoop::AllEvents, 10);
        return m_events->subscriberCount() == count;
    }

private Q_SLOTS:
    void initTestCase() { m_testDatabase = std::make_unique<test::TestDatabase>(QStringLiteral("eventapi")); }

    void init()
    {
        m_api = std::make_unique<test::ApiTestServer>(*m_testDatabase, this);
        Configuration config;
        Host host;
        host.id = m_hostId;
        host.name = QStringLiteral("web1");
        config.hosts.insert(host.id, host);
        m_health = std::make_unique<StaticHealthSource>(config, LatestResults{});
        EventStreamOptions options;
        options.logPollInterval = std::chrono::milliseconds(50);
        options.maxSubscribers = 3;
        m_events = std::make_unique<EventStream>(m_api->storage(), *m_health, options);
        m_events->start();
        mountEventRoutes(m_api->routes(), m_api->api(), *m_events);
        QString error;
        QVERIFY2(m_api->start(&error), qPrintable(error));
    }

    void cleanup()
    {
        m_clients.clear();
        m_api.reset(); // the server first: no stream outlives its connection
        m_events.reset();
        m_health.reset();
    }

    void healthChangesArriveAsEvents()
    {
        SseClient *client = open(m_api->loginViewer());
        QCOMPARE(client->waitForHead(), 200);
        QVERIFY(client->head().contains("Content-Type: text/event-stream"));
        QVERIFY(!client->head().contains("Content-Length"));
        QVERIFY(waitForSubscribers(1));

        m_events->publishHealthChange(hostChange(State::Ok, State::Critical));
        const QList<SseEvent> events = client->waitForEvents(1);
        QCOMPARE(events.size(), 1);
        QCOMPARE(events.first().type, QByteArray("health"));
        QVERIFY(events.first().id.startsWith(m_events->epoch() + ':'));
        const QJsonObject data = events.first().json();
        QCOMPARE(data.value(QStringLiteral("subject")).toString(), QStringLiteral("host"));
        QCOMPARE(data.value(QStringLiteral("id")).toString(), m_hostId.toString(QUuid::WithoutBraces));
        QCOMPARE(data.value(QStringLiteral("name")).toString(), QStringLiteral("web1"));
        QCOMPARE(data.value(QStringLiteral("from")).toString(), QStringLiteral("ok"));
        QCOMPARE(data.value(QStringLiteral("to")).toString(), QStringLiteral("critical"));
    }

    void aReconnectResumesWhereItLeft()
    {
        const QString token = m_api->loginViewer();
        SseClient *first = open(token);
        QCOMPARE(first->waitForHead(), 200);
        QVERIFY(waitForSubscribers(1));
        m_events->publishHealthChange(hostChange(State::Ok, State::Minor));
        const QList<SseEvent> seen = first->waitForEvents(1);
        QCOMPARE(seen.size(), 1);
        first->disconnect();

        // Two things happen while the client is away.
        m_events->publishHealthChange(hostChange(State::Minor, State::Major));
        recordChange(QStringLiteral("update"));

        SseClient *second =
            open(token, "/api/v1/events", {{QByteArrayLiteral("Last-Event-ID"), seen.first().id}});
        QCOMPARE(second->waitForHead(), 200);
        const QList<SseEvent> missed = second->waitForEvents(2);
        QCOMPARE(missed.size(), 2);
        QCOMPARE(missed.at(0).type, QByteArray("health"));
        QCOMPARE(missed.at(0).json().value(QStringLiteral("to")).toString(), QStringLiteral("major"));
        QCOMPARE(missed.at(1).type, QByteArray("configuration"));
        const QJsonObject change = missed.at(1).json();
        QCOMPARE(change.value(QStringLiteral("action")).toString(), QStringLiteral("update"));
        QCOMPARE(change.value(QStringLiteral("entity_type")).toString(), QStringLiteral("host"));
        QCOMPARE(change.value(QStringLiteral("id")).toString(), m_hostId.toString(QUuid::WithoutBraces));
        // Who and from where stay in the audit log: viewers may not read it.
        QVERIFY(!change.contains(QStringLiteral("username")));
        QVERIFY(!change.contains(QStringLiteral("source")));

        // An id from another run of the core cannot be resumed: the client is told to reload.
        SseClient *stale = open(token, "/api/v1/events?last_event_id=0123abcd:5");
        QCOMPARE(stale->waitForHead(), 200);
        const QList<SseEvent> reset = stale->waitForEvents(1);
        QCOMPARE(reset.size(), 1);
        QCOMPARE(reset.first().type, QByteArray("reset"));
        QVERIFY(!reset.first().json().value(QStringLiteral("reason")).toString().isEmpty());
    }

    void systemLogEntriesAndTheirFoldsArrive()
    {
        SseClient *client = open(m_api->loginViewer(), "/api/v1/events?types=log");
        QCOMPARE(client->waitForHead(), 200);
        QVERIFY(waitForSubscribers(1));
        LogEntry entry;
        entry.severity = LogSeverity::Error;
        entry.category = LogCategory::Dispatch;
        entry.message = QStringLiteral("web1 did not answer");
        m_api->storage().runAndWait([entry](Database &db) { SystemLogStore(db).record(entry); });
        QList<SseEvent> events = client->waitForEvents(1);
        QCOMPARE(events.size(), 1);
        QCOMPARE(events.first().type, QByteArray("log"));
        QCOMPARE(events.first().json().value(QStringLiteral("message")).toString(), entry.message);
        QCOMPARE(events.first().json().value(QStringLiteral("count")).toInteger(), 1);

        // A repeat folds into the entry: the same entry again, counted twice, and only once.
        QTest::qWait(5); // a later millisecond than the first
        m_api->storage().runAndWait([entry](Database &db) { SystemLogStore(db).record(entry); });
        events = client->waitForEvents(2);
        QCOMPARE(events.size(), 2);
        QCOMPARE(events.at(1).json().value(QStringLiteral("id")),
                 events.at(0).json().value(QStringLiteral("id")));
        QCOMPARE(events.at(1).json().value(QStringLiteral("count")).toInteger(), 2);
        // Filtered out: a health change is not sent to a log-only stream.
        m_events->publishHealthChange(hostChange(State::Ok, State::Critical));
        QTest::qWait(300);
        QCOMPARE(client->waitForEvents(3, 200).size(), 2);
    }

    void badRequestsAreRefused()
    {
        // No token: 401, as everywhere but login.
        SseClient *anonymous = new SseClient(m_api->port(), "/api/v1/events", {});
        m_clients.emplace_back(anonymous);
        QCOMPARE(anonymous->waitForHead(), 401);

        const QString token = m_api->loginViewer();
        SseClient *unknownType = open(token, "/api/v1/events?types=health,gossip");
        QCOMPARE(unknownType->waitForHead(), 422);

        // The most streams at once (3 here): the next one is asked to come back later.
        for (int i = 0; i < 3; ++i)
            QCOMPARE(open(token)->waitForHead(), 200);
        QVERIFY(waitForSubscribers(3));
        SseClient *tooMany = open(token);
        QCOMPARE(tooMany->waitForHead(), 503);
        QVERIFY(tooMany->head().contains("Retry-After"));
    }

    void aClosedStreamFreesItsPlace()
    {
        const QString token = m_api->loginViewer();
        SseClient *client = open(token);
        QCOMPARE(client->waitForHead(), 200);
        QVERIFY(waitForSubscribers(1));
        client->disconnect();
        // The next event (or heartbeat) finds the stream gone.
        QDeadlineTimer deadline(10'000);
        while (m_events->subscriberCount() != 0 && !deadline.hasExpired()) {
            m_events->publishHealthChange(hostChange(State::Ok, State::Critical));
            QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
        }
        QCOMPARE(m_events->subscriberCount(), 0);
    }
};

QTEST_GUILESS_MAIN(TestEventApi)
#include "tst_eventapi.moc"
