#pragma once

#include <QList>
#include <QString>
#include <QUuid>

#include "shared/domain/state.h"

namespace prophasis {

// One row of a host or service list.
struct HealthEntry
{
    QUuid id;
    QString name;
    State state = State::NoData;
};

// Most severe first (SPEC §2), then by name ignoring case, then by id: a total order, so every
// screen and every locale lists the same rows in the same order.
void sortWorstFirst(QList<HealthEntry> &entries);
// That order as a comparison: true when `a` comes before `b` (for placing one row in a sorted list).
bool isWorstFirstBefore(const HealthEntry &a, const HealthEntry &b);

} // namespace prophasis
