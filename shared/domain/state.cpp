#include "shared/domain/state.h"

namespace prophasis {

int severityRank(State state)
{
    switch (state) {
    case State::NoData:
        return 0;
    case State::Ok:
        return 1;
    case State::Unknown:
        return 2;
    case State::Degraded:
        return 3;
    case State::Minor:
        return 4;
    case State::Major:
        return 5;
    case State::Critical:
        return 6;
    }
    return 0;
}

State mostSevere(State a, State b)
{
    return severityRank(b) > severityRank(a) ? b : a;
}

State leastSevere(State a, State b)
{
    return severityRank(b) < severityRank(a) ? b : a;
}

bool isMoreSevere(State a, State b)
{
    return severityRank(a) > severityRank(b);
}

const QList<State> &statesWorstFirst()
{
    static const QList<State> states = {State::Critical, State::Major,  State::Minor, State::Degraded,
                                        State::Unknown,  State::Ok,     State::NoData};
    return states;
}

bool isResultClassification(State state)
{
    return state != State::Degraded && state != State::NoData;
}

} // namespace prophasis
