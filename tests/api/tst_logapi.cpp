#include <QJsonArray>
#include <QTest>

#include <memory>

#include "daemon-core/api/logroutes.h"
#include "daemon-core/storage/hoststore.h"
#include "daemon-core/storage/logstore.h"
#include "tests/api/apitestserver.h"

using namespace prophasis;
using test::HttpsAnswer;

namespace {

const qint64 T0 = 1'700'000'000'000;

QDateTime at(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC);
}

QList<qint64> idsOf(const QJsonArray &entries)
{
    QList<qint64> ids;
    for (const QJsonValue &entry : entries)
        ids.append(entry.toObject().value(QStringLiteral("id")).toInteger());
    return ids;
}

} // namespace

// The system log and audit log routes over real TLS, on SQLite and PostgreSQL: filters, paging
// that skips nothing, the unread count, marking read and clearing (read entries only) with audit
// entries, and the role matrix (viewers read the system log; only admins manage it or read the
// audit log).
class TestLogApi : public QObject
{
    Q_OBJECT

    std::unique_ptr<test::TestDatabase> m_testDatabase;
    std::unique_ptr<test::ApiTestServer> m_api;
    QUuid m_host;

    HttpsAnswer call(const QByteArray &method, const QByteArray &target, const QString &token,
                     const QJsonObject &body = {})
    {
        return m_api->call(method, target, token, body);
    }

    // Seven entries: two on the host, two with the same last-seen time (paging must keep both).
    void recordEntries()
    {
        m_api->storage().runAndWait([this](Database &db) {
            Host host;
            host.name = QStringLiteral("web1");
            host.address = QStringLiteral("127.0.0.1");
            m_host = HostStore(db).create(host).id;
            SystemLogStore log(db);
            const QList<qint64> times = {0, 1000, 2000, 2000, 3000, 4000, 5000};
            for (int i = 0; i < times.size(); ++i) {
                LogEntry entry;
                entry.firstSeen = entry.lastSeen = at(T0 + times[i]);
                entry.severity = LogSeverity::Warning;
                entry.category = i % 2 ? QStringLiteral("dispatch") : QStringLiteral("alert");
                entry.message = QStringLiteral("entry %1").arg(i);
                entry.hostId = i < 2 ? m_host : QUuid();
                log.record(entry);
            }
        });
    }

    // Every page of `target` (which has a limit), following next_cursor.
    QList<qint64> walk(const QByteArray &target, const QString &token, int *pages)
    {
        QList<qint64> ids;
        QByteArray next = target;
        *pages = 0;
        while (!next.isEmpty() && *pages < 20) {
            const HttpsAnswer answer = call("GET", next, token);
            if (answer.status != 200) {
                qWarning() << answer.status << answer.body;
                return {};
            }
            ++*pages;
            ids.append(idsOf(answer.json().value(QStringLiteral("entries")).toArray()));
            const QJsonValue cursor = answer.json().value(QStringLiteral("next_cursor"));
            next = cursor.isNull() ? QByteArray() : target + "&cursor=" + cursor.toString().toLatin1();
        }
        return ids;
    }

    QList<AuditEntry> auditEntries(const QString &action)
    {
        return m_api->storage().runAndWait([action](Database &db) {
            QList<AuditEntry> entries = AuditLogStore(db).list({});
            entries.removeIf([&](const AuditEntry &entry) { return entry.action != action; });
            return entries;
        });
    }

private Q_SLOTS:
    void initTestCase() { m_testDatabase = std::make_unique<test::TestDatabase>(QStringLiteral("logapi")); }

    void init()
    {
        m_api = std::make_unique<test::ApiTestServer>(*m_testDatabase, this);
        mountLogRoutes(m_api->routes(), m_api->api());
        recordEntries();
        QString error;
        QVERIFY2(m_api->start(&error), qPrintable(error));
    }

    void cleanup() { m_api.reset(); }

    void listsNewestFirstWithTheUnreadCount()
    {
        const QString viewer = m_api->loginViewer();
        QCOMPARE(call("GET", "/api/v1/logs", {}).status, 401);
        const HttpsAnswer answer = call("GET", "/api/v1/logs", viewer);
        QCOMPARE(answer.status, 200);
        const QJsonArray entries = answer.json().value(QStringLiteral("entries")).toArray();
        QCOMPARE(entries.size(), 7);
        QCOMPARE(entries[0].toObject().value(QStringLiteral("message")).toString(),
                 QStringLiteral("entry 6"));
        QCOMPARE(entries[6].toObject().value(QStringLiteral("message")).toString(),
                 QStringLiteral("entry 0"));
        QCOMPARE(answer.json().value(QStringLiteral("unread_count")).toInt(), 7);
        QCOMPARE(answer.header("Prophasis-Unread-Count"), QByteArray("7"));
        QVERIFY(answer.json().value(QStringLiteral("next_cursor")).isNull());
    }

    void filters()
    {
        const QString viewer = m_api->loginViewer();
        HttpsAnswer answer = call("GET", "/api/v1/logs?category=dispatch", viewer);
        QCOMPARE(answer.json().value(QStringLiteral("entries")).toArray().size(), 3);
        answer = call("GET", "/api/v1/logs?host=" + m_host.toString(QUuid::WithoutBraces).toLatin1(), viewer);
        QCOMPARE(answer.json().value(QStringLiteral("entries")).toArray().size(), 2);
        answer = call("GET", "/api/v1/logs?since=" + QByteArray::number(T0 + 3000), viewer);
        QCOMPARE(answer.json().value(QStringLiteral("entries")).toArray().size(), 3);
        answer =
            call("GET", "/api/v1/logs?since=" + at(T0 + 3000).toString(Qt::ISODateWithMs).toLatin1(), viewer);
        QCOMPARE(answer.json().value(QStringLiteral("entries")).toArray().size(), 3);

        const QString admin = m_api->loginAdmin();
        QCOMPARE(call("POST", "/api/v1/logs/read", admin, {{QStringLiteral("all"), true}}).status, 200);
        answer = call("GET", "/api/v1/logs?unread=1", viewer);
        QCOMPARE(answer.json().value(QStringLiteral("entries")).toArray().size(), 0);
        QCOMPARE(answer.json().value(QStringLiteral("unread_count")).toInt(), 0);
    }

    void pagingSkipsNothing()
    {
        const QString viewer = m_api->loginViewer();
        const QList<qint64> all =
            idsOf(call("GET", "/api/v1/logs", viewer).json().value(QStringLiteral("entries")).toArray());
        for (int limit : {1, 2, 3, 7}) {
            int pages = 0;
            const QList<qint64> paged =
                walk("/api/v1/logs?limit=" + QByteArray::number(limit), viewer, &pages);
            QCOMPARE(paged, all);
            QVERIFY(pages >= (7 + limit - 1) / limit);
        }
    }

    void badParametersNameTheParameter_data()
    {
        QTest::addColumn<QByteArray>("target");
        QTest::addColumn<QString>("field");
        QTest::newRow("limit") << QByteArray("/api/v1/logs?limit=0") << QStringLiteral("limit");
        QTest::newRow("limit too high") << QByteArray("/api/v1/logs?limit=5000") << QStringLiteral("limit");
        QTest::newRow("host") << QByteArray("/api/v1/logs?host=web1") << QStringLiteral("host");
        QTest::newRow("since") << QByteArray("/api/v1/logs?since=soon") << QStringLiteral("since");
        QTest::newRow("unread") << QByteArray("/api/v1/logs?unread=maybe") << QStringLiteral("unread");
        QTest::newRow("cursor") << QByteArray("/api/v1/logs?cursor=abc") << QStringLiteral("cursor");
        QTest::newRow("audit until") << QByteArray("/api/v1/audit?until=later") << QStringLiteral("until");
        QTest::newRow("audit user") << QByteArray("/api/v1/audit?user=bob") << QStringLiteral("user");
        QTest::newRow("audit cursor") << QByteArray("/api/v1/audit?cursor=-3") << QStringLiteral("cursor");
    }

    void badParametersNameTheParameter()
    {
        QFETCH(QByteArray, target);
        QFETCH(QString, field);
        const HttpsAnswer answer = call("GET", target, m_api->loginAdmin());
        QCOMPARE(answer.status, 422);
        QVERIFY2(answer.json().value(QStringLiteral("fields")).toObject().contains(field),
                 answer.body.constData());
    }

    void markingReadIsAudited()
    {
        const QString admin = m_api->loginAdmin();
        const QList<qint64> ids =
            idsOf(call("GET", "/api/v1/logs", admin).json().value(QStringLiteral("entries")).toArray());
        HttpsAnswer answer = call("POST", "/api/v1/logs/read", admin,
                                  {{QStringLiteral("ids"), QJsonArray{ids[0], ids[1], qint64(999'999)}}});
        QVERIFY2(answer.status == 200, answer.body.constData());
        QCOMPARE(answer.json().value(QStringLiteral("marked")).toInt(), 2);
        QCOMPARE(answer.json().value(QStringLiteral("unread_count")).toInt(), 5);
        // Marking again changes nothing.
        answer = call("POST", "/api/v1/logs/read", admin, {{QStringLiteral("ids"), QJsonArray{ids[0]}}});
        QCOMPARE(answer.json().value(QStringLiteral("marked")).toInt(), 0);
        answer = call("POST", "/api/v1/logs/read", admin, {{QStringLiteral("all"), true}});
        QCOMPARE(answer.json().value(QStringLiteral("marked")).toInt(), 5);
        QCOMPARE(answer.json().value(QStringLiteral("unread_count")).toInt(), 0);

        const QList<AuditEntry> audit = auditEntries(QStringLiteral("mark_read"));
        QCOMPARE(audit.size(), 3);
        QCOMPARE(audit[0].username, QStringLiteral("admin"));
        QCOMPARE(audit[0].entityType, QStringLiteral("system_log"));
        QCOMPARE(audit[2].details.value(QStringLiteral("count")).toInt(), 2);
        QVERIFY(!audit[0].source.isEmpty());

        for (const QJsonObject &bad :
             {QJsonObject{{QStringLiteral("all"), false}}, QJsonObject{{QStringLiteral("ids"), QJsonArray{}}},
              QJsonObject{{QStringLiteral("ids"), QJsonArray{QStringLiteral("x")}}},
              QJsonObject{{QStringLiteral("ids"), QJsonArray{1.5}}},
              QJsonObject{{QStringLiteral("all"), true}, {QStringLiteral("ids"), QJsonArray{1}}}})
            QCOMPARE(call("POST", "/api/v1/logs/read", admin, bad).status, 422);
    }

    void clearingRemovesOnlyReadEntries()
    {
        const QString admin = m_api->loginAdmin();
        const QList<qint64> ids =
            idsOf(call("GET", "/api/v1/logs", admin).json().value(QStringLiteral("entries")).toArray());
        QCOMPARE(
            call("POST", "/api/v1/logs/read", admin, {{QStringLiteral("ids"), QJsonArray{ids[0], ids[3]}}})
                .status,
            200);
        HttpsAnswer answer = call("DELETE", "/api/v1/logs", admin);
        QVERIFY2(answer.status == 200, answer.body.constData());
        QCOMPARE(answer.json().value(QStringLiteral("removed")).toInt(), 2);
        QCOMPARE(answer.json().value(QStringLiteral("unread_count")).toInt(), 5);
        const QList<qint64> left =
            idsOf(call("GET", "/api/v1/logs", admin).json().value(QStringLiteral("entries")).toArray());
        QCOMPARE(left.size(), 5);
        QVERIFY(!left.contains(ids[0]) && !left.contains(ids[3]));
        const QList<AuditEntry> audit = auditEntries(QStringLiteral("clear"));
        QCOMPARE(audit.size(), 1);
        QCOMPARE(audit[0].details.value(QStringLiteral("count")).toInt(), 2);
    }

    void viewersAndOperatorsMayReadButNotManage()
    {
        for (const QString &token : {m_api->loginViewer(), m_api->loginOperator()}) {
            QCOMPARE(call("GET", "/api/v1/logs", token).status, 200);
            QCOMPARE(call("POST", "/api/v1/logs/read", token, {{QStringLiteral("all"), true}}).status, 403);
            QCOMPARE(call("DELETE", "/api/v1/logs", token).status, 403);
            QCOMPARE(call("GET", "/api/v1/audit", token).status, 403);
        }
        const HttpsAnswer answer = call("GET", "/api/v1/logs", m_api->loginAdmin());
        QCOMPARE(answer.json().value(QStringLiteral("unread_count")).toInt(), 7);
        QVERIFY(auditEntries(QStringLiteral("mark_read")).isEmpty());
    }

    void auditLogFilteredAndPaged()
    {
        const QUuid alice = QUuid::createUuid();
        const QUuid entity = QUuid::createUuid();
        m_api->storage().runAndWait([&](Database &db) {
            AuditLogStore audit(db);
            for (int i = 0; i < 9; ++i) {
                AuditEntry entry;
                entry.time = at(T0 + i * 1000);
                entry.userId = i % 3 == 0 ? alice : QUuid();
                entry.username = i % 3 == 0 ? QStringLiteral("alice") : QStringLiteral("bob");
                entry.action = QStringLiteral("update");
                entry.entityType = QStringLiteral("host");
                entry.entityId = i < 4 ? entity : QUuid::createUuid();
                entry.summary = QStringLiteral("change %1").arg(i);
                audit.append(entry);
            }
        });
        const QString admin = m_api->loginAdmin();
        HttpsAnswer answer = call("GET", "/api/v1/audit", admin);
        QCOMPARE(answer.status, 200);
        const QJsonArray all = answer.json().value(QStringLiteral("entries")).toArray();
        QCOMPARE(all.size(), 9);
        QCOMPARE(all[0].toObject().value(QStringLiteral("summary")).toString(), QStringLiteral("change 8"));

        answer = call("GET", "/api/v1/audit?user=" + alice.toString(QUuid::WithoutBraces).toLatin1(), admin);
        QCOMPARE(answer.json().value(QStringLiteral("entries")).toArray().size(), 3);
        answer =
            call("GET", "/api/v1/audit?entity=" + entity.toString(QUuid::WithoutBraces).toLatin1(), admin);
        QCOMPARE(answer.json().value(QStringLiteral("entries")).toArray().size(), 4);
        answer = call("GET",
                      "/api/v1/audit?since=" + QByteArray::number(T0 + 2000) +
                          "&until=" + at(T0 + 5000).toString(Qt::ISODateWithMs).toLatin1(),
                      admin);
        QCOMPARE(answer.json().value(QStringLiteral("entries")).toArray().size(), 4);

        int pages = 0;
        QCOMPARE(walk("/api/v1/audit?limit=2", admin, &pages), idsOf(all));
        QCOMPARE(pages, 5);
    }
};

QTEST_GUILESS_MAIN(TestLogApi)
#include "tst_logapi.moc"
