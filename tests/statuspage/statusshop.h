#pragma once

#include <QDateTime>
#include <QStringList>
#include <QUuid>

#include <cmath>

#include "daemon-core/storage/checkstore.h"
#include "daemon-core/storage/configurationloader.h"
#include "daemon-core/storage/database.h"
#include "daemon-core/storage/hoststore.h"
#include "daemon-core/storage/pluginstore.h"
#include "daemon-core/storage/resultstore.h"
#include "daemon-core/storage/secretbox.h"
#include "daemon-core/storage/servicestore.h"
#include "shared/domain/configuration.h"
#include "shared/health/healthcalculator.h"

namespace prophasis::test {

// A small shop for the status page's HTTP, browser and benchmark runs, stored in a real database:
// hosts in every state (one named like markup, one with a very long name, one never checked),
// three plugins on one check, a day of history on web-01 for its charts, and services with a
// dependency, a redundancy group, a plugin-on-host member and a degraded result. `hostCount`
// pads the list with healthy hosts up to that many.
struct StatusShop
{
    Configuration config;
    LatestResults latest;
    QUuid chartHost;   // web-01: a day of history
    QUuid hostileHost; // named like a script
    QUuid webShop;     // the service with structure
    // The first host names worst first, as every list must show them.
    QStringList worstFirstNames;

    static inline const QString HostileName = QStringLiteral("<script>alert(1)</script>");
    static inline const QString LongName =
        QStringLiteral("storage-node-0042-eu-west-availability-zone-c.datacenter.example.internal");

    static StatusShop create(Database &db, int hostCount, const QDateTime &now)
    {
        StatusShop shop;
        QList<QUuid> pluginIds;
        for (const auto &[id, name] :
             {std::pair{"org.prophasis.cpu_load", "CPU load"}, std::pair{"org.prophasis.disk", "Disk /var"},
              std::pair{"org.prophasis.http", "HTTP"}}) {
            Plugin plugin;
            plugin.pluginId = QString::fromLatin1(id);
            plugin.name = QString::fromLatin1(name);
            plugin.pluginVersion = QStringLiteral("1.0");
            plugin.entry = QStringLiteral("main.lua");
            plugin.classifier.source = QStringLiteral("return 'ok'");
            pluginIds.append(PluginStore(db).create(plugin).id);
        }

        // Name and state of the hosts that make the list interesting; the rest are fine.
        const QList<std::pair<QString, State>> named = {
            {QStringLiteral("db-01"), State::Critical},
            {QStringLiteral("web-02"), State::Critical},
            {QStringLiteral("mail-01"), State::Major},
            {HostileName, State::Minor},
            {QStringLiteral("backup-02"), State::Unknown},
            {QStringLiteral("web-01"), State::Ok},
            {LongName, State::Ok},
            {QStringLiteral("printer-3rd-floor"), State::NoData},
        };
        QHash<QString, QUuid> byName;
        QList<QUuid> checked;
        QList<CheckResult> results;
        QHash<QUuid, State> stateOf;
        const auto addHost = [&](const QString &name, State state, int index) {
            Host host;
            host.name = name;
            host.address = QStringLiteral("10.0.%1.%2").arg(index / 250).arg(index % 250 + 1);
            host.description = QStringLiteral("Rack %1").arg(index % 12 + 1);
            const QUuid id = HostStore(db).create(host).id;
            byName.insert(name, id);
            stateOf.insert(id, state);
            if (state != State::NoData)
                checked.append(id);
        };
        int index = 0;
        for (const auto &[name, state] : named)
            addHost(name, state, index++);
        for (; index < hostCount; ++index)
            addHost(QStringLiteral("host-%1").arg(index, 4, 10, QChar(u'0')), State::Ok, index);

        Check check;
        check.name = QStringLiteral("Basics");
        check.hostIds = checked;
        for (const QUuid &pluginId : pluginIds)
            check.plugins.append({pluginId, {}, std::nullopt});
        const QUuid checkId = CheckStore(db).create(check).id;

        const auto result = [&](const QUuid &host, int plugin, const QDateTime &time, double value,
                                State state) {
            CheckResult r;
            r.hostId = host;
            r.checkId = checkId;
            r.pluginId = pluginIds.at(plugin);
            r.time = time;
            r.value = value;
            r.classification = state;
            static const QStringList messages = {QStringLiteral("load average %1"),
                                                 QStringLiteral("/var is %1% full"),
                                                 QStringLiteral("HTTP 200 in %1 ms")};
            r.message = state == State::Critical && plugin == 0 ? QStringLiteral("connection refused")
                                                                : messages.at(plugin).arg(value);
            if (state == State::Critical && plugin == 0) {
                r.type = ResultType::ConnectionError;
                r.value.reset();
            }
            return r;
        };
        for (const QUuid &host : checked) {
            for (int plugin = 0; plugin < pluginIds.size(); ++plugin)
                results.append(result(host, plugin, now.addSecs(-60), 10.0 + plugin * 20,
                                      plugin == 0 ? stateOf.value(host) : State::Ok));
        }
        shop.chartHost = byName.value(QStringLiteral("web-01"));
        for (int step = 96; step >= 2; --step) { // every 15 min for a day, before the latest
            const QDateTime time = now.addSecs(-900 * step);
            for (int plugin = 0; plugin < pluginIds.size(); ++plugin)
                results.append(result(shop.chartHost, plugin, time,
                                      (plugin + 1) * (20 + 10 * std::sin(step / 8.0 + plugin)), State::Ok));
        }
        ResultStore(db).insert(results);

        Service service;
        service.name = QStringLiteral("Web shop");
        service.description = QStringLiteral("The public shop: its database and at least one web server");
        service.dependencies = {{MemberKind::Host, byName.value(QStringLiteral("db-01")), {}},
                                {MemberKind::HostPlugin, shop.chartHost, pluginIds.at(2)}};
        service.redundancyGroups = {{QStringLiteral("Web servers"),
                                     {{MemberKind::Host, shop.chartHost, {}},
                                      {MemberKind::Host, byName.value(QStringLiteral("web-02")), {}}}}};
        shop.webShop = ServiceStore(db).create(service).id;
        const auto simple = [&](const QString &name, const QString &host) {
            Service s;
            s.name = name;
            s.dependencies = {{MemberKind::Host, byName.value(host), {}}};
            ServiceStore(db).create(s);
        };
        simple(QStringLiteral("Mail"), QStringLiteral("mail-01"));
        simple(QStringLiteral("Backups"), QStringLiteral("backup-02"));
        simple(QStringLiteral("Intranet"), QStringLiteral("web-01"));
        Service web;
        web.name = QStringLiteral("Web front ends");
        web.redundancyGroups = {{QStringLiteral("Any web server"),
                                 {{MemberKind::Host, shop.chartHost, {}},
                                  {MemberKind::Host, byName.value(QStringLiteral("web-02")), {}}}}};
        ServiceStore(db).create(web);

        shop.hostileHost = byName.value(HostileName);
        shop.worstFirstNames = {QStringLiteral("db-01"), QStringLiteral("web-02"), QStringLiteral("mail-01"),
                                HostileName, QStringLiteral("backup-02")};
        shop.config = loadConfiguration(db, SecretBox(SecretBox::generateKey()));
        shop.latest = ResultStore(db).latest();
        return shop;
    }
};

} // namespace prophasis::test
