#include "console/overview/servicelistmodel.h"

namespace prophasis {

ServiceListModel::ServiceListModel(QObject *parent)
    : HealthListModel(parent)
{
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

QStringList ServiceListModel::columnTitles() const
{
    return {tr("State"), tr("Service"), tr("Description")};
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
