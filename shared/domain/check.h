#pragma once

#include <QDateTime>
#include <QJsonObject>

#include <optional>

#include "shared/domain/entity.h"
#include "shared/domain/plugin.h"

namespace prophasis {

struct CheckPlugin
{
    QUuid pluginId;
    QJsonObject arguments; // per-check plugin arguments, e.g. {"path": "/var"}
    std::optional<Classifier> classifierOverride;
};

// A named set of hosts and host groups × a set of plugins.
struct Check : Entity
{
    QString name;
    QString description;
    QList<QUuid> hostIds;
    QList<QUuid> groupIds;
    QList<CheckPlugin> plugins;
    bool enabled = true;
};

inline constexpr qint64 MinPeriodSeconds = 1;
inline constexpr qint64 MaxPeriodSeconds = 366LL * 24 * 3600;

// Runs fall at start + k × period (UTC).
struct ScheduleInterval
{
    QDateTime start;
    qint64 periodSeconds = 60;
};

struct Schedule : Entity
{
    QString name;
    QString description;
    QList<ScheduleInterval> intervals;
    QList<QUuid> checkIds;
    bool enabled = true;
};

} // namespace prophasis
