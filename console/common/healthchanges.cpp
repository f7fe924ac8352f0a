#include "console/common/healthchanges.h"

#include <QJsonObject>

#include <algorithm>

#include "console/common/statepresentation.h"
#include "shared/json/jsonreader.h"

namespace prophasis {

QList<HealthChangeRow> parseHealthChanges(const QJsonArray &changes)
{
    QList<HealthChangeRow> rows;
    rows.reserve(changes.size());
    for (const QJsonValue &value : changes) {
        const QJsonObject change = value.toObject();
        rows.append({fromJsonTime(change.value(QStringLiteral("time"))),
                     change.value(QStringLiteral("subject")).toString(),
                     QUuid::fromString(change.value(QStringLiteral("id")).toString()),
                     stateFromWire(change.value(QStringLiteral("from")).toString()),
                     stateFromWire(change.value(QStringLiteral("to")).toString())});
    }
    std::stable_sort(rows.begin(), rows.end(),
                     [](const HealthChangeRow &a, const HealthChangeRow &b) { return a.time > b.time; });
    return rows;
}

} // namespace prophasis
