#pragma once

#include <QHash>
#include <QJsonObject>
#include <QString>

#include "tests/dispatch/dispatchfixture.h"
#include "tests/support/coreprocess.h"

namespace prophasis::test {

// The small shop of tests/engine/shopfixture.h on a real core, set up the way an admin would:
// through the management API over HTTPS only. Two web servers, web1 (127.0.0.2) and web2
// (127.0.0.3), answered by prophasis-mock-agent pinned to the core's key; a real plugin package
// (made with tar) uploaded; one check over both, run every second; a service "Shop" with both in
// one redundancy group. flip() makes a host's plugin fail or recover: its classifier calls the
// first failing run critical (no second run needed), so a flip shows within a period or two.
class LiveShop
{
public:
    static inline const QString PluginId = QStringLiteral("org.example.shop");
    static inline const QString Web1 = QStringLiteral("web1");
    static inline const QString Web2 = QStringLiteral("web2");
    static inline const QString ServiceName = QStringLiteral("Shop");
    // Every run answers value 1 and this metric at 20 ms (failing: value 0, 5000 ms).
    static inline const QString ResponseMetric = QStringLiteral("response_time");

    // A viewer made by createViewer().
    struct Credentials
    {
        QString id;
        QString username;
        QString password;
    };

    // `core` must be running and outlive the shop.
    explicit LiveShop(CoreProcess &core);

    // Logs in as admin, uploads the plugin, starts the mock agents, creates the hosts, the check,
    // the schedule and the service. False with *error (which call, its status and body) if any
    // step failed.
    bool setUp(QString *error = nullptr);
    // Rewrites the mock's file: `host` (web1 or web2) answers a failing run (value 0, status
    // critical, ResponseMetric 5000), or a good one again. The mock reads it within a fraction of a second.
    bool flip(const QString &host, bool failing);
    // A new admin session, e.g. after the core restarted (sessions live in its database, but a
    // test should not depend on that).
    bool relogin();

    // A new viewer user (username unique per call unless given) and its password.
    Credentials createViewer(const QString &username = {});

    // The health of a host or of the service from the reports API ("ok", "critical", "degraded",
    // "no_data", …); empty when the call failed.
    QString hostState(const QString &host);
    QString serviceState();

    QString adminToken() const { return m_adminToken; }
    QString hostId(const QString &host) const { return m_hostIds.value(host); }
    QString web1Id() const { return hostId(Web1); }
    QString web2Id() const { return hostId(Web2); }
    QString serviceId() const { return m_serviceId; }
    QString checkId() const { return m_checkId; }
    QString scheduleId() const { return m_scheduleId; }
    QString pluginId() const { return m_pluginId; } // the plugin's UUID (PluginId is its manifest id)
    QString packageSha256() const { return m_packageSha256; }
    CoreProcess &core() { return m_core; }
    testing::MockAgentProcess &mock() { return m_mock; }

private:
    QJsonObject mockHosts() const;
    // POSTs `body` to `target` with the admin token; the new object's id, or empty with *error.
    QString create(const QByteArray &target, const QJsonObject &body, QString *error);

    CoreProcess &m_core;
    testing::MockAgentProcess m_mock;
    QHash<QString, bool> m_failing;
    QString m_adminToken;
    QHash<QString, QString> m_hostIds;
    QString m_serviceId;
    QString m_checkId;
    QString m_scheduleId;
    QString m_pluginId;
    QString m_packageSha256;
    int m_viewers = 0;
};

} // namespace prophasis::test
