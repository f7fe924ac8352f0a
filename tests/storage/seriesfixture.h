#pragma once

#include <QDateTime>
#include <QUuid>

#include <optional>

#include "daemon-core/storage/checkstore.h"
#include "daemon-core/storage/database.h"
#include "daemon-core/storage/hoststore.h"
#include "daemon-core/storage/pluginstore.h"
#include "shared/domain/checkresult.h"
#include "shared/health/healthcalculator.h"

namespace prophasis::test {

// What the time-series tests write results for: hosts web1 and web2 on one check of one plugin.
struct SeriesFixture
{
    QUuid host;
    QUuid otherHost;
    QUuid plugin;
    QUuid check;

    static SeriesFixture create(Database &db)
    {
        SeriesFixture f;
        Host host;
        host.name = QStringLiteral("web1");
        host.address = QStringLiteral("127.0.0.1");
        f.host = HostStore(db).create(host).id;
        host.name = QStringLiteral("web2");
        f.otherHost = HostStore(db).create(host).id;
        Plugin plugin;
        plugin.pluginId = QStringLiteral("org.prophasis.load");
        plugin.name = QStringLiteral("Load");
        plugin.pluginVersion = QStringLiteral("1.0");
        plugin.entry = QStringLiteral("load.lua");
        plugin.classifier.source = QStringLiteral("return 'ok'");
        f.plugin = PluginStore(db).create(plugin).id;
        Check check;
        check.name = QStringLiteral("c");
        check.hostIds = {f.host, f.otherHost};
        check.plugins = {{f.plugin, {}, std::nullopt}};
        f.check = CheckStore(db).create(check).id;
        return f;
    }

    SeriesKey series() const { return {host, check, plugin}; }

    // An ok result of web1's series.
    CheckResult result(const QDateTime &time, std::optional<double> value, const QString &message) const
    {
        CheckResult result;
        result.hostId = host;
        result.checkId = check;
        result.pluginId = plugin;
        result.time = time;
        result.value = value;
        result.message = message;
        result.classification = State::Ok;
        return result;
    }
};

} // namespace prophasis::test
