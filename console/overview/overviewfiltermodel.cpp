#include "console/overview/overviewfiltermodel.h"

#include "console/overview/healthlistmodel.h"

namespace prophasis {

OverviewFilterModel::OverviewFilterModel(QObject *parent)
    : QSortFilterProxyModel(parent)
{
    setSortRole(HealthListModel::SortRole);
    setSortCaseSensitivity(Qt::CaseInsensitive);
    setDynamicSortFilter(true);
}

void OverviewFilterModel::setSearchText(const QString &text)
{
    const QString trimmed = text.trimmed();
    if (trimmed == m_search)
        return;
    m_search = trimmed;
    invalidateFilter();
}

void OverviewFilterModel::setStateFilter(std::optional<State> state)
{
    if (state == m_state)
        return;
    m_state = state;
    invalidateFilter();
}

bool OverviewFilterModel::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    const QModelIndex index = sourceModel()->index(sourceRow, 0, sourceParent);
    if (m_state && index.data(HealthListModel::StateRole).value<State>() != *m_state)
        return false;
    return m_search.isEmpty() ||
           index.data(HealthListModel::SearchTextRole).toString().contains(m_search, Qt::CaseInsensitive);
}

bool OverviewFilterModel::lessThan(const QModelIndex &left, const QModelIndex &right) const
{
    // The state column sorts by severity, so "ascending" on it lists the worst first. Ties fall
    // back to the source's worst-first order explicitly: the proxy keeps ties stable when it sorts
    // everything, but not when it places one changed or unfiltered row.
    if (left.column() == 0) {
        const int a = left.data(sortRole()).toInt();
        const int b = right.data(sortRole()).toInt();
        if (a != b)
            return a > b;
    } else if (QSortFilterProxyModel::lessThan(left, right)) {
        return true;
    } else if (QSortFilterProxyModel::lessThan(right, left)) {
        return false;
    }
    return left.row() < right.row();
}

} // namespace prophasis
