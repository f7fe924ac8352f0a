#include "shared/json/statecountsjson.h"

#include <QList>
#include <QString>

#include <utility>

namespace prophasis {

namespace {

// Named once: a host list writes and reads these for every host.
const QList<std::pair<State, QString>> &stateNames()
{
    static const QList<std::pair<State, QString>> names = [] {
        QList<std::pair<State, QString>> list;
        for (const State state : statesWorstFirst())
            list.append({state, enumName(state)});
        return list;
    }();
    return names;
}

} // namespace

QJsonObject toJson(const StateCounts &counts)
{
    QJsonObject object;
    for (const auto &[state, name] : stateNames())
        object.insert(name, counts.value(state));
    return object;
}

StateCounts stateCountsFromJson(const QJsonObject &object)
{
    StateCounts counts;
    for (const auto &[state, name] : stateNames())
        counts.add(state, object.value(name).toInt());
    return counts;
}

} // namespace prophasis
