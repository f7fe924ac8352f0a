#pragma once

#include <QAbstractTableModel>
#include <QHash>

#include "console/common/healthchanges.h"

namespace prophasis {

// A host's or service's health history: when its state changed, from what to what, newest first.
class HealthChangeModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column
    {
        TimeColumn,
        SubjectColumn,
        FromColumn,
        ToColumn,
        ColumnCount
    };
    static constexpr int StateRole = Qt::UserRole; // From/To columns: the State as int

    explicit HealthChangeModel(QObject *parent = nullptr);

    // `names` gives the subject's name per id (the host's own); others show their kind.
    void setChanges(QList<HealthChangeRow> changes, QHash<QUuid, QString> names = {});
    const QList<HealthChangeRow> &changes() const { return m_changes; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    QList<HealthChangeRow> m_changes;
    QHash<QUuid, QString> m_names;
};

} // namespace prophasis
