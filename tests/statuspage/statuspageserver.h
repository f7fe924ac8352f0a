#pragma once

#include <QDateTime>

#include <memory>

#include "daemon-core/reports/statichealthsource.h"
#include "daemon-core/statuspage/statusroutes.h"
#include "tests/api/apitestserver.h"
#include "tests/statuspage/statusshop.h"

namespace prophasis::test {

// The status page's test server: the API test bench with a shop of `hosts` hosts stored, its
// present health fixed at start, and only the status page mounted.
struct StatusPageServer
{
    std::unique_ptr<ApiTestServer> api;
    std::unique_ptr<StaticHealthSource> health;
    StatusShop shop;

    bool start(TestDatabase &database, QObject *context, int hosts, bool anonymous, QString *error)
    {
        api.reset(); // the old server goes before the health it reads
        api = std::make_unique<ApiTestServer>(database, context);
        const QDateTime now = QDateTime::currentDateTimeUtc();
        shop = api->storage().runAndWait(
            [hosts, now](Database &db) { return StatusShop::create(db, hosts, now); });
        health = std::make_unique<StaticHealthSource>(shop.config, shop.latest, now);
        mountStatusPage(api->routes(),
                        StatusPageContext{api->storage(), api->authenticator(), *health, context, anonymous});
        return api->start(error);
    }
};

} // namespace prophasis::test
