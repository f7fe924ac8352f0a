#include <QRegularExpression>
#include <QTest>

#include <memory>

#include "daemon-core/storage/alertstore.h"
#include "daemon-core/storage/checkstore.h"
#include "daemon-core/storage/configurationloader.h"
#include "daemon-core/storage/hoststore.h"
#include "daemon-core/storage/migrations.h"
#include "daemon-core/storage/pluginstore.h"
#include "daemon-core/storage/servicestore.h"
#include "tests/storage/storagetesthelpers.h"
#include "tests/storage/testdatabase.h"

using namespace prophasis;
using prophasis::test::countRows;

namespace {

Plugin makePlugin(const QString &pluginId)
{
    Plugin plugin;
    plugin.pluginId = pluginId;
    plugin.name = pluginId.section(u'.', -1);
    plugin.description = QStringLiteral("measures something");
    plugin.pluginVersion = QStringLiteral("1.10.0");
    plugin.runtime = PluginRuntime::Lua;
    plugin.entry = QStringLiteral("main.lua");
    plugin.classifier = {QStringLiteral("return 'ok'"), 3};
    plugin.view = PluginView::Percent;
    plugin.arguments = {{QStringLiteral("path"), ArgumentType::String, QJsonValue(QStringLiteral("/")),
                         QStringLiteral("the mount point"), true}};
    plugin.timeoutSeconds = 20;
    plugin.platforms = {QStringLiteral("linux"), QStringLiteral("freebsd")};
    plugin.packageSha256 = QString(64, u'c');
    return plugin;
}

Host makeHost(const QString &name)
{
    Host host;
    host.name = name;
    host.address = name + QStringLiteral(".example.org");
    return host;
}

ServiceMember member(MemberKind kind, const QUuid &id, const QUuid &pluginId = {})
{
    return {kind, id, pluginId};
}

} // namespace

class TestStorageEntities : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { m_testDatabase = std::make_unique<test::TestDatabase>(QStringLiteral("storage_entities")); }

    void init()
    {
        m_db.reset();
        m_db = m_testDatabase->freshMigratedDatabase();
        m_web1 = HostStore(*m_db).create(makeHost(QStringLiteral("web1")));
        m_web2 = HostStore(*m_db).create(makeHost(QStringLiteral("web2")));
        HostGroup group;
        group.name = QStringLiteral("web");
        group.hostIds = {m_web1.id, m_web2.id};
        m_group = HostGroupStore(*m_db).create(group);
        m_disk = PluginStore(*m_db).create(makePlugin(QStringLiteral("org.prophasis.disk")));
        m_http = PluginStore(*m_db).create(makePlugin(QStringLiteral("org.prophasis.http")));
    }

    void cleanup() { m_db.reset(); }

    void pluginRoundTrip()
    {
        PluginStore plugins(*m_db);
        const Plugin read = plugins.get(m_disk.id);
        QCOMPARE(read.pluginId, QStringLiteral("org.prophasis.disk"));
        QCOMPARE(read.pluginVersion, QStringLiteral("1.10.0"));
        QCOMPARE(read.runtime, PluginRuntime::Lua);
        QCOMPARE(read.entry, QStringLiteral("main.lua"));
        QCOMPARE(read.classifier.source, QStringLiteral("return 'ok'"));
        QCOMPARE(read.classifier.nHistorical, 3);
        QCOMPARE(read.view, PluginView::Percent);
        QCOMPARE(read.arguments.size(), 1);
        QCOMPARE(read.arguments[0].name, QStringLiteral("path"));
        QCOMPARE(read.arguments[0].type, ArgumentType::String);
        QCOMPARE(read.arguments[0].defaultValue.toString(), QStringLiteral("/"));
        QCOMPARE(read.arguments[0].required, true);
        QCOMPARE(read.timeoutSeconds, 20);
        QCOMPARE(read.platforms, (QStringList{QStringLiteral("linux"), QStringLiteral("freebsd")}));
        QCOMPARE(read.packageSha256, QString(64, u'c'));
        QCOMPARE(plugins.findByPluginId(QStringLiteral("org.prophasis.disk"))->id, m_disk.id);
        QVERIFY(!plugins.findByPluginId(QStringLiteral("org.prophasis.none")));

        Plugin changed = read;
        changed.pluginVersion = QStringLiteral("1.11");
        changed.classifier.source = QStringLiteral("return 'critical'");
        plugins.update(changed);
        QCOMPARE(plugins.get(m_disk.id).pluginVersion, QStringLiteral("1.11"));
        QCOMPARE(plugins.get(m_disk.id).classifier.source, QStringLiteral("return 'critical'"));

        Plugin duplicate = makePlugin(QStringLiteral("org.prophasis.disk"));
        duplicate.name = QStringLiteral("another name");
        QVERIFY_STORAGE_ERROR(plugins.create(duplicate), StorageError::Kind::Duplicate);
    }

    void pluginPackagesAreKept()
    {
        PluginStore plugins(*m_db);
        PluginPackage first{0, m_disk.id, QStringLiteral("1.0"), QString(64, u'1'), QByteArray("archive one\0\xff", 13), {}, {}};
        PluginPackage second{0, m_disk.id, QStringLiteral("1.1"), QString(64, u'2'), QByteArray("archive two"),
                             QByteArray("-----BEGIN PGP SIGNATURE-----"), {}};
        const PluginPackage storedFirst = plugins.addPackage(first);
        QVERIFY(storedFirst.id > 0);
        plugins.addPackage(second);
        // The same bytes again are not stored twice.
        QCOMPARE(plugins.addPackage(first).id, storedFirst.id);
        QCOMPARE(countRows(*m_db, QStringLiteral("plugin_packages")), 2);

        const std::optional<PluginPackage> read = plugins.package(m_disk.id, QString(64, u'1'));
        QVERIFY(read);
        QCOMPARE(read->archive, first.archive); // binary-safe, including NUL and 0xff
        QVERIFY(read->signature.isEmpty());
        QCOMPARE(plugins.package(m_disk.id, QString(64, u'2'))->signature, second.signature);
        QVERIFY(!plugins.package(m_http.id, QString(64, u'1')));
        const QList<PluginPackage> listed = plugins.listPackages(m_disk.id);
        QCOMPARE(listed.size(), 2);
        QVERIFY(listed[0].archive.isEmpty()); // listings carry no bytes

        PluginPackage orphan = first;
        orphan.pluginId = QUuid::createUuid();
        QVERIFY_STORAGE_ERROR(plugins.addPackage(orphan), StorageError::Kind::MissingReference);

        plugins.remove(m_disk.id);
        QCOMPARE(countRows(*m_db, QStringLiteral("plugin_packages")), 0);
    }

    void checkRoundTrip()
    {
        CheckStore checks(*m_db);
        Check draft;
        draft.name = QStringLiteral("Web servers");
        draft.hostIds = {m_web1.id};
        draft.groupIds = {m_group.id};
        draft.plugins = {{m_disk.id, QJsonObject{{QStringLiteral("path"), QStringLiteral("/var")}}, std::nullopt},
                         {m_http.id, {}, Classifier{QStringLiteral("return 'minor'"), 7}}};
        const Check created = checks.create(draft);
        const Check read = checks.get(created.id);
        QCOMPARE(read.hostIds, QList<QUuid>{m_web1.id});
        QCOMPARE(read.groupIds, QList<QUuid>{m_group.id});
        QCOMPARE(read.plugins.size(), 2);
        QCOMPARE(read.plugins[0].pluginId, m_disk.id);
        QCOMPARE(read.plugins[0].arguments.value(QStringLiteral("path")).toString(), QStringLiteral("/var"));
        QVERIFY(!read.plugins[0].classifierOverride);
        QCOMPARE(read.plugins[1].classifierOverride->source, QStringLiteral("return 'minor'"));
        QCOMPARE(read.plugins[1].classifierOverride->nHistorical, 7);
        QVERIFY(read.enabled);

        Check changed = read;
        changed.plugins.removeFirst();
        changed.enabled = false;
        checks.update(changed);
        QCOMPARE(checks.get(created.id).plugins.size(), 1);
        QCOMPARE(checks.get(created.id).enabled, false);

        Check broken = draft;
        broken.name = QStringLiteral("Broken");
        broken.plugins = {{QUuid::createUuid(), {}, std::nullopt}};
        QVERIFY_STORAGE_ERROR(checks.create(broken), StorageError::Kind::MissingReference);
    }

    void scheduleRoundTrip()
    {
        const Check check = CheckStore(*m_db).create(Check{{}, QStringLiteral("c"), {}, {m_web1.id}, {}, {}, true});
        ScheduleStore schedules(*m_db);
        Schedule draft;
        draft.name = QStringLiteral("Every minute");
        const QDateTime start = QDateTime(QDate(2026, 1, 1), QTime(0, 0, 30), Qt::UTC);
        draft.intervals = {{start, 60}, {start.addDays(1), 7 * 24 * 3600}};
        draft.checkIds = {check.id};
        const Schedule created = schedules.create(draft);
        const Schedule read = schedules.get(created.id);
        QCOMPARE(read.intervals.size(), 2);
        QCOMPARE(read.intervals[0].start, start);
        QCOMPARE(read.intervals[0].periodSeconds, 60);
        QCOMPARE(read.intervals[1].periodSeconds, 7 * 24 * 3600);
        QCOMPARE(read.checkIds, QList<QUuid>{check.id});

        Schedule bad = draft;
        bad.name = QStringLiteral("Never");
        bad.intervals = {{start, 0}};
        QVERIFY_STORAGE_ERROR(schedules.create(bad), StorageError::Kind::Invalid);

        CheckStore(*m_db).remove(check.id);
        QVERIFY(schedules.get(created.id).checkIds.isEmpty());
    }

    void serviceRoundTrip()
    {
        ServiceStore services(*m_db);
        Service database;
        database.name = QStringLiteral("Database");
        database.dependencies = {member(MemberKind::Host, m_web2.id)};
        const Service inner = services.create(database);

        Service web;
        web.name = QStringLiteral("Web site");
        web.dependencies = {member(MemberKind::Service, inner.id), member(MemberKind::HostPlugin, m_web1.id, m_http.id)};
        web.redundancyGroups = {{QStringLiteral("front ends"),
                                 {member(MemberKind::Host, m_web1.id), member(MemberKind::HostGroup, m_group.id)}},
                                {QStringLiteral("second"), {member(MemberKind::HostPlugin, m_web2.id, m_http.id)}}};
        const Service created = services.create(web);
        const Service read = services.get(created.id);
        QCOMPARE(read.dependencies, web.dependencies);
        QCOMPARE(read.redundancyGroups.size(), 2);
        QCOMPARE(read.redundancyGroups[0].name, QStringLiteral("front ends"));
        QCOMPARE(read.redundancyGroups[0].members, web.redundancyGroups[0].members);
        QCOMPARE(read.redundancyGroups[1].members, web.redundancyGroups[1].members);
        QCOMPARE(services.list().size(), 2);

        Service changed = read;
        changed.redundancyGroups.removeLast();
        services.update(changed);
        QCOMPARE(services.get(created.id).redundancyGroups.size(), 1);
    }

    void serviceCyclesAreRefused()
    {
        ServiceStore services(*m_db);
        const Service a = services.create(Service{{}, QStringLiteral("a"), {}, {}, {}});
        Service bDraft{{}, QStringLiteral("b"), {}, {member(MemberKind::Service, a.id)}, {}};
        const Service b = services.create(bDraft);
        Service closing = services.get(a.id);
        closing.redundancyGroups = {{QStringLiteral("loop"), {member(MemberKind::Service, b.id)}}};
        try {
            services.update(closing);
            QFAIL("expected the cycle to be refused");
        } catch (const StorageError &error) {
            QCOMPARE(error.kind(), StorageError::Kind::Invalid);
            QVERIFY2(error.message().contains(QStringLiteral("b")), qPrintable(error.message()));
        }
        QVERIFY(services.get(a.id).redundancyGroups.isEmpty());
        Service self{{}, QStringLiteral("self"), {}, {}, {}};
        self.id = QUuid::createUuid();
        self.dependencies = {member(MemberKind::Service, self.id)};
        QVERIFY_STORAGE_ERROR(services.create(self), StorageError::Kind::Invalid);
    }

    void alertSecretsAreSealed()
    {
        const SecretBox box(SecretBox::generateKey());
        AlertStore alerts(*m_db, box);
        Alert draft;
        draft.name = QStringLiteral("Page the admin");
        draft.fromStates = {State::Ok};
        draft.toStates = {State::Critical, State::Major};
        draft.scope.allServices = true;
        draft.scope.hostIds = {m_web1.id};
        draft.scope.groupIds = {m_group.id};
        draft.pluginIds = {m_http.id};
        draft.module = QStringLiteral("email");
        draft.options = {{QStringLiteral("to"), QStringLiteral("admin@example.org")}};
        draft.secrets = {{QStringLiteral("smtp_password"), QStringLiteral("hunter2-very-secret")}};
        const Alert created = alerts.create(draft);
        const Alert read = alerts.get(created.id);
        QCOMPARE(read.fromStates, draft.fromStates);
        QCOMPARE(read.toStates, draft.toStates);
        QCOMPARE(read.scope.allServices, true);
        QCOMPARE(read.scope.allHosts, false);
        QCOMPARE(read.scope.hostIds, draft.scope.hostIds);
        QCOMPARE(read.scope.groupIds, draft.scope.groupIds);
        QCOMPARE(read.pluginIds, draft.pluginIds);
        QCOMPARE(read.options, draft.options);
        QCOMPARE(read.secrets, draft.secrets);

        // The database holds only sealed bytes.
        QSqlQuery raw = m_db->exec(QStringLiteral("SELECT secrets FROM alerts"));
        QVERIFY(raw.next());
        QVERIFY(!raw.value(0).toByteArray().contains("hunter2"));
        // Another key cannot open them: the alert still loads, without secrets.
        const SecretBox otherKey(SecretBox::generateKey());
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("cannot decrypt the secrets of alert Page the admin")));
        QVERIFY(AlertStore(*m_db, otherKey).get(created.id).secrets.isEmpty());
    }

    void deletesLeaveNothingDangling()
    {
        const SecretBox box(SecretBox::generateKey());
        Check check{{}, QStringLiteral("c"), {}, {m_web1.id, m_web2.id}, {m_group.id}, {{m_http.id, {}, std::nullopt}}, true};
        check = CheckStore(*m_db).create(check);
        Service service{{}, QStringLiteral("s"), {}, {member(MemberKind::HostPlugin, m_web1.id, m_http.id)},
                        {{QStringLiteral("g"), {member(MemberKind::Host, m_web1.id), member(MemberKind::Host, m_web2.id)}}}};
        service = ServiceStore(*m_db).create(service);
        Alert alert;
        alert.name = QStringLiteral("a");
        alert.module = QStringLiteral("syslog");
        alert.scope.hostIds = {m_web1.id};
        alert.pluginIds = {m_http.id};
        alert = AlertStore(*m_db, box).create(alert);

        HostStore(*m_db).remove(m_web1.id);
        QCOMPARE(CheckStore(*m_db).get(check.id).hostIds, QList<QUuid>{m_web2.id});
        const Service afterHost = ServiceStore(*m_db).get(service.id);
        QVERIFY(afterHost.dependencies.isEmpty());
        QCOMPARE(afterHost.redundancyGroups[0].members, QList<ServiceMember>{member(MemberKind::Host, m_web2.id)});
        QVERIFY(AlertStore(*m_db, box).get(alert.id).scope.hostIds.isEmpty());

        PluginStore(*m_db).remove(m_http.id);
        QVERIFY(CheckStore(*m_db).get(check.id).plugins.isEmpty());
        QVERIFY(AlertStore(*m_db, box).get(alert.id).pluginIds.isEmpty());

        HostGroupStore(*m_db).remove(m_group.id);
        QVERIFY(CheckStore(*m_db).get(check.id).groupIds.isEmpty());

        CheckStore(*m_db).remove(check.id);
        ServiceStore(*m_db).remove(service.id);
        AlertStore(*m_db, box).remove(alert.id);
        for (const char *table : {"check_hosts", "check_groups", "check_plugins", "service_members",
                                  "service_redundancy_groups", "alert_refs", "host_group_hosts"})
            QVERIFY2(countRows(*m_db, QLatin1String(table)) == 0, table);
    }

    void configurationLoadsEverything()
    {
        const SecretBox box(SecretBox::generateKey());
        CheckStore(*m_db).create(Check{{}, QStringLiteral("c"), {}, {m_web1.id}, {}, {{m_disk.id, {}, std::nullopt}}, true});
        const Configuration configuration = loadConfiguration(*m_db, box);
        QCOMPARE(configuration.hosts.size(), 2);
        QCOMPARE(configuration.groups.size(), 1);
        QCOMPARE(configuration.plugins.size(), 2);
        QCOMPARE(configuration.checks.size(), 1);
        QCOMPARE(configuration.groups.value(m_group.id).hostIds.size(), 2);
        QCOMPARE(configuration.hosts.value(m_web1.id).name, QStringLiteral("web1"));
    }

private:
    std::unique_ptr<test::TestDatabase> m_testDatabase;
    std::unique_ptr<Database> m_db;
    Host m_web1;
    Host m_web2;
    HostGroup m_group;
    Plugin m_disk;
    Plugin m_http;
};

QTEST_GUILESS_MAIN(TestStorageEntities)
#include "tst_storage_entities.moc"
