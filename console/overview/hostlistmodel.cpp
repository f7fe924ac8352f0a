#include "console/overview/hostlistmodel.h"

#include <QFont>
#include <QLocale>

#include "console/common/statepresentation.h"

namespace prophasis {

HostListModel::HostListModel(QObject *parent)
    : HealthListModel(parent)
{
}

QString HostListModel::seriesText(const StateCounts &series)
{
    QStringList parts;
    for (const State state : statesWorstFirst())
        if (const int count = series.value(state))
            parts.append(tr("%1 %2", "count and state, e.g. 2 Critical").arg(count).arg(stateLabel(state)));
    return parts.isEmpty() ? tr("No checks") : parts.join(QStringLiteral(" · "));
}

QVariant HostListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const HealthRow &row = m_rows.at(index.row());
    if (const QVariant common = commonData(row, role); common.isValid())
        return common;
    if (index.column() == StateColumn)
        return stateData(row, role);
    if (role == Qt::FontRole && !row.enabled) {
        QFont font;
        font.setItalic(true);
        return font;
    }
    switch (index.column()) {
    case NameColumn:
        if (role == Qt::DisplayRole || role == SortRole)
            return row.key.name;
        if (role == Qt::ToolTipRole && !row.enabled)
            return tr("%1 (disabled: not checked)").arg(row.key.name);
        break;
    case AddressColumn:
        if (role == Qt::DisplayRole || role == SortRole)
            return row.address;
        break;
    case SeriesColumn:
        if (role == Qt::DisplayRole || role == Qt::ToolTipRole)
            return seriesText(row.series);
        if (role == SortRole)
            return row.series.total();
        break;
    case NewestResultColumn:
        if (role == Qt::DisplayRole)
            return row.newestResult.isValid()
                       ? QLocale().toString(row.newestResult.toLocalTime(), QLocale::ShortFormat)
                       : tr("never");
        if (role == Qt::ToolTipRole && row.newestResult.isValid())
            return QLocale().toString(row.newestResult.toLocalTime(), QLocale::LongFormat);
        if (role == SortRole)
            return row.newestResult.isValid() ? row.newestResult.toMSecsSinceEpoch() : qint64(0);
        break;
    default:
        break;
    }
    return {};
}

QStringList HostListModel::columnTitles() const
{
    return {tr("State"), tr("Host"), tr("Address"), tr("Checks"), tr("Newest result")};
}

QString HostListModel::subject() const
{
    return QStringLiteral("host");
}

HealthListReport HostListModel::parse(const QJsonObject &json) const
{
    return parseHostsReport(json);
}

} // namespace prophasis
