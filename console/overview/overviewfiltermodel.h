#pragma once

#include <QSortFilterProxyModel>

#include <optional>

#include "shared/domain/state.h"

namespace prophasis {

// What the overview's lists show of a HealthListModel: rows matching the search text (name,
// address or description, ignoring case) and, when one is chosen, only one state; sorted by the
// clicked column (HealthListModel::SortRole), the state column meaning worst first. Rows that sort
// alike keep the model's worst-first order.
class OverviewFilterModel : public QSortFilterProxyModel
{
    Q_OBJECT
public:
    explicit OverviewFilterModel(QObject *parent = nullptr);

    void setSearchText(const QString &text);
    QString searchText() const { return m_search; }
    void setStateFilter(std::optional<State> state);
    std::optional<State> stateFilter() const { return m_state; }

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;
    bool lessThan(const QModelIndex &left, const QModelIndex &right) const override;

private:
    QString m_search;
    std::optional<State> m_state;
};

} // namespace prophasis
