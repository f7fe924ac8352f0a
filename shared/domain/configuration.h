#pragma once

#include <QHash>

#include "shared/domain/alert.h"
#include "shared/domain/check.h"
#include "shared/domain/host.h"
#include "shared/domain/plugin.h"
#include "shared/domain/service.h"

namespace prophasis {

// A snapshot of every configuration object, keyed by UUID: what health computation, the
// scheduler and config export/import work on.
struct Configuration
{
    QHash<QUuid, Host> hosts;
    QHash<QUuid, HostGroup> groups;
    QHash<QUuid, Plugin> plugins;
    QHash<QUuid, Check> checks;
    QHash<QUuid, Schedule> schedules;
    QHash<QUuid, Service> services;
    QHash<QUuid, Alert> alerts;
};

} // namespace prophasis
