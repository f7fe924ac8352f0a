#include "daemon-core/storage/resultcodes.h"

#include <array>
#include <utility>

namespace prophasis {

namespace {

template <typename E, size_t N>
int codeOf(const std::array<std::pair<E, int>, N> &table, E value)
{
    for (const auto &[candidate, code] : table) {
        if (candidate == value)
            return code;
    }
    return table.front().second;
}

template <typename E, size_t N>
E valueOf(const std::array<std::pair<E, int>, N> &table, int code, E fallback)
{
    for (const auto &[candidate, candidateCode] : table) {
        if (candidateCode == code)
            return candidate;
    }
    return fallback;
}

constexpr std::array<std::pair<ResultType, int>, 6> TypeCodes = {{
    {ResultType::Success, 0},
    {ResultType::ConnectionError, 1},
    {ResultType::Timeout, 2},
    {ResultType::TlsError, 3},
    {ResultType::RequestError, 4},
    {ResultType::PluginError, 5},
}};

constexpr std::array<std::pair<PluginStatus, int>, 5> StatusCodes = {{
    {PluginStatus::None, 0},
    {PluginStatus::Ok, 1},
    {PluginStatus::Warning, 2},
    {PluginStatus::Critical, 3},
    {PluginStatus::Unknown, 4},
}};

// Ok is 0 so the common case costs no byte in an SQLite record.
constexpr std::array<std::pair<State, int>, 7> StateCodes = {{
    {State::Ok, 0},
    {State::Unknown, 1},
    {State::Minor, 2},
    {State::Major, 3},
    {State::Critical, 4},
    {State::Degraded, 5},
    {State::NoData, 6},
}};

} // namespace

int resultTypeCode(ResultType type)
{
    return codeOf(TypeCodes, type);
}

ResultType resultTypeFromCode(int code)
{
    return valueOf(TypeCodes, code, ResultType::PluginError);
}

int pluginStatusCode(PluginStatus status)
{
    return codeOf(StatusCodes, status);
}

PluginStatus pluginStatusFromCode(int code)
{
    return valueOf(StatusCodes, code, PluginStatus::Unknown);
}

int stateCode(State state)
{
    return codeOf(StateCodes, state);
}

State stateFromCode(int code)
{
    return valueOf(StateCodes, code, State::Unknown);
}

int outcomeCode(const ResultOutcome &outcome)
{
    return resultTypeCode(outcome.type) | pluginStatusCode(outcome.status) << 3 |
           stateCode(outcome.classification) << 6;
}

ResultOutcome outcomeFromCode(int code)
{
    return {resultTypeFromCode(code & 7), pluginStatusFromCode(code >> 3 & 7), stateFromCode(code >> 6 & 7)};
}

} // namespace prophasis
