#include <QDeadlineTimer>
#include <QJsonArray>
#include <QTest>

#include <memory>

#include "shared/tls/identity.h"
#include "tests/api/sseclient.h"
#include "tests/support/liveshop.h"

using namespace prophasis;
using test::HttpsAnswer;

namespace {

// Generous: a check runs every second, but the machine is shared and noisy.
constexpr int StateTimeoutMs = 60'000;

// The newest `health` event about `id` that moved to `to`, waiting for more events until one came.
bool waitForHealth(test::SseClient &stream, const QString &subject, const QString &id, const QString &to)
{
    QDeadlineTimer deadline(StateTimeoutMs);
    qsizetype seen = 0;
    while (!deadline.hasExpired()) {
        const QList<test::SseEvent> events =
            stream.waitForEvents(int(seen) + 1, int(deadline.remainingTime()));
        for (; seen < events.size(); ++seen) {
            const QJsonObject event = events.at(seen).json();
            if (events.at(seen).type == "health" &&
                event.value(QStringLiteral("subject")).toString() == subject &&
                event.value(QStringLiteral("id")).toString() == id &&
                event.value(QStringLiteral("to")).toString() == to)
                return true;
        }
    }
    return false;
}

} // namespace

// The live shop fixture on its own: a real prophasis-core (SQLite, loopback) configured through
// its API only, mock agents flipped to failing, the reports and the event stream following, and
// a core killed with SIGKILL coming back with the same shop.
class TestLiveShop : public QObject
{
    Q_OBJECT

    std::unique_ptr<test::CoreProcess> m_core;
    std::unique_ptr<test::LiveShop> m_shop;

    QList<std::pair<QByteArray, QByteArray>> bearer(const QString &token) const
    {
        return {{QByteArrayLiteral("Authorization"), "Bearer " + token.toLatin1()}};
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_core = std::make_unique<test::CoreProcess>();
        QVERIFY2(m_core->init(), qPrintable(m_core->log()));
        QVERIFY2(m_core->start(), qPrintable(m_core->log()));
        m_shop = std::make_unique<test::LiveShop>(*m_core);
        QString error;
        QVERIFY2(m_shop->setUp(&error), qPrintable(error + u'\n' + m_core->log()));
    }

    void cleanupTestCase()
    {
        m_shop.reset();
        if (m_core)
            QCOMPARE(m_core->stop(), 0);
    }

    void coreIsItsOwnFolderKeyAndPort()
    {
        QVERIFY(QFile::exists(m_core->dataDirectory() + QStringLiteral("/prophasis.db")));
        QString error;
        const std::optional<TlsIdentity> identity =
            TlsIdentity::load(m_core->dataDirectory() + QStringLiteral("/identity.key"),
                              m_core->dataDirectory() + QStringLiteral("/identity.crt"), &error);
        QVERIFY2(identity, qPrintable(error));
        QCOMPARE(m_core->spkiSha256(), spkiSha256(identity->certificate));
        QCOMPARE(m_core->baseUrl().toString(), QStringLiteral("https://127.0.0.1:%1").arg(m_core->port()));
        QCOMPARE(m_core->adminPassword().size(), 24);
        const HttpsAnswer healthz = m_core->request("GET", "/healthz");
        QVERIFY2(healthz.status == 200, qPrintable(healthz.error));
        QCOMPARE(spkiSha256(healthz.peerCertificate), m_core->spkiSha256());
        QVERIFY(m_core->loginAdmin().size() > 0);
        QVERIFY(m_core->login(QStringLiteral("admin"), QStringLiteral("not the password")).isEmpty());
    }

    void shopIsConfigured()
    {
        QVERIFY(!m_shop->adminToken().isEmpty());
        for (const QString &id : {m_shop->web1Id(), m_shop->web2Id(), m_shop->serviceId(), m_shop->checkId(),
                                  m_shop->scheduleId(), m_shop->pluginId()})
            QVERIFY(!QUuid::fromString(id).isNull());
        const HttpsAnswer host =
            m_core->call("GET", ("/api/v1/hosts/" + m_shop->web2Id()).toLatin1(), m_shop->adminToken());
        QCOMPARE(host.status, 200);
        QCOMPARE(host.json().value(QStringLiteral("address")).toString(), QStringLiteral("127.0.0.3"));
        QCOMPARE(host.json().value(QStringLiteral("agent_key_sha256")).toString(),
                 m_shop->mock().host(test::LiveShop::Web2).value(QStringLiteral("spki_sha256")).toString());
        const HttpsAnswer plugin =
            m_core->call("GET", ("/api/v1/plugins/" + m_shop->pluginId()).toLatin1(), m_shop->adminToken());
        QCOMPARE(plugin.status, 200);
        QCOMPARE(plugin.json().value(QStringLiteral("plugin_id")).toString(), test::LiveShop::PluginId);
        QCOMPARE(m_shop->packageSha256().size(), 64);
    }

    void bothHostsReportOk()
    {
        QTRY_COMPARE_WITH_TIMEOUT(m_shop->hostState(test::LiveShop::Web1), QStringLiteral("ok"),
                                  StateTimeoutMs);
        QTRY_COMPARE_WITH_TIMEOUT(m_shop->hostState(test::LiveShop::Web2), QStringLiteral("ok"),
                                  StateTimeoutMs);
        QTRY_COMPARE_WITH_TIMEOUT(m_shop->serviceState(), QStringLiteral("ok"), StateTimeoutMs);
        const HttpsAnswer report = m_core->call("GET", "/api/v1/reports/hosts", m_shop->adminToken());
        QCOMPARE(report.status, 200);
        QCOMPARE(report.json().value(QStringLiteral("counts")).toObject().value(QStringLiteral("ok")).toInt(),
                 2);
    }

    void hostReportHoldsTheStoredSeries()
    {
        // The last ten minutes in buckets of a second: each stored run is a point of its own.
        const QByteArray target = ("/api/v1/reports/hosts/" + m_shop->web1Id() + "?points=600&from=" +
                                   QDateTime::currentDateTimeUtc().addSecs(-600).toString(Qt::ISODate))
                                      .toLatin1();
        const auto web = [&] {
            return m_core->call("GET", target, m_shop->adminToken())
                .json()
                .value(QStringLiteral("series"))
                .toArray()
                .first()
                .toObject();
        };
        const auto points = [](const QJsonObject &chart) {
            return chart.value(QStringLiteral("points")).toArray();
        };
        QTRY_VERIFY_WITH_TIMEOUT(points(web().value(QStringLiteral("value")).toObject()).size() >= 2,
                                 StateTimeoutMs);
        const HttpsAnswer detail = m_core->call("GET", target, m_shop->adminToken());
        QCOMPARE(detail.status, 200);
        const QJsonArray series = detail.json().value(QStringLiteral("series")).toArray();
        QCOMPARE(series.size(), 1);
        const QJsonObject shop = series.first().toObject();
        QCOMPARE(shop.value(QStringLiteral("check_id")).toString(), m_shop->checkId());
        QCOMPARE(shop.value(QStringLiteral("plugin_key")).toString(), test::LiveShop::PluginId);
        QCOMPARE(shop.value(QStringLiteral("state")).toString(), QStringLiteral("ok"));
        QCOMPARE(points(shop.value(QStringLiteral("value")).toObject())
                     .last()
                     .toObject()
                     .value(QStringLiteral("max"))
                     .toDouble(),
                 1.0);
        const QJsonArray metrics = shop.value(QStringLiteral("metrics")).toArray();
        QCOMPARE(metrics.size(), 1);
        const QJsonObject responseTime = metrics.first().toObject();
        QCOMPARE(responseTime.value(QStringLiteral("metric")).toString(), test::LiveShop::ResponseMetric);
        QCOMPARE(responseTime.value(QStringLiteral("unit")).toString(), QStringLiteral("ms"));
        QVERIFY(!points(responseTime).isEmpty());
        QCOMPARE(points(responseTime).last().toObject().value(QStringLiteral("max")).toDouble(), 20.0);
    }

    void flippingWeb2MakesItCriticalAndTheServiceDegraded()
    {
        test::SseClient stream(m_core->port(), "/api/v1/events?types=health", bearer(m_shop->adminToken()));
        QCOMPARE(stream.waitForHead(), 200);
        QVERIFY(m_shop->flip(test::LiveShop::Web2, true));
        QVERIFY2(waitForHealth(stream, QStringLiteral("host"), m_shop->web2Id(), QStringLiteral("critical")),
                 qPrintable(m_core->log()));
        QVERIFY(waitForHealth(stream, QStringLiteral("service"), m_shop->serviceId(),
                              QStringLiteral("degraded")));
        QTRY_COMPARE_WITH_TIMEOUT(m_shop->hostState(test::LiveShop::Web2), QStringLiteral("critical"),
                                  StateTimeoutMs);
        QTRY_COMPARE_WITH_TIMEOUT(m_shop->serviceState(), QStringLiteral("degraded"), StateTimeoutMs);
        QCOMPARE(m_shop->hostState(test::LiveShop::Web1), QStringLiteral("ok"));
        // Worst first: the failing host leads the list.
        const QJsonArray hosts = m_core->call("GET", "/api/v1/reports/hosts", m_shop->adminToken())
                                     .json()
                                     .value(QStringLiteral("hosts"))
                                     .toArray();
        QCOMPARE(hosts.first().toObject().value(QStringLiteral("id")).toString(), m_shop->web2Id());
    }

    void flippingBackRecovers()
    {
        test::SseClient stream(m_core->port(), "/api/v1/events?types=health", bearer(m_shop->adminToken()));
        QCOMPARE(stream.waitForHead(), 200);
        QVERIFY(m_shop->flip(test::LiveShop::Web2, false));
        QVERIFY(waitForHealth(stream, QStringLiteral("service"), m_shop->serviceId(), QStringLiteral("ok")));
        QTRY_COMPARE_WITH_TIMEOUT(m_shop->hostState(test::LiveShop::Web2), QStringLiteral("ok"),
                                  StateTimeoutMs);
        QCOMPARE(m_shop->serviceState(), QStringLiteral("ok"));
    }

    void viewerReadsButDoesNotChange()
    {
        const test::LiveShop::Credentials viewer = m_shop->createViewer();
        QVERIFY(!viewer.id.isEmpty());
        QVERIFY(m_shop->createViewer().username != viewer.username);
        const QString token = m_core->login(viewer.username, viewer.password);
        QVERIFY(!token.isEmpty());
        QCOMPARE(m_core->call("GET", "/api/v1/reports/services", token).status, 200);
        QCOMPARE(
            m_core->call("POST", "/api/v1/hosts", token, {{QStringLiteral("name"), QStringLiteral("web3")}})
                .status,
            403);
    }

    void killedCoreServesTheSameShopAgain()
    {
        QVERIFY(m_shop->flip(test::LiveShop::Web2, true));
        QTRY_COMPARE_WITH_TIMEOUT(m_shop->hostState(test::LiveShop::Web2), QStringLiteral("critical"),
                                  StateTimeoutMs);
        const qint64 firstPid = m_core->processId();
        m_core->kill();
        QVERIFY(!m_core->isRunning());
        QCOMPARE(m_core->request("GET", "/healthz").status, 0);

        QVERIFY2(m_core->start(), qPrintable(m_core->log()));
        QVERIFY(m_core->processId() != firstPid);
        QVERIFY(m_shop->relogin());
        const HttpsAnswer service =
            m_core->call("GET", ("/api/v1/services/" + m_shop->serviceId()).toLatin1(), m_shop->adminToken());
        QCOMPARE(service.status, 200);
        QCOMPARE(service.json().value(QStringLiteral("name")).toString(), test::LiveShop::ServiceName);
        // The same hosts, still judged as they were, and still checked: web2 recovers.
        QTRY_COMPARE_WITH_TIMEOUT(m_shop->hostState(test::LiveShop::Web2), QStringLiteral("critical"),
                                  StateTimeoutMs);
        QTRY_COMPARE_WITH_TIMEOUT(m_shop->serviceState(), QStringLiteral("degraded"), StateTimeoutMs);
        QVERIFY(m_shop->flip(test::LiveShop::Web2, false));
        QTRY_COMPARE_WITH_TIMEOUT(m_shop->hostState(test::LiveShop::Web2), QStringLiteral("ok"),
                                  StateTimeoutMs);
        QTRY_COMPARE_WITH_TIMEOUT(m_shop->serviceState(), QStringLiteral("ok"), StateTimeoutMs);
        QCOMPARE(m_shop->hostState(test::LiveShop::Web1), QStringLiteral("ok"));
    }

    void restartStopsCleanly()
    {
        QVERIFY2(m_core->restart(), qPrintable(m_core->log()));
        QVERIFY2(m_core->log().contains(QStringLiteral("core running")), qPrintable(m_core->log()));
        QVERIFY(m_shop->relogin());
        QTRY_COMPARE_WITH_TIMEOUT(m_shop->serviceState(), QStringLiteral("ok"), StateTimeoutMs);
    }
};

QTEST_GUILESS_MAIN(TestLiveShop)
#include "tst_liveshop.moc"
