#include "shared/domain/statecounts.h"

namespace prophasis {

int StateCounts::total() const
{
    int sum = 0;
    for (const int count : m_counts)
        sum += count;
    return sum;
}

} // namespace prophasis
