#include "tests/support/liveshop.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>

#include "tests/package/packagefixtures.h"

namespace prophasis::test {

namespace {

// Two failed runs in a row are critical and one unknown (the rule every default classifier
// starts with); a run that answers but reports the shop down is critical at once.
const QByteArray ShopClassifier =
    "local verdict = failureRule()\n"
    "if verdict then return verdict end\n"
    "local last = results[#results]\n"
    "if last.status == 'critical' or last.value < 1 then return 'critical' end\n"
    "return 'ok'\n";

const QHash<QString, QString> LoopbackAddress{{LiveShop::Web1, QStringLiteral("127.0.0.2")},
                                              {LiveShop::Web2, QStringLiteral("127.0.0.3")}};

QByteArray shopPackage()
{
    QJsonObject manifest = testing::testManifest(LiveShop::PluginId, QStringLiteral("1.0"));
    manifest.insert(QStringLiteral("name"), QStringLiteral("Shop up"));
    manifest.insert(QStringLiteral("default_n_historical"), 2);
    manifest.insert(QStringLiteral("view"), QStringLiteral("line"));
    return testing::packageArchive(QStringLiteral("shop"), manifest,
                                   {{QStringLiteral("bin/run"), "#!/bin/sh\necho '{\"value\": 1}'\n"},
                                    {QStringLiteral("classifier.lua"), ShopClassifier}});
}

QString describe(const QByteArray &what, const HttpsAnswer &answer)
{
    return QStringLiteral("%1: status %2 %3 %4")
        .arg(QString::fromUtf8(what))
        .arg(answer.status)
        .arg(QString::fromUtf8(answer.body), answer.error);
}

bool fail(QString *error, const QString &text)
{
    if (error)
        *error = text;
    qWarning().noquote() << "LiveShop:" << text;
    return false;
}

} // namespace

LiveShop::LiveShop(CoreProcess &core)
    : m_core(core)
{
}

bool LiveShop::setUp(QString *error)
{
    QString failure;
    if (!relogin())
        return fail(error, QStringLiteral("the admin cannot log in"));

    const QByteArray package = shopPackage();
    if (package.isEmpty())
        return fail(error, QStringLiteral("tar did not make the plugin package"));
    const HttpsAnswer uploaded = m_core.request(
        "POST", "/api/v1/plugins",
        {{"Authorization", "Bearer " + m_adminToken.toLatin1()}, {"Content-Type", "application/gzip"}},
        package);
    if (uploaded.status != 201)
        return fail(error, describe("POST /api/v1/plugins", uploaded));
    m_pluginId =
        uploaded.json().value(QStringLiteral("plugin")).toObject().value(QStringLiteral("id")).toString();
    m_packageSha256 = uploaded.json()
                          .value(QStringLiteral("package"))
                          .toObject()
                          .value(QStringLiteral("sha256"))
                          .toString();

    // The mock holds the package already, so runs start without a push.
    m_failing = {{Web1, false}, {Web2, false}};
    if (!m_mock.start(m_core.spkiSha256(), mockHosts()))
        return fail(error, QStringLiteral("the mock agents did not come up"));

    for (const QString &name : {Web1, Web2}) {
        const QJsonObject agent = m_mock.host(name);
        const QString id =
            create("/api/v1/hosts",
                   {{QStringLiteral("name"), name},
                    {QStringLiteral("address"), agent.value(QStringLiteral("address")).toString()},
                    {QStringLiteral("agent_port"), agent.value(QStringLiteral("port")).toInt()},
                    {QStringLiteral("agent_key_sha256"), agent.value(QStringLiteral("spki_sha256"))}},
                   &failure);
        if (id.isEmpty())
            return fail(error, failure);
        m_hostIds.insert(name, id);
    }
    m_checkId = create(
        "/api/v1/checks",
        {{QStringLiteral("name"), QStringLiteral("web")},
         {QStringLiteral("host_ids"), QJsonArray{web1Id(), web2Id()}},
         {QStringLiteral("plugins"), QJsonArray{QJsonObject{{QStringLiteral("plugin_id"), m_pluginId}}}}},
        &failure);
    if (m_checkId.isEmpty())
        return fail(error, failure);
    const QString anHourAgo = QDateTime::currentDateTimeUtc().addSecs(-3600).toString(Qt::ISODateWithMs);
    m_scheduleId = create(
        "/api/v1/schedules",
        {{QStringLiteral("name"), QStringLiteral("every second")},
         {QStringLiteral("intervals"),
          QJsonArray{QJsonObject{{QStringLiteral("start"), anHourAgo}, {QStringLiteral("period_s"), 1}}}},
         {QStringLiteral("check_ids"), QJsonArray{m_checkId}}},
        &failure);
    if (m_scheduleId.isEmpty())
        return fail(error, failure);
    const auto member = [](const QString &id) {
        return QJsonObject{{QStringLiteral("kind"), QStringLiteral("host")}, {QStringLiteral("id"), id}};
    };
    m_serviceId =
        create("/api/v1/services",
               {{QStringLiteral("name"), ServiceName},
                {QStringLiteral("description"), QStringLiteral("The web shop: up while one web server is up")},
                {QStringLiteral("redundancy_groups"),
                 QJsonArray{QJsonObject{
                     {QStringLiteral("name"), QStringLiteral("web servers")},
                     {QStringLiteral("members"), QJsonArray{member(web1Id()), member(web2Id())}}}}}},
               &failure);
    if (m_serviceId.isEmpty())
        return fail(error, failure);
    return true;
}

QJsonObject LiveShop::mockHosts() const
{
    QJsonObject hosts;
    for (const QString &name : {Web1, Web2}) {
        const bool failing = m_failing.value(name);
        const QJsonObject result{
            {QStringLiteral("value"), failing ? 0 : 1},
            {QStringLiteral("message"), failing ? QStringLiteral("shop down") : QStringLiteral("shop up")},
            {QStringLiteral("status"), failing ? QStringLiteral("critical") : QStringLiteral("ok")},
            // A metric beside the value, so a host page has two charts to draw.
            {QStringLiteral("metrics"),
             QJsonArray{QJsonObject{{QStringLiteral("name"), ResponseMetric},
                                    {QStringLiteral("value"), failing ? 5000 : 20},
                                    {QStringLiteral("unit"), QStringLiteral("ms")}}}}};
        QJsonObject entry = testing::MockAgentProcess::hostEntry(
            0, QStringLiteral("normal"),
            {{PluginId, testing::MockAgentProcess::pluginEntry(m_packageSha256, result)}});
        entry.insert(QStringLiteral("listen"), LoopbackAddress.value(name));
        // Keep the port it got: a rewrite must not move the agent the core has on record.
        if (const int port = m_mock.host(name).value(QStringLiteral("port")).toInt(); port != 0)
            entry.insert(QStringLiteral("port"), port);
        hosts.insert(name, entry);
    }
    return hosts;
}

bool LiveShop::flip(const QString &host, bool failing)
{
    if (!m_failing.contains(host))
        return false;
    m_failing.insert(host, failing);
    return m_mock.rewrite(mockHosts());
}

bool LiveShop::relogin()
{
    m_adminToken = m_core.loginAdmin();
    return !m_adminToken.isEmpty();
}

LiveShop::Credentials LiveShop::createViewer(const QString &username)
{
    Credentials viewer;
    viewer.username = username.isEmpty() ? QStringLiteral("viewer%1").arg(++m_viewers) : username;
    viewer.password = QStringLiteral("viewer password for %1").arg(viewer.username);
    QString error;
    viewer.id = create("/api/v1/users",
                       {{QStringLiteral("username"), viewer.username},
                        {QStringLiteral("full_name"), QStringLiteral("A viewer made by a test")},
                        {QStringLiteral("role"), QStringLiteral("viewer")},
                        {QStringLiteral("password"), viewer.password}},
                       &error);
    if (viewer.id.isEmpty())
        return {};
    return viewer;
}

QString LiveShop::hostState(const QString &host)
{
    const HttpsAnswer report = m_core.call("GET", "/api/v1/reports/hosts", m_adminToken);
    const QString id = hostId(host);
    for (const QJsonValue &entry : report.json().value(QStringLiteral("hosts")).toArray()) {
        if (entry.toObject().value(QStringLiteral("id")).toString() == id)
            return entry.toObject().value(QStringLiteral("state")).toString();
    }
    return {};
}

QString LiveShop::serviceState()
{
    const HttpsAnswer report = m_core.call("GET", "/api/v1/reports/services", m_adminToken);
    for (const QJsonValue &entry : report.json().value(QStringLiteral("services")).toArray()) {
        if (entry.toObject().value(QStringLiteral("id")).toString() == m_serviceId)
            return entry.toObject().value(QStringLiteral("state")).toString();
    }
    return {};
}

QString LiveShop::create(const QByteArray &target, const QJsonObject &body, QString *error)
{
    const HttpsAnswer created = m_core.call("POST", target, m_adminToken, body);
    const QString id = created.json().value(QStringLiteral("id")).toString();
    if (created.status != 201 || id.isEmpty()) {
        *error = describe("POST " + target, created);
        qWarning().noquote() << "LiveShop:" << *error;
        return {};
    }
    return id;
}

} // namespace prophasis::test
