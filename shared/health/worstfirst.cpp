#include "shared/health/worstfirst.h"

#include <algorithm>

namespace prophasis {

bool isWorstFirstBefore(const HealthEntry &a, const HealthEntry &b)
{
    const int rankA = severityRank(a.state);
    const int rankB = severityRank(b.state);
    if (rankA != rankB)
        return rankA > rankB;
    // Not localeAwareCompare: the order must not change with the machine's locale.
    const int byName = QString::compare(a.name, b.name, Qt::CaseInsensitive);
    if (byName != 0)
        return byName < 0;
    return a.id < b.id;
}

void sortWorstFirst(QList<HealthEntry> &entries)
{
    std::sort(entries.begin(), entries.end(), isWorstFirstBefore);
}

} // namespace prophasis
