#include "console/overview/healthrow.h"

#include <QJsonArray>
#include <QJsonObject>

#include <algorithm>
#include <functional>

#include "console/common/statepresentation.h"
#include "shared/json/jsonreader.h"
#include "shared/json/statecountsjson.h"

namespace prophasis {

namespace {

HealthEntry readKey(const QJsonObject &object)
{
    return HealthEntry{QUuid::fromString(object.value(QLatin1String("id")).toString()),
                       object.value(QLatin1String("name")).toString(),
                       stateFromWire(object.value(QLatin1String("state")).toString())};
}

// The core sends rows worst first already; sorting again keeps the models' invariant even for a
// core that someday sorts otherwise, and costs little on sorted input.
void sortRows(QList<HealthRow> &rows)
{
    std::stable_sort(rows.begin(), rows.end(),
                     [](const HealthRow &a, const HealthRow &b) { return isWorstFirstBefore(a.key, b.key); });
}

HealthListReport readReport(const QJsonObject &json, QLatin1String listName,
                            const std::function<HealthRow(const QJsonObject &)> &readRow)
{
    HealthListReport report;
    const QJsonValue list = json.value(listName);
    if (!list.isArray())
        return report;
    const QJsonArray array = list.toArray();
    report.rows.reserve(array.size());
    for (const QJsonValue &value : array) {
        HealthRow row = readRow(value.toObject());
        if (!row.key.id.isNull())
            report.rows.append(std::move(row));
    }
    sortRows(report.rows);
    report.counts = stateCountsFromJson(json.value(QLatin1String("counts")).toObject());
    report.generated = fromJsonTime(json.value(QLatin1String("generated")));
    report.valid = true;
    return report;
}

} // namespace

HealthListReport parseHostsReport(const QJsonObject &json)
{
    return readReport(json, QLatin1String("hosts"), [](const QJsonObject &object) {
        HealthRow row;
        row.key = readKey(object);
        row.address = object.value(QLatin1String("address")).toString();
        row.enabled = object.value(QLatin1String("enabled")).toBool(true);
        row.series = stateCountsFromJson(object.value(QLatin1String("series")).toObject());
        row.newestResult = fromJsonTime(object.value(QLatin1String("newest_result")));
        return row;
    });
}

HealthListReport parseServicesReport(const QJsonObject &json)
{
    return readReport(json, QLatin1String("services"), [](const QJsonObject &object) {
        HealthRow row;
        row.key = readKey(object);
        row.description = object.value(QLatin1String("description")).toString();
        return row;
    });
}

} // namespace prophasis
