#pragma once

#include <array>
#include <cstddef>

#include "shared/domain/state.h"

namespace prophasis {

// How many hosts, services or series are in each state: what the core's reports send and what
// the console's overview shows.
class StateCounts
{
public:
    void add(State state, int count = 1) { m_counts[std::size_t(state)] += count; }
    int value(State state) const { return m_counts[std::size_t(state)]; }
    int total() const;
    friend bool operator==(const StateCounts &, const StateCounts &) = default;

private:
    std::array<int, 7> m_counts{}; // per State enumerator
};

} // namespace prophasis
