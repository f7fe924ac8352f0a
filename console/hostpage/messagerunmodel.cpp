#include "console/hostpage/messagerunmodel.h"

#include <QLocale>

#include "console/common/statepresentation.h"

namespace prophasis {

namespace {

QString localTime(const QDateTime &time)
{
    return QLocale().toString(time.toLocalTime(), QLocale::ShortFormat);
}

} // namespace

MessageRunModel::MessageRunModel(QObject *parent)
    : QAbstractTableModel(parent)
{
}

void MessageRunModel::setRuns(QList<MessageRunRow> runs)
{
    beginResetModel();
    m_runs = std::move(runs);
    endResetModel();
}

int MessageRunModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_runs.size());
}

int MessageRunModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant MessageRunModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const MessageRunRow &run = m_runs.at(index.row());
    if (role == StateRole)
        return int(run.classification);
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case SeriesColumn:
            return run.seriesName;
        case TimeColumn:
            return run.count == 1 || run.first == run.last
                       ? localTime(run.last)
                       : tr("%1 – %2").arg(localTime(run.first), localTime(run.last));
        case CountColumn:
            return run.count;
        case MessageColumn:
            return run.message;
        case ClassificationColumn:
            return stateLabel(run.classification);
        }
        break;
    case Qt::DecorationRole:
        if (index.column() == ClassificationColumn)
            return stateIcon(run.classification);
        break;
    case Qt::ToolTipRole:
        if (index.column() == MessageColumn)
            return run.message;
        break;
    case Qt::TextAlignmentRole:
        if (index.column() == CountColumn)
            return int(Qt::AlignRight | Qt::AlignVCenter);
        break;
    }
    return {};
}

QVariant MessageRunModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case SeriesColumn:
        return tr("Check · plugin");
    case TimeColumn:
        return tr("Time");
    case CountColumn:
        return tr("Count");
    case MessageColumn:
        return tr("Message");
    case ClassificationColumn:
        return tr("Classification");
    }
    return {};
}

} // namespace prophasis
