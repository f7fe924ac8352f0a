#include <QJsonArray>
#include <QTest>

#include <memory>

#include "daemon-core/configio/configdocument.h"
#include "daemon-core/configio/importapply.h"
#include "daemon-core/configio/importplan.h"
#include "daemon-core/storage/alertstore.h"
#include "daemon-core/storage/checkstore.h"
#include "daemon-core/storage/configurationloader.h"
#include "daemon-core/storage/hoststore.h"
#include "daemon-core/storage/pluginstore.h"
#include "daemon-core/storage/servicestore.h"
#include "shared/json/entityjson.h"
#include "tests/storage/storagetesthelpers.h"
#include "tests/storage/testdatabase.h"

using namespace prophasis;

namespace {

const QDateTime exportTime = QDateTime(QDate(2026, 11, 25), QTime(10, 0), Qt::UTC);
const QString secretValue = QStringLiteral("hunter2-very-secret");
const QString diskSha = QString(64, u'd');

Host makeHost(const QString &name)
{
    Host host;
    host.name = name;
    host.address = name + QStringLiteral(".example.org");
    host.variables = {{QStringLiteral("disk_warn"), QStringLiteral("85")}};
    return host;
}

ServiceMember member(MemberKind kind, const QUuid &id, const QUuid &pluginId = {})
{
    return {kind, id, pluginId};
}

// The disk plugin with its package, as an upload would leave it on a core.
Plugin addDiskPlugin(Database &db, const QUuid &id = {})
{
    Plugin plugin;
    plugin.id = id;
    plugin.pluginId = QStringLiteral("org.prophasis.disk");
    plugin.name = QStringLiteral("Disk");
    plugin.pluginVersion = QStringLiteral("1.2.0");
    plugin.runtime = PluginRuntime::Lua;
    plugin.entry = QStringLiteral("main.lua");
    plugin.classifier = {QStringLiteral("return 'ok'"), 3};
    plugin.arguments = {{QStringLiteral("path"), ArgumentType::String, QJsonValue(QStringLiteral("/")),
                         QStringLiteral("the mount point"), true}};
    plugin.packageSha256 = diskSha;
    PluginStore store(db);
    const Plugin created = store.create(plugin);
    store.addPackage({0, created.id, plugin.pluginVersion, diskSha, QByteArray("archive bytes"), {}, {}});
    return created;
}

// A small but complete configuration: every kind, nesting, every reference type.
struct Fixture
{
    Plugin disk, http;
    Host web1, web2, db1, spare;
    HostGroup web, all;
    Check check;
    Schedule schedule;
    Service database, site;
    Alert alert;
};

Fixture populate(Database &db, const SecretBox &secrets)
{
    Fixture f;
    f.disk = addDiskPlugin(db);
    Plugin http;
    http.pluginId = QStringLiteral("org.prophasis.http");
    http.name = QStringLiteral("HTTP");
    http.pluginVersion = QStringLiteral("1.0");
    http.runtime = PluginRuntime::Server;
    http.entry = QStringLiteral("http.lua");
    http.classifier = {QStringLiteral("return result.status"), 1};
    f.http = PluginStore(db).create(http);

    HostStore hosts(db);
    f.web1 = hosts.create(makeHost(QStringLiteral("web1")));
    f.web2 = hosts.create(makeHost(QStringLiteral("web2")));
    f.db1 = hosts.create(makeHost(QStringLiteral("db1")));
    f.spare = hosts.create(makeHost(QStringLiteral("spare")));
    HostGroupStore groups(db);
    f.web = groups.create(HostGroup{{}, QStringLiteral("web"), {}, {f.web1.id, f.web2.id}, {}, {}});
    f.all = groups.create(HostGroup{{},
                                    QStringLiteral("all"),
                                    QStringLiteral("everything"),
                                    {f.db1.id},
                                    {f.web.id},
                                    {{QStringLiteral("tier"), QStringLiteral("prod")}}});

    Check check;
    check.name = QStringLiteral("disks");
    check.hostIds = {f.db1.id};
    check.groupIds = {f.web.id};
    check.plugins = {{f.disk.id,
                      {{QStringLiteral("path"), QStringLiteral("/var")}},
                      Classifier{QStringLiteral("return 'major'"), 2}},
                     {f.http.id, {}, std::nullopt}};
    f.check = CheckStore(db).create(check);
    Schedule schedule;
    schedule.name = QStringLiteral("every minute");
    schedule.intervals = {{exportTime, 60}};
    schedule.checkIds = {f.check.id};
    f.schedule = ScheduleStore(db).create(schedule);

    ServiceStore services(db);
    f.database = services.create(
        Service{{}, QStringLiteral("database"), {}, {member(MemberKind::Host, f.db1.id)}, {}});
    f.site = services.create(Service{
        {},
        QStringLiteral("site"),
        QStringLiteral("the web site"),
        {member(MemberKind::Service, f.database.id), member(MemberKind::HostPlugin, f.web1.id, f.http.id)},
        {{QStringLiteral("front"),
          {member(MemberKind::Host, f.web1.id), member(MemberKind::HostGroup, f.web.id)}}}});

    Alert alert;
    alert.name = QStringLiteral("Page the admin");
    alert.toStates = {State::Critical};
    alert.scope.groupIds = {f.web.id};
    alert.scope.serviceIds = {f.site.id};
    alert.pluginIds = {f.http.id};
    alert.checkIds = {f.check.id};
    alert.module = QStringLiteral("email");
    alert.options = {{QStringLiteral("to"), QStringLiteral("admin@example.org")}};
    alert.secrets = {{QStringLiteral("smtp_password"), secretValue}};
    f.alert = AlertStore(db, secrets).create(alert);
    return f;
}

// Index of the object with `id` in the document's list `kind`.
int indexIn(const QJsonObject &document, const QString &kind, const QUuid &id)
{
    const QJsonArray list = document.value(kind).toArray();
    for (int i = 0; i < list.size(); ++i) {
        if (QUuid::fromString(list[i].toObject().value(QStringLiteral("id")).toString()) == id)
            return i;
    }
    return -1;
}

// Applies `edit` to the object with `id` in the document.
void editObject(QJsonObject &document, const QString &kind, const QUuid &id,
                const std::function<void(QJsonObject &)> &edit)
{
    QJsonArray list = document.value(kind).toArray();
    const int index = indexIn(document, kind, id);
    QVERIFY(index >= 0);
    QJsonObject object = list[index].toObject();
    edit(object);
    list[index] = object;
    document.insert(kind, list);
}

void removeObject(QJsonObject &document, const QString &kind, const QUuid &id)
{
    QJsonArray list = document.value(kind).toArray();
    list.removeAt(indexIn(document, kind, id));
    document.insert(kind, list);
}

void appendObject(QJsonObject &document, const QString &kind, const QJsonObject &object)
{
    QJsonArray list = document.value(kind).toArray();
    list.append(object);
    document.insert(kind, list);
}

const ImportChange *findChange(const QList<ImportChange> &changes, const QUuid &id)
{
    for (const ImportChange &change : changes) {
        if (change.id == id)
            return &change;
    }
    return nullptr;
}

QString errorText(const FieldErrors &errors)
{
    return errors.summary();
}

// The export without the alerts' secret names: what an import can reproduce on a core
// without the secrets.
QJsonObject withoutSecretNames(QJsonObject document)
{
    QJsonArray alerts = document.value(QStringLiteral("alerts")).toArray();
    for (qsizetype i = 0; i < alerts.size(); ++i) {
        QJsonObject alert = alerts[i].toObject();
        alert.remove(QStringLiteral("secrets_set"));
        alerts[i] = alert;
    }
    document.insert(QStringLiteral("alerts"), alerts);
    return document;
}

// The document with each list in the export's order (by UUID) and no object versions, so an
// edited document can be compared with an export.
QJsonObject sortedById(QJsonObject document)
{
    for (const QString &kind : configKinds()) {
        QJsonArray list = document.value(kind).toArray();
        QList<QJsonValue> values(list.begin(), list.end());
        std::sort(values.begin(), values.end(), [](const QJsonValue &a, const QJsonValue &b) {
            return a.toObject().value(QStringLiteral("id")).toString() <
                   b.toObject().value(QStringLiteral("id")).toString();
        });
        list = QJsonArray();
        for (const QJsonValue &value : values) {
            QJsonObject object = value.toObject();
            object.remove(QStringLiteral("version")); // objects made with toJson() carry one
            list.append(object);
        }
        document.insert(kind, list);
    }
    return document;
}

} // namespace

class TestConfigIo : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        // Two cores: on PostgreSQL each TestDatabase is one database, recreated per call.
        m_sourceDatabase = std::make_unique<test::TestDatabase>(QStringLiteral("configio_source"));
        m_targetDatabase = std::make_unique<test::TestDatabase>(QStringLiteral("configio_target"));
    }

    void init()
    {
        m_target.reset();
        m_source.reset();
        m_source = m_sourceDatabase->freshMigratedDatabase();
        m_target = m_targetDatabase->freshMigratedDatabase();
        m_f = populate(*m_source, m_box);
    }

    void cleanup()
    {
        m_target.reset();
        m_source.reset();
    }

    void exportHasEveryKindAndNoSecrets()
    {
        const QJsonObject document = exportConfiguration(*m_source, m_box, exportTime);
        QCOMPARE(document.value(QStringLiteral("format")).toString(), QStringLiteral("prophasis-config"));
        QCOMPARE(document.value(QStringLiteral("version")).toInt(), 1);
        QCOMPARE(document.value(QStringLiteral("exported")).toString(),
                 QStringLiteral("2026-11-25T10:00:00.000Z"));
        QStringList expectedKeys =
            configKinds() +
            QStringList{QStringLiteral("format"), QStringLiteral("version"), QStringLiteral("exported")};
        expectedKeys.sort();
        QCOMPARE(document.keys(), expectedKeys); // no users, no tokens
        QCOMPARE(document.value(QStringLiteral("hosts")).toArray().size(), 4);
        QCOMPARE(document.value(QStringLiteral("host_groups")).toArray().size(), 2);
        QCOMPARE(document.value(QStringLiteral("services")).toArray().size(), 2);

        const QByteArray bytes = configDocumentBytes(document);
        QVERIFY(!bytes.contains(secretValue.toUtf8()));
        QVERIFY(!bytes.contains("archive bytes")); // packages travel separately
        const QJsonObject alert = document.value(QStringLiteral("alerts")).toArray().at(0).toObject();
        QCOMPARE(alert.value(QStringLiteral("secrets_set")).toArray(),
                 QJsonArray{QStringLiteral("smtp_password")});
        QVERIFY(!alert.contains(QStringLiteral("secrets")));
        QVERIFY(!alert.contains(QStringLiteral("version")));
        const QJsonObject plugin = document.value(QStringLiteral("plugins"))
                                       .toArray()
                                       .at(indexIn(document, QStringLiteral("plugins"), m_f.disk.id))
                                       .toObject();
        QCOMPARE(plugin.value(QStringLiteral("package_sha256")).toString(), diskSha);
        QCOMPARE(plugin.value(QStringLiteral("classifier"))
                     .toObject()
                     .value(QStringLiteral("n_historical"))
                     .toInt(),
                 3);

        // Sorted by UUID.
        const QJsonArray hosts = document.value(QStringLiteral("hosts")).toArray();
        for (qsizetype i = 1; i < hosts.size(); ++i)
            QVERIFY(hosts[i - 1].toObject().value(QStringLiteral("id")).toString() <
                    hosts[i].toObject().value(QStringLiteral("id")).toString());
    }

    void exportTwiceIsByteIdentical()
    {
        const QByteArray first = configDocumentBytes(exportConfiguration(*m_source, m_box, exportTime));
        // A change and its undo raise versions but leave the configuration as it was.
        HostStore hosts(*m_source);
        Host web1 = hosts.get(m_f.web1.id);
        web1.description = QStringLiteral("changed");
        web1 = hosts.update(web1);
        web1.description.clear();
        hosts.update(web1);
        const QByteArray second = configDocumentBytes(exportConfiguration(*m_source, m_box, exportTime));
        QCOMPARE(second, first);
    }

    void importIntoEmptyCoreReproducesConfiguration()
    {
        const QJsonObject document = exportConfiguration(*m_source, m_box, exportTime);
        // The package went to the new core on its own, keeping the plugin's UUID.
        addDiskPlugin(*m_target, m_f.disk.id);

        // The dry run says which secrets to set afterwards.
        const ImportPlan plan = planImport(*m_target, m_box, document);
        QVERIFY2(plan.isValid(), qPrintable(errorText(plan.errors)));
        const ImportChange *alertChange = findChange(plan.changes, m_f.alert.id);
        QVERIFY(alertChange);
        QCOMPARE(alertChange->action, ImportAction::Create);
        QCOMPARE(alertChange->secretsToSet, QStringList{QStringLiteral("smtp_password")});
        QCOMPARE(findChange(plan.changes, m_f.disk.id)->action, ImportAction::Unchanged);
        QVERIFY(findChange(plan.changes, m_f.web1.id)->secretsToSet.isEmpty());

        const ImportResult result = applyImport(*m_target, m_box, document);
        QVERIFY2(result.applied, qPrintable(errorText(result.errors)));
        QVERIFY(result.errors.isEmpty());
        // 2 plugins (the disk one unchanged) + 4 hosts + 2 groups + check + schedule + 2 services + alert.
        QCOMPARE(result.done.size(), 12);

        const QJsonObject reproduced = exportConfiguration(*m_target, m_box, exportTime);
        QCOMPARE(configDocumentBytes(withoutSecretNames(reproduced)),
                 configDocumentBytes(withoutSecretNames(document)));
        const Configuration target = loadConfiguration(*m_target, m_box);
        QCOMPARE(target.hosts.size(), 4);
        QCOMPARE(target.hosts.value(m_f.web1.id).version, 1);
        QVERIFY(target.alerts.value(m_f.alert.id).secrets.isEmpty()); // secrets are not exported

        // Importing the same document again changes nothing.
        const ImportPlan again = planImport(*m_target, m_box, document);
        QVERIFY(again.isValid());
        for (const ImportChange &change : again.changes)
            QVERIFY2(change.action == ImportAction::Unchanged, qPrintable(change.kind + u' ' + change.name));
        QVERIFY(again.deleteCandidates.isEmpty());
    }

    void dryRunListsChangesAndWritesNothing()
    {
        QJsonObject document = exportConfiguration(*m_source, m_box, exportTime);
        editObject(document, QStringLiteral("hosts"), m_f.web1.id, [](QJsonObject &host) {
            host.insert(QStringLiteral("address"), QStringLiteral("192.0.2.10"));
            host.insert(QStringLiteral("enabled"), false);
        });
        QJsonObject fresh = toJson(makeHost(QStringLiteral("web3")));
        const QUuid web3 = QUuid::createUuid();
        fresh.insert(QStringLiteral("id"), web3.toString(QUuid::WithoutBraces));
        appendObject(document, QStringLiteral("hosts"), fresh);
        removeObject(document, QStringLiteral("hosts"), m_f.spare.id);
        const QByteArray before = configDocumentBytes(exportConfiguration(*m_source, m_box, exportTime));

        const ImportPlan plan = planImport(*m_source, m_box, document);
        QVERIFY2(plan.isValid(), qPrintable(errorText(plan.errors)));
        const ImportChange *update = findChange(plan.changes, m_f.web1.id);
        QVERIFY(update);
        QCOMPARE(update->action, ImportAction::Update);
        QCOMPARE(update->fields, (QStringList{QStringLiteral("address"), QStringLiteral("enabled")}));
        const ImportChange *create = findChange(plan.changes, web3);
        QVERIFY(create);
        QCOMPARE(create->action, ImportAction::Create);
        QCOMPARE(create->kind, QStringLiteral("hosts"));
        QCOMPARE(create->name, QStringLiteral("web3"));
        for (const QUuid &id :
             {m_f.web2.id, m_f.web.id, m_f.check.id, m_f.site.id, m_f.alert.id, m_f.disk.id})
            QCOMPARE(findChange(plan.changes, id)->action, ImportAction::Unchanged);
        QCOMPARE(plan.deleteCandidates.size(), 1);
        QCOMPARE(plan.deleteCandidates[0].id, m_f.spare.id);
        QCOMPARE(plan.deleteCandidates[0].kind, QStringLiteral("hosts"));
        QCOMPARE(plan.changes.size(), 13);

        const QJsonObject json = plan.toJson();
        QCOMPARE(json.value(QStringLiteral("valid")).toBool(), true);
        QCOMPARE(json.value(QStringLiteral("delete_candidates")).toArray().size(), 1);

        // The dry run wrote nothing.
        QCOMPARE(configDocumentBytes(exportConfiguration(*m_source, m_box, exportTime)), before);
        QCOMPARE(HostStore(*m_source).get(m_f.web1.id).version, 1);

        // Applied without replace: the spare host stays, the version of web1 is raised.
        const ImportResult result = applyImport(*m_source, m_box, document);
        QVERIFY2(result.applied, qPrintable(errorText(result.errors)));
        QCOMPARE(result.done.size(), 2);
        const Host web1 = HostStore(*m_source).get(m_f.web1.id);
        QCOMPARE(web1.address, QStringLiteral("192.0.2.10"));
        QCOMPARE(web1.enabled, false);
        QCOMPARE(web1.version, 2);
        QVERIFY(HostStore(*m_source).find(web3));
        QVERIFY(HostStore(*m_source).find(m_f.spare.id));
    }

    void badDocumentsFailPerPathAndWriteNothing_data()
    {
        QTest::addColumn<QString>("brokenPart");
        QTest::addColumn<QString>("expectedField");
        QTest::addColumn<QString>("expectedMessage");
        QTest::newRow("format") << "format"
                                << "format"
                                << "must be \"prophasis-config\"";
        QTest::newRow("empty name") << "empty name"
                                    << "hosts.%1.name"
                                    << "must not be empty";
        QTest::newRow("broken reference") << "broken reference"
                                          << "host_groups.%1.host_ids.2"
                                          << "in the document or on this core";
        QTest::newRow("group cycle") << "group cycle"
                                     << "host_groups.%1.group_ids"
                                     << "would make a cycle: web → all → web";
        QTest::newRow("service cycle") << "service cycle"
                                       << "services.%1"
                                       << "would make a cycle";
        QTest::newRow("duplicate name") << "duplicate name"
                                        << "hosts.%1.name"
                                        << "\"web1\" is already used by hosts.";
        QTest::newRow("name taken on core") << "name taken on core"
                                            << "hosts.%1.name"
                                            << "\"spare\" is already used by host ";
        QTest::newRow("duplicate id") << "duplicate id"
                                      << "hosts.%1.id"
                                      << "is also the id of hosts.";
        QTest::newRow("missing list") << "missing list"
                                      << "checks"
                                      << "must be a list";
        QTest::newRow("no package") << "no package"
                                    << "plugins.%1.package_sha256"
                                    << "is not on this core";
    }

    void badDocumentsFailPerPathAndWriteNothing()
    {
        QFETCH(QString, brokenPart);
        QFETCH(QString, expectedField);
        QFETCH(QString, expectedMessage);
        QJsonObject document = exportConfiguration(*m_source, m_box, exportTime);
        Database *db = m_source.get();
        int index = 0;
        if (brokenPart == QLatin1String("format")) {
            document.insert(QStringLiteral("format"), QStringLiteral("something-else"));
        } else if (brokenPart == QLatin1String("empty name")) {
            index = indexIn(document, QStringLiteral("hosts"), m_f.web2.id);
            editObject(document, QStringLiteral("hosts"), m_f.web2.id,
                       [](QJsonObject &host) { host.insert(QStringLiteral("name"), QString()); });
        } else if (brokenPart == QLatin1String("broken reference")) {
            index = indexIn(document, QStringLiteral("host_groups"), m_f.web.id);
            editObject(document, QStringLiteral("host_groups"), m_f.web.id, [](QJsonObject &group) {
                QJsonArray ids = group.value(QStringLiteral("host_ids")).toArray();
                ids.append(QUuid::createUuid().toString(QUuid::WithoutBraces));
                group.insert(QStringLiteral("host_ids"), ids);
            });
        } else if (brokenPart == QLatin1String("group cycle")) {
            index = indexIn(document, QStringLiteral("host_groups"), m_f.web.id);
            editObject(document, QStringLiteral("host_groups"), m_f.web.id, [&](QJsonObject &group) {
                group.insert(QStringLiteral("group_ids"),
                             QJsonArray{m_f.all.id.toString(QUuid::WithoutBraces)});
            });
        } else if (brokenPart == QLatin1String("service cycle")) {
            index = indexIn(document, QStringLiteral("services"), m_f.database.id);
            editObject(document, QStringLiteral("services"), m_f.database.id, [&](QJsonObject &service) {
                service.insert(QStringLiteral("dependencies"),
                               QJsonArray{QJsonObject{
                                   {QStringLiteral("kind"), QStringLiteral("service")},
                                   {QStringLiteral("id"), m_f.site.id.toString(QUuid::WithoutBraces)}}});
            });
        } else if (brokenPart == QLatin1String("duplicate name") ||
                   brokenPart == QLatin1String("name taken on core") ||
                   brokenPart == QLatin1String("duplicate id")) {
            const bool sameId = brokenPart == QLatin1String("duplicate id");
            const bool onCore = brokenPart == QLatin1String("name taken on core");
            if (onCore)
                removeObject(document, QStringLiteral("hosts"), m_f.spare.id);
            QJsonObject copy = toJson(makeHost(onCore ? QStringLiteral("spare") : QStringLiteral("web1")));
            copy.insert(QStringLiteral("id"),
                        (sameId ? m_f.web2.id : QUuid::createUuid()).toString(QUuid::WithoutBraces));
            appendObject(document, QStringLiteral("hosts"), copy);
            index = int(document.value(QStringLiteral("hosts")).toArray().size()) - 1;
        } else if (brokenPart == QLatin1String("missing list")) {
            document.remove(QStringLiteral("checks"));
        } else if (brokenPart == QLatin1String("no package")) {
            db = m_target.get(); // an empty core: the disk plugin's package is not there
            index = indexIn(document, QStringLiteral("plugins"), m_f.disk.id);
        }
        const QString field =
            expectedField.contains(QStringLiteral("%1")) ? expectedField.arg(index) : expectedField;
        const QByteArray before = configDocumentBytes(exportConfiguration(*db, m_box, exportTime));

        const ImportPlan plan = planImport(*db, m_box, document);
        QVERIFY(!plan.isValid());
        bool found = false;
        for (const FieldError &error : plan.errors.list())
            found = found || (error.field == field && error.message.contains(expectedMessage));
        QVERIFY2(
            found,
            qPrintable(
                QStringLiteral("wanted %1: %2; got %3").arg(field, expectedMessage, errorText(plan.errors))));

        // With replace the name "spare" would be free: that case is only an error without it.
        const QList<bool> replaceModes =
            brokenPart == QLatin1String("name taken on core") ? QList<bool>{false} : QList<bool>{false, true};
        for (bool replace : replaceModes) {
            const ImportResult result = applyImport(*db, m_box, document, {replace});
            QVERIFY(!result.applied);
            QVERIFY(!result.errors.isEmpty());
            QVERIFY(result.done.isEmpty());
            QCOMPARE(configDocumentBytes(exportConfiguration(*db, m_box, exportTime)), before);
        }
    }

    void replaceDeletesWhatIsMissing()
    {
        QJsonObject document = exportConfiguration(*m_source, m_box, exportTime);
        removeObject(document, QStringLiteral("hosts"), m_f.spare.id);
        removeObject(document, QStringLiteral("alerts"), m_f.alert.id);
        // web2 goes too; the group that held it is renamed, which first saves it as stored now
        // (without web2, taken out by the delete).
        removeObject(document, QStringLiteral("hosts"), m_f.web2.id);
        editObject(document, QStringLiteral("host_groups"), m_f.web.id, [&](QJsonObject &group) {
            group.insert(QStringLiteral("name"), QStringLiteral("frontend"));
            group.insert(QStringLiteral("host_ids"), QJsonArray{m_f.web1.id.toString(QUuid::WithoutBraces)});
        });
        // A new host takes the name of one that goes.
        QJsonObject newcomer = toJson(makeHost(QStringLiteral("spare")));
        const QUuid newId = QUuid::createUuid();
        newcomer.insert(QStringLiteral("id"), newId.toString(QUuid::WithoutBraces));
        appendObject(document, QStringLiteral("hosts"), newcomer);

        // Without replace the name is still taken.
        QVERIFY(!planImport(*m_source, m_box, document).isValid());

        const ImportPlan plan = planImport(*m_source, m_box, document, {true});
        QVERIFY2(plan.isValid(), qPrintable(errorText(plan.errors)));
        QCOMPARE(plan.deleteCandidates.size(), 3);
        const ImportResult result = applyImport(*m_source, m_box, document, {true});
        QVERIFY2(result.applied, qPrintable(errorText(result.errors)));
        QCOMPARE(result.done.size(), 5);
        QCOMPARE(result.done[0].kind, QStringLiteral("alerts")); // deletes first, in reverse order
        QCOMPARE(result.done[0].action, ImportAction::Delete);
        QCOMPARE(result.done[1].kind, QStringLiteral("hosts"));
        QCOMPARE(result.done[1].action, ImportAction::Delete);
        QCOMPARE(result.done[2].action, ImportAction::Delete);
        QCOMPARE(result.done[3].action, ImportAction::Create);
        QCOMPARE(result.done[4].kind, QStringLiteral("host_groups"));
        QCOMPARE(result.done[4].action, ImportAction::Update);
        QCOMPARE(result.done[4].fields, (QStringList{QStringLiteral("host_ids"), QStringLiteral("name")}));
        const Configuration after = loadConfiguration(*m_source, m_box);
        QVERIFY(!after.hosts.contains(m_f.spare.id));
        QVERIFY(!after.hosts.contains(m_f.web2.id));
        QVERIFY(after.hosts.contains(newId));
        QVERIFY(after.alerts.isEmpty());
        QCOMPARE(after.groups.value(m_f.web.id).name, QStringLiteral("frontend"));
        QCOMPARE(after.groups.value(m_f.web.id).version, 3); // renamed through its UUID, then saved
        QCOMPARE(configDocumentBytes(exportConfiguration(*m_source, m_box, exportTime)),
                 configDocumentBytes(sortedById(document)));

        // With replace, a reference to an object outside the document is an error: it would go.
        QJsonObject dangling = exportConfiguration(*m_source, m_box, exportTime);
        removeObject(dangling, QStringLiteral("hosts"), m_f.db1.id);
        const ImportPlan refused = planImport(*m_source, m_box, dangling, {true});
        QVERIFY(
            refused.errors.hasField(QStringLiteral("host_groups.%1.host_ids.0")
                                        .arg(indexIn(dangling, QStringLiteral("host_groups"), m_f.all.id))));
        QVERIFY(planImport(*m_source, m_box, dangling).isValid()); // without replace db1 stays
    }

    void secretsSurviveAndHardOrdersWork()
    {
        QJsonObject document = exportConfiguration(*m_source, m_box, exportTime);
        editObject(document, QStringLiteral("alerts"), m_f.alert.id, [](QJsonObject &alert) {
            alert.insert(QStringLiteral("description"), QStringLiteral("imported"));
        });
        // Names swap between two hosts.
        editObject(document, QStringLiteral("hosts"), m_f.web1.id,
                   [](QJsonObject &host) { host.insert(QStringLiteral("name"), QStringLiteral("web2")); });
        editObject(document, QStringLiteral("hosts"), m_f.web2.id,
                   [](QJsonObject &host) { host.insert(QStringLiteral("name"), QStringLiteral("web1")); });
        // Two plugins swap names and package ids.
        editObject(document, QStringLiteral("plugins"), m_f.http.id, [](QJsonObject &plugin) {
            plugin.insert(QStringLiteral("name"), QStringLiteral("Disk"));
            plugin.insert(QStringLiteral("plugin_id"), QStringLiteral("org.prophasis.disk"));
        });
        editObject(document, QStringLiteral("plugins"), m_f.disk.id, [](QJsonObject &plugin) {
            plugin.insert(QStringLiteral("name"), QStringLiteral("HTTP"));
            plugin.insert(QStringLiteral("plugin_id"), QStringLiteral("org.prophasis.http"));
        });
        // The nesting turns around: "web" now contains "all" instead of the other way.
        editObject(document, QStringLiteral("host_groups"), m_f.all.id,
                   [](QJsonObject &group) { group.insert(QStringLiteral("group_ids"), QJsonArray()); });
        editObject(document, QStringLiteral("host_groups"), m_f.web.id, [&](QJsonObject &group) {
            group.insert(QStringLiteral("group_ids"), QJsonArray{m_f.all.id.toString(QUuid::WithoutBraces)});
        });
        // So do the services: "database" depends on "site".
        editObject(document, QStringLiteral("services"), m_f.site.id, [](QJsonObject &service) {
            service.insert(QStringLiteral("dependencies"), QJsonArray());
        });
        editObject(document, QStringLiteral("services"), m_f.database.id, [&](QJsonObject &service) {
            service.insert(
                QStringLiteral("dependencies"),
                QJsonArray{QJsonObject{{QStringLiteral("kind"), QStringLiteral("service")},
                                       {QStringLiteral("id"), m_f.site.id.toString(QUuid::WithoutBraces)}}});
        });

        const ImportResult result = applyImport(*m_source, m_box, document);
        QVERIFY2(result.applied, qPrintable(errorText(result.errors)));
        const Configuration after = loadConfiguration(*m_source, m_box);
        const Alert alert = after.alerts.value(m_f.alert.id);
        QCOMPARE(alert.description, QStringLiteral("imported"));
        QCOMPARE(alert.secrets.value(QStringLiteral("smtp_password")), secretValue);
        QCOMPARE(alert.version, 2);
        QCOMPARE(after.hosts.value(m_f.web1.id).name, QStringLiteral("web2"));
        QCOMPARE(after.hosts.value(m_f.web2.id).name, QStringLiteral("web1"));
        QCOMPARE(after.plugins.value(m_f.http.id).pluginId, QStringLiteral("org.prophasis.disk"));
        QCOMPARE(after.plugins.value(m_f.disk.id).name, QStringLiteral("HTTP"));
        QCOMPARE(after.groups.value(m_f.web.id).groupIds, QList<QUuid>{m_f.all.id});
        QVERIFY(after.groups.value(m_f.all.id).groupIds.isEmpty());
        QCOMPARE(after.services.value(m_f.database.id).dependencies.size(), 1);
        QCOMPARE(configDocumentBytes(withoutSecretNames(exportConfiguration(*m_source, m_box, exportTime))),
                 configDocumentBytes(withoutSecretNames(document)));
    }

    void failureHalfwayWritesNothing()
    {
        // The database refuses the last object written (an alert): everything before it must
        // go with it.
        Database &db = *m_target;
        if (db.kind() == DatabaseKind::Postgres) {
            db.exec(QStringLiteral("CREATE FUNCTION refuse_row() RETURNS trigger LANGUAGE plpgsql AS "
                                   "'BEGIN RAISE EXCEPTION ''refused by the test''; END'"));
            db.exec(QStringLiteral("CREATE TRIGGER refuse_alerts BEFORE INSERT ON alerts FOR EACH ROW "
                                   "EXECUTE FUNCTION refuse_row()"));
        } else {
            db.exec(QStringLiteral("CREATE TRIGGER refuse_alerts BEFORE INSERT ON alerts "
                                   "BEGIN SELECT RAISE(ABORT, 'refused by the test'); END"));
        }
        addDiskPlugin(db, m_f.disk.id);
        const QByteArray before = configDocumentBytes(exportConfiguration(db, m_box, exportTime));
        const QJsonObject document = exportConfiguration(*m_source, m_box, exportTime);
        QVERIFY(planImport(db, m_box, document).isValid());
        bool thrown = false;
        try {
            applyImport(db, m_box, document);
        } catch (const StorageError &) {
            thrown = true;
        }
        QVERIFY(thrown);
        QCOMPARE(configDocumentBytes(exportConfiguration(db, m_box, exportTime)), before);
        QCOMPARE(test::countRows(db, QStringLiteral("hosts")), 0);
        QVERIFY(!db.inTransaction());
    }

private:
    std::unique_ptr<test::TestDatabase> m_sourceDatabase;
    std::unique_ptr<test::TestDatabase> m_targetDatabase;
    std::unique_ptr<Database> m_source;
    std::unique_ptr<Database> m_target;
    const SecretBox m_box{SecretBox::generateKey()};
    Fixture m_f;
};

QTEST_GUILESS_MAIN(TestConfigIo)
#include "tst_configio.moc"
