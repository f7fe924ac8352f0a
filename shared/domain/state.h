#pragma once

#include <QList>

#include <array>
#include <utility>

#include "shared/domain/enumnames.h"

namespace prophasis {

// A classification of a result, or the health of a host, group or service (SPEC §2).
// The enumerator order means nothing: severity lives in severityRank() alone.
enum class State
{
    NoData,
    Ok,
    Unknown,
    Degraded,
    Minor,
    Major,
    Critical,
};

// The one place that knows the severity order: higher is more severe.
int severityRank(State state);

State mostSevere(State a, State b);
State leastSevere(State a, State b);
bool isMoreSevere(State a, State b);

// Every state, most severe first.
const QList<State> &statesWorstFirst();

// What a classifier may return and a result may carry: no "degraded", no "no data".
bool isResultClassification(State state);

template <>
struct EnumNames<State>
{
    static constexpr std::array<std::pair<State, const char *>, 7> table = {{
        {State::Critical, "critical"},
        {State::Major, "major"},
        {State::Minor, "minor"},
        {State::Degraded, "degraded"},
        {State::Unknown, "unknown"},
        {State::Ok, "ok"},
        {State::NoData, "no_data"},
    }};
};

} // namespace prophasis
