#pragma once

#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QUuid>

#include "console/common/healthchanges.h"
#include "shared/domain/service.h"
#include "shared/domain/state.h"

namespace prophasis {

// GET /api/v1/reports/services/{id} as the service page reads it.
struct ServiceMemberReport
{
    MemberKind kind = MemberKind::Host;
    QUuid id; // host, host group or service
    QString name;
    QUuid pluginId;     // host_plugin only
    QString pluginName; // host_plugin only
    State state = State::NoData;
};

struct ServiceGroupReport
{
    QString name;
    State state = State::NoData;
    QList<ServiceMemberReport> members;
};

struct ServiceReport
{
    QUuid id;
    QString name;
    QString description;
    State state = State::NoData;
    QList<ServiceMemberReport> dependencies;
    QList<ServiceGroupReport> groups;
    QList<HealthChangeRow> changes; // newest first

    static ServiceReport fromJson(const QJsonObject &json);
    // Every host and service whose health can move this service's (for refreshing on events).
    QList<QUuid> memberIds() const;
    bool hasHostGroupMember() const;
};

// How a member is named in sentences and lists: "web1", "HTTP on web1".
QString memberDisplayName(const ServiceMemberReport &member);
// "Host", "Host group", "Plugin on a host", "Service" (tr).
QString memberKindLabel(MemberKind kind);

// One sentence saying why the service is in its state, worked out from its structure so it can
// be read at a glance: "Degraded: in redundancy group 'web', web2 is critical; web1 still serves
// it", "Critical: dependency 'db1' is critical".
QString serviceStateReason(const ServiceReport &report);

} // namespace prophasis
