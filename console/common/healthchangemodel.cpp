#include "console/common/healthchangemodel.h"

#include <QLocale>

#include "console/common/statepresentation.h"

namespace prophasis {

HealthChangeModel::HealthChangeModel(QObject *parent)
    : QAbstractTableModel(parent)
{
}

void HealthChangeModel::setChanges(QList<HealthChangeRow> changes, QHash<QUuid, QString> names)
{
    beginResetModel();
    m_changes = std::move(changes);
    m_names = std::move(names);
    endResetModel();
}

int HealthChangeModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_changes.size());
}

int HealthChangeModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant HealthChangeModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const HealthChangeRow &change = m_changes.at(index.row());
    const bool isState = index.column() == FromColumn || index.column() == ToColumn;
    const State state = index.column() == FromColumn ? change.from : change.to;
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case TimeColumn:
            return QLocale().toString(change.time.toLocalTime(), QLocale::ShortFormat);
        case SubjectColumn: {
            const QString name = m_names.value(change.id);
            if (!name.isEmpty())
                return name;
            return change.subject == QStringLiteral("service") ? tr("Service") : tr("Host");
        }
        case FromColumn:
        case ToColumn:
            return stateLabel(state);
        }
        break;
    case Qt::DecorationRole:
        if (isState)
            return stateIcon(state);
        break;
    case StateRole:
        if (isState)
            return int(state);
        break;
    }
    return {};
}

QVariant HealthChangeModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case TimeColumn:
        return tr("Time");
    case SubjectColumn:
        return tr("Subject");
    case FromColumn:
        return tr("From");
    case ToColumn:
        return tr("To");
    }
    return {};
}

} // namespace prophasis
