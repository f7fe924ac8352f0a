#include <QTest>

#include <memory>

#include "daemon-core/serverchecks/serverpluginregistry.h"
#include "daemon-core/serverchecks/serverplugins.h"
#include "daemon-core/storage/pluginstore.h"
#include "tests/storage/testdatabase.h"

using namespace prophasis;

namespace {

QByteArray manifest(const QString &runtime, const QString &entry)
{
    return QStringLiteral(
               R"({"id": "org.example.check", "name": "Check", "description": "d", "version": "1.0",
        "runtime": "%1", "entry": "%2", "default_n_historical": 2, "default_classifier": "c.lua"})")
        .arg(runtime, entry)
        .toUtf8();
}

} // namespace

// The built-in server plugins' definitions (embedded from plugins/server) and their registration
// in the database, on SQLite and PostgreSQL.
class TestServerPlugins : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        m_testDatabase = std::make_unique<test::TestDatabase>(QStringLiteral("serverplugins"));
    }

    void theBuiltInDefinitions()
    {
        const QList<Plugin> plugins = builtInServerPlugins();
        QCOMPARE(plugins.size(), 4);
        QStringList ids;
        for (const Plugin &plugin : plugins) {
            ids.append(plugin.pluginId);
            QCOMPARE(plugin.runtime, PluginRuntime::Server);
            QCOMPARE(plugin.pluginId, QStringLiteral("org.prophasis.") + plugin.entry);
            QVERIFY(plugin.classifier.source.contains(QStringLiteral("failureRule()")));
            QCOMPARE(plugin.classifier.nHistorical, 3);
            QCOMPARE(plugin.timeoutSeconds, 10);
            QVERIFY(plugin.packageSha256.isEmpty());
            QVERIFY(!plugin.arguments.isEmpty());
        }
        QCOMPARE(ids, (QStringList{"org.prophasis.http", "org.prophasis.tcp", "org.prophasis.ping",
                                   "org.prophasis.dns"}));
        const Plugin &http = plugins[0];
        QCOMPARE(http.arguments[0].name, QStringLiteral("url"));
        QCOMPARE(http.arguments[0].defaultValue, QJsonValue(QStringLiteral("https://{address}/")));
        QVERIFY(plugins[1].arguments[0].required); // tcp's port
    }

    void onlyServerManifestsOfKnownKinds()
    {
        QString error;
        QVERIFY(serverPluginFromManifest(manifest("server", "dns"), QStringLiteral("return 'ok'"), &error));
        QVERIFY(!serverPluginFromManifest(manifest("exec", "dns"), {}, &error));
        QCOMPARE(error, QStringLiteral("manifest.json: 'runtime' must be server"));
        QVERIFY(!serverPluginFromManifest(manifest("server", "smtp"), {}, &error));
        QCOMPARE(error, QStringLiteral("manifest.json: 'entry' must be one of http, tcp, ping, dns"));
        QVERIFY(!serverPluginFromManifest(manifest("server", "../dns"), {}, &error));
    }

    void registersOnceAndIsIdempotent()
    {
        const std::unique_ptr<Database> db = m_testDatabase->freshMigratedDatabase();
        ServerPluginRegistration registration = registerServerPlugins(*db);
        QCOMPARE(registration.created.size(), 4);
        QVERIFY(registration.skipped.isEmpty());
        const std::optional<Plugin> ping =
            PluginStore(*db).findByPluginId(QStringLiteral("org.prophasis.ping"));
        QVERIFY(ping);
        QCOMPARE(ping->runtime, PluginRuntime::Server);
        QCOMPARE(ping->entry, QStringLiteral("ping"));
        QCOMPARE(ping->version, qint64(1));
        QVERIFY(ping->classifier.source.contains(QStringLiteral("ping_loss_crit")));
        const std::optional<Plugin> tcp =
            PluginStore(*db).findByPluginId(QStringLiteral("org.prophasis.tcp"));
        QVERIFY(tcp && tcp->arguments[0].required);

        registration = registerServerPlugins(*db);
        QVERIFY(registration.created.isEmpty());
        QCOMPARE(registration.unchanged.size(), 4);
        QCOMPARE(PluginStore(*db).list().size(), 4);
        QCOMPARE(PluginStore(*db).get(ping->id).version, qint64(1));
    }

    void upgradesOlderVersionsKeepingTheirIdentity()
    {
        const std::unique_ptr<Database> db = m_testDatabase->freshMigratedDatabase();
        QList<Plugin> plugins = builtInServerPlugins();
        for (Plugin &plugin : plugins) {
            plugin.pluginVersion = QStringLiteral("0.9");
            plugin.classifier.source = QStringLiteral("return 'ok'");
        }
        registerServerPlugins(*db, plugins);
        const Plugin old = *PluginStore(*db).findByPluginId(QStringLiteral("org.prophasis.http"));

        const ServerPluginRegistration registration = registerServerPlugins(*db);
        QCOMPARE(registration.upgraded.size(), 4);
        const Plugin upgraded = PluginStore(*db).get(old.id);
        QCOMPARE(upgraded.pluginVersion, QStringLiteral("1.0.0"));
        QCOMPARE(upgraded.version, old.version + 1);
        QVERIFY(upgraded.classifier.source.contains(QStringLiteral("cert_warn_days")));

        // A newer stored version (a core that was downgraded) is left alone.
        for (Plugin &plugin : plugins)
            plugin.pluginVersion = QStringLiteral("0.5");
        QCOMPARE(registerServerPlugins(*db, plugins).unchanged.size(), 4);
        QCOMPARE(PluginStore(*db).get(old.id).pluginVersion, QStringLiteral("1.0.0"));
    }

    void neverTouchesOtherPlugins()
    {
        const std::unique_ptr<Database> db = m_testDatabase->freshMigratedDatabase();
        PluginStore store(*db);
        // An uploaded plugin that took the id of a built-in one, and one that took a name.
        Plugin uploaded;
        uploaded.pluginId = QStringLiteral("org.prophasis.ping");
        uploaded.name = QStringLiteral("My ping");
        uploaded.pluginVersion = QStringLiteral("0.1");
        uploaded.runtime = PluginRuntime::Exec;
        uploaded.entry = QStringLiteral("ping.sh");
        uploaded.classifier = {QStringLiteral("return 'ok'"), 2};
        uploaded = store.create(uploaded);
        Plugin namesake = uploaded;
        namesake.id = {};
        namesake.pluginId = QStringLiteral("org.example.dns");
        namesake.name = QStringLiteral("dns"); // names are unique without case
        namesake = store.create(namesake);

        const ServerPluginRegistration registration = registerServerPlugins(*db);
        QCOMPARE(registration.created, (QStringList{"org.prophasis.http", "org.prophasis.tcp"}));
        QCOMPARE(registration.skipped.size(), 2);
        QVERIFY2(registration.skipped[0].startsWith(
                     QStringLiteral("org.prophasis.ping: the id belongs to an uploaded exec plugin")),
                 qPrintable(registration.skipped[0]));
        QVERIFY2(registration.skipped[1].startsWith(QStringLiteral("org.prophasis.dns: ")),
                 qPrintable(registration.skipped[1]));
        QCOMPARE(store.get(uploaded.id).version, uploaded.version);
        QCOMPARE(store.get(uploaded.id).runtime, PluginRuntime::Exec);
        QCOMPARE(store.get(namesake.id).version, namesake.version);
        QVERIFY(!store.findByPluginId(QStringLiteral("org.prophasis.dns")));
    }

private:
    std::unique_ptr<test::TestDatabase> m_testDatabase;
};

QTEST_GUILESS_MAIN(TestServerPlugins)
#include "tst_serverplugins.moc"
