#pragma once

#include <QJsonObject>

#include "shared/domain/statecounts.h"

// The one JSON form of counts per state: an object naming every state ({"critical": 1, …,
// "no_data": 0}). Reading treats a missing state as zero.
namespace prophasis {

QJsonObject toJson(const StateCounts &counts);
StateCounts stateCountsFromJson(const QJsonObject &object);

} // namespace prophasis
