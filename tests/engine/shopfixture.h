#pragma once

#include <QDateTime>
#include <QJsonObject>
#include <QTemporaryDir>

#include <memory>

#include "daemon-core/engine/coreengine.h"
#include "daemon-core/storage/checkstore.h"
#include "daemon-core/storage/hoststore.h"
#include "daemon-core/storage/pluginstore.h"
#include "daemon-core/storage/servicestore.h"
#include "daemon-core/storage/storageexecutor.h"
#include "tests/dispatch/dispatchfixture.h"
#include "tests/storage/testdatabase.h"
#include "tests/support/agentprocess.h"

// The small shop the engine tests run: two web servers answered by the mock agent, one check
// every second, one service with both in a redundancy group, stored through the stores as the
// API will.
namespace prophasis::test::shop {

using testing::MockAgentProcess;

inline const QString PluginId = QStringLiteral("org.example.up");
inline const QString PackageSha = QString(64, u'a');

inline QJsonObject mockHosts(quint16 port1, quint16 port2, const QString &behaviour2,
                             const QString &behaviour1 = QStringLiteral("normal"))
{
    const QJsonObject plugins{
        {PluginId,
         MockAgentProcess::pluginEntry(PackageSha, {{QStringLiteral("value"), 1},
                                                    {QStringLiteral("message"), QStringLiteral("up")},
                                                    {QStringLiteral("status"), QStringLiteral("ok")}})}};
    return {{QStringLiteral("web1"), MockAgentProcess::hostEntry(port1, behaviour1, plugins)},
            {QStringLiteral("web2"), MockAgentProcess::hostEntry(port2, behaviour2, plugins)}};
}

// The configuration of a small shop, stored through the stores as the API will: two web servers
// on one check every second, in one redundancy group of a service.
struct Shop
{
    Host web1, web2;
    Plugin plugin;
    Check check;
    Service service;
};

inline Shop storeShop(StorageExecutor &storage, const QJsonObject &web1, const QJsonObject &web2)
{
    return storage.runAndWait([&](Database &db) {
        Shop shop;
        for (auto [host, mock] : {std::pair{&shop.web1, web1}, std::pair{&shop.web2, web2}}) {
            host->name = mock.value(QStringLiteral("host")).toString();
            host->address = mock.value(QStringLiteral("address")).toString();
            host->agentPort = quint16(mock.value(QStringLiteral("port")).toInt());
            host->agentKeySha256 = mock.value(QStringLiteral("spki_sha256")).toString();
            *host = HostStore(db).create(*host);
        }
        shop.plugin.pluginId = PluginId;
        shop.plugin.name = QStringLiteral("Up");
        shop.plugin.pluginVersion = QStringLiteral("1.0.0");
        shop.plugin.runtime = PluginRuntime::Exec;
        shop.plugin.entry = QStringLiteral("check.sh");
        shop.plugin.packageSha256 = PackageSha;
        // The rule every default classifier starts with (docs/PLUGIN_GUIDE.md): one failed run is
        // unknown, two in a row critical.
        shop.plugin.classifier = {QStringLiteral("local verdict = failureRule()\n"
                                                 "if verdict then return verdict end\n"
                                                 "return 'ok'\n"),
                                  2};
        shop.plugin = PluginStore(db).create(shop.plugin);
        shop.check.name = QStringLiteral("web");
        shop.check.hostIds = {shop.web1.id, shop.web2.id};
        shop.check.plugins = {CheckPlugin{shop.plugin.id, {}, std::nullopt}};
        shop.check = CheckStore(db).create(shop.check);
        Schedule schedule;
        schedule.name = QStringLiteral("every second");
        schedule.intervals = {{QDateTime::currentDateTimeUtc().addSecs(-3600), 1}};
        schedule.checkIds = {shop.check.id};
        ScheduleStore(db).create(schedule);
        shop.service.name = QStringLiteral("shop");
        shop.service.redundancyGroups = {
            {QStringLiteral("web"),
             {{MemberKind::Host, shop.web1.id, {}}, {MemberKind::Host, shop.web2.id, {}}}}};
        shop.service = ServiceStore(db).create(shop.service);
        return shop;
    });
}

// Everything an engine test around the shop needs: a fresh database (SQLite or PostgreSQL, as the
// test runs), the storage executor, the core's identity, the mock agents answering normally and
// the shop stored. Tests that include this define PROPHASIS_CLASSIFIER_BINARY.
struct ShopBench
{
    explicit ShopBench(const QString &testName)
        : testDatabase(testName)
    {
    }

    // False when the mock agents did not come up.
    bool start(int storageThreads = 2)
    {
        testDatabase.freshMigratedDatabase(&databaseConfig);
        storage = std::make_unique<StorageExecutor>(databaseConfig, storageThreads);
        port1 = test::freeLoopbackPort();
        port2 = test::freeLoopbackPort();
        if (!mock.start(spkiSha256(core.certificate), hosts(QStringLiteral("normal"))))
            return false;
        shop = storeShop(*storage, mock.host(QStringLiteral("web1")), mock.host(QStringLiteral("web2")));
        return true;
    }

    // The mock's hosts with these behaviours ("normal", "drop", …).
    QJsonObject hosts(const QString &web2, const QString &web1 = QStringLiteral("normal")) const
    {
        return mockHosts(port1, port2, web2, web1);
    }

    // The real classification worker, a quick configuration poll, a spool of its own.
    EngineOptions engineOptions() const
    {
        EngineOptions options;
        options.classifier.workerProgram = QStringLiteral(PROPHASIS_CLASSIFIER_BINARY);
        options.configurationPollMs = 50;
        options.spoolDirectory = spool.path();
        return options;
    }

    test::TestDatabase testDatabase;
    DatabaseConfig databaseConfig;
    std::unique_ptr<StorageExecutor> storage;
    TlsIdentity core = TlsIdentity::generate(QStringLiteral("core"));
    MockAgentProcess mock;
    quint16 port1 = 0;
    quint16 port2 = 0;
    Shop shop;
    QTemporaryDir spool;
};

} // namespace prophasis::test::shop
