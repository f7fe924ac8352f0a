#include <QJsonArray>
#include <QTest>

#include <memory>

#include "daemon-core/api/reportroutes.h"
#include "daemon-core/reports/statichealthsource.h"
#include "daemon-core/storage/checkstore.h"
#include "daemon-core/storage/configurationloader.h"
#include "daemon-core/storage/healthhistorystore.h"
#include "daemon-core/storage/hoststore.h"
#include "daemon-core/storage/pluginstore.h"
#include "daemon-core/storage/resultstore.h"
#include "daemon-core/storage/secretbox.h"
#include "daemon-core/storage/servicestore.h"
#include "tests/api/apitestserver.h"

using namespace prophasis;
using test::HttpsAnswer;

namespace {

constexpr qint64 MinuteMs = 60'000;
constexpr qint64 HourMs = 60 * MinuteMs;
constexpr qint64 DayMs = 24 * HourMs;
constexpr qint64 StepMs = 5 * MinuteMs;

QByteArray ms(const QDateTime &time)
{
    return QByteArray::number(time.toMSecsSinceEpoch());
}

qint64 pointCount(const QJsonObject &chart)
{
    qint64 sum = 0;
    for (const QJsonValue &point : chart.value(QStringLiteral("points")).toArray())
        sum += point.toObject().value(QStringLiteral("count")).toInteger();
    return sum;
}

} // namespace

// The report routes over real TLS with stored results, on SQLite and PostgreSQL: hosts and
// services worst first, a host's downsampled charts, messages and state changes, a service's
// structure, parameters checked (422 naming the parameter), every role may read.
class TestReportApi : public QObject
{
    Q_OBJECT

    std::unique_ptr<test::TestDatabase> m_testDatabase;
    std::unique_ptr<test::ApiTestServer> m_api;
    std::unique_ptr<StaticHealthSource> m_health;
    QDateTime m_now;   // the newest result's time
    QDateTime m_start; // the first result of web1's load (a whole hour)
    QUuid m_web1, m_web2, m_web3, m_load, m_disk, m_check, m_service;
    int m_loadResults = 0;

    HttpsAnswer get(const QByteArray &target, const QString &token)
    {
        return m_api->call("GET", target, token);
    }
    QByteArray hostPath(const QUuid &id)
    {
        return "/api/v1/reports/hosts/" + id.toString(QUuid::WithoutBraces).toLatin1();
    }

    void createShop()
    {
        m_api->storage().runAndWait([this](Database &db) {
            Host host;
            host.address = QStringLiteral("127.0.0.1");
            host.name = QStringLiteral("web1");
            m_web1 = HostStore(db).create(host).id;
            host.name = QStringLiteral("web2");
            m_web2 = HostStore(db).create(host).id;
            host.name = QStringLiteral("web3");
            m_web3 = HostStore(db).create(host).id;
            Plugin plugin;
            plugin.pluginVersion = QStringLiteral("1.0");
            plugin.entry = QStringLiteral("main.lua");
            plugin.classifier.source = QStringLiteral("return 'ok'");
            plugin.pluginId = QStringLiteral("org.prophasis.load");
            plugin.name = QStringLiteral("Load");
            m_load = PluginStore(db).create(plugin).id;
            plugin.pluginId = QStringLiteral("org.prophasis.disk");
            plugin.name = QStringLiteral("Disk");
            m_disk = PluginStore(db).create(plugin).id;
            Check check;
            check.name = QStringLiteral("basics");
            check.hostIds = {m_web1, m_web2, m_web3};
            check.plugins = {{m_load, {}, std::nullopt}, {m_disk, {}, std::nullopt}};
            m_check = CheckStore(db).create(check).id;
            Service service;
            service.name = QStringLiteral("site");
            service.dependencies = {{MemberKind::Host, m_web2, {}}};
            RedundancyGroup group;
            group.name = QStringLiteral("web servers");
            group.members = {{MemberKind::Host, m_web1, {}}, {MemberKind::HostPlugin, m_web2, m_load}};
            service.redundancyGroups = {group};
            m_service = ServiceStore(db).create(service).id;

            // web1's load every five minutes for three days, the newest one critical.
            QList<CheckResult> batch;
            // Back from the newest, so one falls on m_now.
            QList<QDateTime> times;
            for (QDateTime time = m_now; time >= m_start; time = time.addMSecs(-StepMs))
                times.prepend(time);
            for (const QDateTime &time : std::as_const(times)) {
                CheckResult result;
                result.hostId = m_web1;
                result.checkId = m_check;
                result.pluginId = m_load;
                result.time = time;
                result.value = double(batch.size() % 10);
                result.metrics = {{QStringLiteral("load5"), double(batch.size() % 10) * 2, QString()}};
                result.message = QStringLiteral("load fine");
                result.classification = State::Ok;
                batch.append(result);
            }
            batch.last().message = QStringLiteral("load high");
            batch.last().classification = State::Critical;
            m_loadResults = int(batch.size());
            CheckResult web2;
            web2.hostId = m_web2;
            web2.checkId = m_check;
            web2.pluginId = m_disk;
            web2.time = m_now;
            web2.value = 40;
            web2.message = QStringLiteral("40% used");
            web2.classification = State::Ok;
            batch.append(web2);
            web2.pluginId = m_load;
            batch.append(web2);
            ResultStore(db).insert(batch);

            HealthHistoryStore(db).append({{.time = m_now,
                                            .subject = HealthSubject::Host,
                                            .subjectId = m_web1,
                                            .from = State::Ok,
                                            .to = State::Critical},
                                           {.time = m_start.addMSecs(-DayMs),
                                            .subject = HealthSubject::Host,
                                            .subjectId = m_web1,
                                            .from = State::NoData,
                                            .to = State::Ok},
                                           {.time = m_now,
                                            .subject = HealthSubject::Service,
                                            .subjectId = m_service,
                                            .from = State::Ok,
                                            .to = State::Degraded}});
        });
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_testDatabase = std::make_unique<test::TestDatabase>(QStringLiteral("reportapi"));
    }

    void init()
    {
        m_api = std::make_unique<test::ApiTestServer>(*m_testDatabase, this);
        const qint64 nowMs = QDateTime::currentMSecsSinceEpoch() / MinuteMs * MinuteMs - MinuteMs;
        m_now = QDateTime::fromMSecsSinceEpoch(nowMs, Qt::UTC);
        m_start = QDateTime::fromMSecsSinceEpoch((nowMs - 3 * DayMs) / HourMs * HourMs, Qt::UTC);
        createShop();
        const SecretBox secrets(SecretBox::generateKey());
        const auto [config, latest] = m_api->storage().runAndWait([&secrets](Database &db) {
            return std::pair{loadConfiguration(db, secrets), ResultStore(db).latest()};
        });
        m_health = std::make_unique<StaticHealthSource>(config, latest);
        mountReportRoutes(m_api->routes(), m_api->api(), *m_health);
        QString error;
        QVERIFY2(m_api->start(&error), qPrintable(error));
    }

    void cleanup()
    {
        m_api.reset();
        m_health.reset();
    }

    void hostsWorstFirstForEveryRole()
    {
        QCOMPARE(get("/api/v1/reports/hosts", {}).status, 401);
        for (const QString &token : {m_api->loginViewer(), m_api->loginOperator(), m_api->loginAdmin()}) {
            const HttpsAnswer answer = get("/api/v1/reports/hosts", token);
            QCOMPARE(answer.status, 200);
            const QJsonArray hosts = answer.json().value(QStringLiteral("hosts")).toArray();
            QCOMPARE(hosts.size(), 3);
            QCOMPARE(hosts[0].toObject().value(QStringLiteral("name")).toString(), QStringLiteral("web1"));
            QCOMPARE(hosts[0].toObject().value(QStringLiteral("state")).toString(),
                     QStringLiteral("critical"));
            QCOMPARE(hosts[1].toObject().value(QStringLiteral("name")).toString(), QStringLiteral("web2"));
            QCOMPARE(hosts[1].toObject().value(QStringLiteral("state")).toString(), QStringLiteral("ok"));
            QCOMPARE(hosts[2].toObject().value(QStringLiteral("state")).toString(),
                     QStringLiteral("no_data"));
            const QJsonObject web1Series = hosts[0].toObject().value(QStringLiteral("series")).toObject();
            QCOMPARE(web1Series.value(QStringLiteral("critical")).toInt(), 1);
            QCOMPARE(web1Series.value(QStringLiteral("no_data")).toInt(), 1); // its disk never reported
            QCOMPARE(
                QDateTime::fromString(hosts[0].toObject().value(QStringLiteral("newest_result")).toString(),
                                      Qt::ISODateWithMs),
                m_now);
            const QJsonObject counts = answer.json().value(QStringLiteral("counts")).toObject();
            QCOMPARE(counts.value(QStringLiteral("critical")).toInt(), 1);
            QCOMPARE(counts.value(QStringLiteral("ok")).toInt(), 1);
            QCOMPARE(counts.value(QStringLiteral("no_data")).toInt(), 1);
        }
    }

    void hostDetailFromHourlyRollups()
    {
        const QString viewer = m_api->loginViewer();
        const HttpsAnswer answer = get(hostPath(m_web1) + "?from=" + ms(m_start) +
                                           "&to=" + ms(m_now.addMSecs(MinuteMs)) + "&points=50",
                                       viewer);
        QVERIFY2(answer.status == 200, answer.body.constData());
        const QJsonObject report = answer.json();
        QCOMPARE(report.value(QStringLiteral("points")).toInt(), 50);
        QCOMPARE(report.value(QStringLiteral("host")).toObject().value(QStringLiteral("state")).toString(),
                 QStringLiteral("critical"));
        const QJsonArray series = report.value(QStringLiteral("series")).toArray();
        QCOMPARE(series.size(), 2); // Disk, then Load
        QCOMPARE(series[0].toObject().value(QStringLiteral("plugin_name")).toString(),
                 QStringLiteral("Disk"));
        QVERIFY(series[0].toObject().value(QStringLiteral("latest")).isNull());
        const QJsonObject load = series[1].toObject();
        QCOMPARE(load.value(QStringLiteral("plugin_key")).toString(), QStringLiteral("org.prophasis.load"));
        QCOMPARE(load.value(QStringLiteral("check_name")).toString(), QStringLiteral("basics"));
        QCOMPARE(load.value(QStringLiteral("state")).toString(), QStringLiteral("critical"));
        const QJsonObject latest = load.value(QStringLiteral("latest")).toObject();
        QCOMPARE(latest.value(QStringLiteral("message")).toString(), QStringLiteral("load high"));
        QCOMPARE(latest.value(QStringLiteral("classification")).toString(), QStringLiteral("critical"));

        // Three days: hourly rollups, at most 50 points holding every result once.
        const QJsonObject value = load.value(QStringLiteral("value")).toObject();
        QCOMPARE(value.value(QStringLiteral("source")).toString(), QStringLiteral("hourly"));
        QVERIFY(value.value(QStringLiteral("points")).toArray().size() <= 50);
        QVERIFY(value.value(QStringLiteral("points")).toArray().size() >= 30);
        QCOMPARE(pointCount(value), qint64(m_loadResults));
        const QJsonObject firstPoint = value.value(QStringLiteral("points")).toArray().first().toObject();
        QCOMPARE(firstPoint.value(QStringLiteral("min")).toDouble(), 0.0);
        QCOMPARE(firstPoint.value(QStringLiteral("max")).toDouble(), 9.0);
        const QJsonArray metrics = load.value(QStringLiteral("metrics")).toArray();
        QCOMPARE(metrics.size(), 1);
        QCOMPARE(metrics[0].toObject().value(QStringLiteral("metric")).toString(), QStringLiteral("load5"));
        QCOMPARE(pointCount(metrics[0].toObject()), qint64(m_loadResults));
        QCOMPARE(metrics[0]
                     .toObject()
                     .value(QStringLiteral("points"))
                     .toArray()
                     .first()
                     .toObject()
                     .value(QStringLiteral("max"))
                     .toDouble(),
                 18.0);

        // Messages newest first, repeats folded into one line.
        const QJsonArray messages = load.value(QStringLiteral("messages")).toArray();
        QCOMPARE(messages.size(), 2);
        QCOMPARE(messages[0].toObject().value(QStringLiteral("message")).toString(),
                 QStringLiteral("load high"));
        QCOMPARE(messages[0].toObject().value(QStringLiteral("count")).toInt(), 1);
        QCOMPARE(messages[1].toObject().value(QStringLiteral("message")).toString(),
                 QStringLiteral("load fine"));
        QVERIFY(messages[1].toObject().value(QStringLiteral("count")).toInt() > 100);

        // State changes in the range only.
        const QJsonArray changes = report.value(QStringLiteral("changes")).toArray();
        QCOMPARE(changes.size(), 1);
        QCOMPARE(changes[0].toObject().value(QStringLiteral("from")).toString(), QStringLiteral("ok"));
        QCOMPARE(changes[0].toObject().value(QStringLiteral("to")).toString(), QStringLiteral("critical"));
    }

    void shortRangeFromRawResults()
    {
        const QString viewer = m_api->loginViewer();
        const QDateTime from = m_now.addMSecs(-6 * HourMs);
        const HttpsAnswer answer =
            get(hostPath(m_web1) + "?from=" + from.toString(Qt::ISODateWithMs).toLatin1() +
                    "&to=" + ms(m_now.addMSecs(1)) + "&points=20",
                viewer);
        QVERIFY2(answer.status == 200, answer.body.constData());
        const QJsonObject load = answer.json().value(QStringLiteral("series")).toArray()[1].toObject();
        const QJsonObject value = load.value(QStringLiteral("value")).toObject();
        QCOMPARE(value.value(QStringLiteral("source")).toString(), QStringLiteral("raw"));
        QCOMPARE(value.value(QStringLiteral("points")).toArray().size(), 20);
        QCOMPARE(pointCount(value), qint64(6 * HourMs / StepMs + 1));
        // The change before the range is not in it; older ones come with a longer range.
        QCOMPARE(answer.json().value(QStringLiteral("changes")).toArray().size(), 1);
        const HttpsAnswer longer =
            get(hostPath(m_web1) + "?from=" + ms(m_start.addMSecs(-2 * DayMs)), viewer);
        QCOMPARE(longer.status, 200);
        QCOMPARE(longer.json().value(QStringLiteral("changes")).toArray().size(), 2);
    }

    void defaultsAreTheLastDayIn300Points()
    {
        const HttpsAnswer answer = get(hostPath(m_web2), m_api->loginViewer());
        QVERIFY2(answer.status == 200, answer.body.constData());
        const QJsonObject report = answer.json();
        QCOMPARE(report.value(QStringLiteral("points")).toInt(), 300);
        const QDateTime from =
            QDateTime::fromString(report.value(QStringLiteral("from")).toString(), Qt::ISODateWithMs);
        const QDateTime to =
            QDateTime::fromString(report.value(QStringLiteral("to")).toString(), Qt::ISODateWithMs);
        QCOMPARE(from.msecsTo(to), DefaultReportRangeMs);
        QVERIFY(to >= m_now);
        const QJsonObject disk = report.value(QStringLiteral("series")).toArray()[0].toObject();
        QCOMPARE(disk.value(QStringLiteral("latest")).toObject().value(QStringLiteral("value")).toDouble(),
                 40.0);
    }

    void badParametersNameTheParameter_data()
    {
        QTest::addColumn<QByteArray>("query");
        QTest::addColumn<QString>("field");
        QTest::newRow("points zero") << QByteArray("points=0") << QStringLiteral("points");
        QTest::newRow("too many points") << QByteArray("points=100000") << QStringLiteral("points");
        QTest::newRow("points not a number") << QByteArray("points=many") << QStringLiteral("points");
        QTest::newRow("from not a time") << QByteArray("from=yesterday") << QStringLiteral("from");
        QTest::newRow("to not a time") << QByteArray("to=2026-13-45") << QStringLiteral("to");
        QTest::newRow("from after to") << QByteArray("from=2000&to=1000") << QStringLiteral("from");
        QTest::newRow("range too long")
            << QByteArray("from=2020-01-01T00:00:00Z&to=2022-01-01T00:00:00Z") << QStringLiteral("from");
    }

    void badParametersNameTheParameter()
    {
        QFETCH(QByteArray, query);
        QFETCH(QString, field);
        const HttpsAnswer answer = get(hostPath(m_web1) + '?' + query, m_api->loginViewer());
        QCOMPARE(answer.status, 422);
        QVERIFY2(answer.json().value(QStringLiteral("fields")).toObject().contains(field),
                 answer.body.constData());
    }

    void unknownIdsAreNotFound()
    {
        const QString viewer = m_api->loginViewer();
        QCOMPARE(get(hostPath(QUuid::createUuid()), viewer).status, 404);
        QCOMPARE(get("/api/v1/reports/hosts/not-a-uuid", viewer).status, 404);
        QCOMPARE(
            get("/api/v1/reports/services/" + QUuid::createUuid().toString(QUuid::WithoutBraces).toLatin1(),
                viewer)
                .status,
            404);
    }

    void servicesAndTheirStructure()
    {
        const QString viewer = m_api->loginViewer();
        const HttpsAnswer list = get("/api/v1/reports/services", viewer);
        QCOMPARE(list.status, 200);
        const QJsonArray services = list.json().value(QStringLiteral("services")).toArray();
        QCOMPARE(services.size(), 1);
        QCOMPARE(services[0].toObject().value(QStringLiteral("name")).toString(), QStringLiteral("site"));
        // web2 ok as a dependency; the group holds web1 (critical) and Load on web2 (ok): degraded.
        QCOMPARE(services[0].toObject().value(QStringLiteral("state")).toString(),
                 QStringLiteral("degraded"));
        QCOMPARE(
            list.json().value(QStringLiteral("counts")).toObject().value(QStringLiteral("degraded")).toInt(),
            1);

        const HttpsAnswer detail =
            get("/api/v1/reports/services/" + m_service.toString(QUuid::WithoutBraces).toLatin1(), viewer);
        QVERIFY2(detail.status == 200, detail.body.constData());
        const QJsonObject json = detail.json();
        QCOMPARE(json.value(QStringLiteral("service")).toObject().value(QStringLiteral("state")).toString(),
                 QStringLiteral("degraded"));
        const QJsonObject dependency = json.value(QStringLiteral("dependencies")).toArray()[0].toObject();
        QCOMPARE(dependency.value(QStringLiteral("name")).toString(), QStringLiteral("web2"));
        QCOMPARE(dependency.value(QStringLiteral("state")).toString(), QStringLiteral("ok"));
        const QJsonObject group = json.value(QStringLiteral("redundancy_groups")).toArray()[0].toObject();
        QCOMPARE(group.value(QStringLiteral("name")).toString(), QStringLiteral("web servers"));
        QCOMPARE(group.value(QStringLiteral("state")).toString(), QStringLiteral("degraded"));
        const QJsonArray members = group.value(QStringLiteral("members")).toArray();
        QCOMPARE(members[0].toObject().value(QStringLiteral("state")).toString(), QStringLiteral("critical"));
        QCOMPARE(members[1].toObject().value(QStringLiteral("kind")).toString(),
                 QStringLiteral("host_plugin"));
        QCOMPARE(members[1].toObject().value(QStringLiteral("plugin_name")).toString(),
                 QStringLiteral("Load"));
        QCOMPARE(members[1].toObject().value(QStringLiteral("state")).toString(), QStringLiteral("ok"));
        const QJsonArray changes = json.value(QStringLiteral("changes")).toArray();
        QCOMPARE(changes.size(), 1);
        QCOMPARE(changes[0].toObject().value(QStringLiteral("subject")).toString(),
                 QStringLiteral("service"));
        QCOMPARE(changes[0].toObject().value(QStringLiteral("to")).toString(), QStringLiteral("degraded"));

        QCOMPARE(
            get("/api/v1/reports/services/" + m_service.toString(QUuid::WithoutBraces).toLatin1() + "?from=x",
                viewer)
                .status,
            422);
    }
};

QTEST_GUILESS_MAIN(TestReportApi)
#include "tst_reportapi.moc"
