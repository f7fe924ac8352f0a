#pragma once

#include <QDateTime>
#include <QJsonArray>
#include <QList>
#include <QString>
#include <QUuid>

#include "shared/domain/state.h"

namespace prophasis {

// One state change of a host or service, as the host and service reports list them ("changes").
struct HealthChangeRow
{
    QDateTime time;
    QString subject; // "host" or "service"
    QUuid id;
    State from = State::NoData;
    State to = State::NoData;
};

// Reads a report's "changes" array, newest first whatever order it came in.
QList<HealthChangeRow> parseHealthChanges(const QJsonArray &changes);

} // namespace prophasis
