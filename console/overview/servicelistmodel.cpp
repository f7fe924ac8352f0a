#include "console/overview/servicelistmodel.h"

namespace prophasis {

ServiceListModel::ServiceListModel(QObject *parent)
    : HealthListModel(parent)
{
}

int ServiceListModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ServiceListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const HealthRow &row = m_rows.at(index.row());
    if (const QVariant common = commonData(row, role); common.isValid())
        return common;
    switch (index.column()) {
    case StateColumn:
        return stateData(row, role);
    case NameColumn:
        if (role == Qt::DisplayRole || role == SortRole)
            return row.key.name;
        break;
    case DescriptionColumn:
        if (role == Qt::DisplayRole || role == Qt::ToolTipRole || role == SortRole)
            return row.description;
        break;
    default:
        break;
    }
    return {};
}

QVariant ServiceListModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case StateColumn:
        return tr("State");
    case NameColumn:
        return tr("Service");
    case DescriptionColumn:
        return tr("Description");
    default:
        return {};
    }
}

QString ServiceListModel::subject() const
{
    return QStringLiteral("service");
}

HealthListReport ServiceListModel::parse(const QJsonObject &json) const
{
    return parseServicesReport(json);
}

} // namespace prophasis
