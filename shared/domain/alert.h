#pragma once

#include <QJsonObject>
#include <QStringList>

#include "shared/domain/entity.h"
#include "shared/domain/state.h"

namespace prophasis {

// Which hosts and services an alert listens to. Chosen objects add to the "all" switches.
struct AlertScope
{
    bool allHosts = false;
    bool allServices = false;
    QList<QUuid> hostIds;
    QList<QUuid> groupIds;
    QList<QUuid> serviceIds;
};

// Who to tell about which state changes, and how.
struct Alert : Entity
{
    QString name;
    QString description;
    QList<State> fromStates; // empty: any
    QList<State> toStates;   // empty: any
    AlertScope scope;
    QList<QUuid> pluginIds; // restriction: only results of these plugins (empty: all)
    QList<QUuid> checkIds;  // restriction: only results of these checks (empty: all)
    QString module;         // email, webhook, command, syslog, …
    QJsonObject options;    // the module's non-secret options
    // Write-only module secrets (SMTP password, webhook URL): never sent back by the API, never
    // exported, encrypted at rest.
    QMap<QString, QString> secrets;
    bool enabled = true;
};

} // namespace prophasis
