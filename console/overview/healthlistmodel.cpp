#include "console/overview/healthlistmodel.h"

#include <QSet>

#include <algorithm>
#include <numeric>

#include "console/common/statepresentation.h"

namespace prophasis {

namespace {

// Positions (into `sequence`) of a longest strictly increasing subsequence: the rows that may stay
// where they are while the others move around them (patience sorting, O(n log n)).
QList<int> longestIncreasing(const QList<int> &sequence)
{
    QList<int> tailPositions; // per length, the position of the smallest tail seen
    QList<int> previous(sequence.size(), -1);
    for (int i = 0; i < sequence.size(); ++i) {
        const auto slot =
            std::lower_bound(tailPositions.begin(), tailPositions.end(), sequence[i],
                             [&](int position, int value) { return sequence[position] < value; });
        const qsizetype length = slot - tailPositions.begin();
        if (length > 0)
            previous[i] = tailPositions[length - 1];
        if (slot == tailPositions.end())
            tailPositions.append(i);
        else
            *slot = i;
    }
    QList<int> result(tailPositions.size());
    int position = tailPositions.isEmpty() ? -1 : tailPositions.last();
    for (qsizetype k = result.size() - 1; k >= 0; --k) {
        result[k] = position;
        position = previous[position];
    }
    return result;
}

} // namespace

HealthListModel::HealthListModel(QObject *parent)
    : QAbstractTableModel(parent)
{
}

int HealthListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int HealthListModel::columnCount(const QModelIndex &parent) const
{
    // Views and proxies ask for this on every paint: count the titles once.
    if (m_columnCount < 0)
        m_columnCount = int(columnTitles().size());
    return parent.isValid() ? 0 : m_columnCount;
}

QVariant HealthListModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    return columnTitles().value(section);
}

QHash<int, QByteArray> HealthListModel::roleNames() const
{
    QHash<int, QByteArray> names = QAbstractTableModel::roleNames();
    names.insert(IdRole, "id");
    names.insert(StateRole, "state");
    names.insert(NameRole, "name");
    names.insert(SearchTextRole, "searchText");
    names.insert(SortRole, "sort");
    return names;
}

bool HealthListModel::applyJson(const QJsonObject &json)
{
    const HealthListReport report = parse(json);
    if (!report.valid)
        return false;
    applyReport(report);
    return true;
}

void HealthListModel::applyReport(const HealthListReport &report)
{
    QSet<QUuid> keep;
    QHash<QUuid, int> newIndex;
    keep.reserve(report.rows.size());
    newIndex.reserve(report.rows.size());
    for (int i = 0; i < report.rows.size(); ++i) {
        keep.insert(report.rows[i].key.id);
        newIndex.insert(report.rows[i].key.id, i);
    }
    removeGone(keep);
    reorder(newIndex);
    insertNew(report.rows);
    updateChanged(report.rows);
    m_generated = report.generated;
    setCounts(report.counts);
}

void HealthListModel::removeGone(const QSet<QUuid> &keep)
{
    // From the bottom, a run of gone rows at a time.
    int row = int(m_rows.size()) - 1;
    while (row >= 0) {
        if (keep.contains(m_rows[row].key.id)) {
            --row;
            continue;
        }
        const int last = row;
        while (row > 0 && !keep.contains(m_rows[row - 1].key.id))
            --row;
        beginRemoveRows({}, row, last);
        m_rows.remove(row, last - row + 1);
        endRemoveRows();
        --row;
    }
}

void HealthListModel::reorder(const QHash<QUuid, int> &newIndex)
{
    // Every row left is in the new report. Rows on a longest increasing run of new positions stay;
    // each other row moves once, next to the placed row that precedes it. A host that turned
    // critical is one move, not one per row it passes.
    QList<int> target(m_rows.size());
    for (int i = 0; i < m_rows.size(); ++i)
        target[i] = newIndex.value(m_rows[i].key.id);
    QList<bool> placed(m_rows.size(), false);
    for (const int position : longestIncreasing(target))
        placed[position] = true;
    if (!placed.contains(false))
        return;

    QList<int> toMove; // new positions of the rows that move
    for (int i = 0; i < target.size(); ++i)
        if (!placed[i])
            toMove.append(target[i]);
    if (toMove.size() > MaxMovesPerRefresh) {
        reorderAtOnce(target);
        return;
    }
    for (const int wanted : std::as_const(toMove)) {
        const int from = int(target.indexOf(wanted));
        // Just after the last placed row that comes before it in the new order.
        int destination = 0;
        for (int i = 0; i < target.size(); ++i)
            if (placed[i] && target[i] < wanted)
                destination = i + 1;
        if (destination != from && destination != from + 1) {
            beginMoveRows({}, from, from, {}, destination);
            const int to = destination > from ? destination - 1 : destination;
            m_rows.move(from, to);
            target.move(from, to);
            placed.move(from, to);
            endMoveRows();
            placed[to] = true;
        } else {
            placed[from] = true;
        }
    }
}

void HealthListModel::reorderAtOnce(const QList<int> &target)
{
    // Rows keep their identity through the persistent indexes, so selections and current rows
    // follow them, as with moves.
    QList<int> order(target.size());
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&target](int a, int b) { return target[a] < target[b]; });
    QList<int> newRow(target.size());
    for (int position = 0; position < order.size(); ++position)
        newRow[order[position]] = position;

    Q_EMIT layoutAboutToBeChanged({}, QAbstractItemModel::VerticalSortHint);
    QList<HealthRow> rows;
    rows.reserve(m_rows.size());
    for (const int old : std::as_const(order))
        rows.append(std::move(m_rows[old]));
    m_rows = std::move(rows);
    const QModelIndexList before = persistentIndexList();
    QModelIndexList after;
    after.reserve(before.size());
    for (const QModelIndex &index : before)
        after.append(this->index(newRow[index.row()], index.column()));
    changePersistentIndexList(before, after);
    Q_EMIT layoutChanged({}, QAbstractItemModel::VerticalSortHint);
}

void HealthListModel::insertNew(const QList<HealthRow> &rows)
{
    // m_rows is now `rows` without the new ones, in order: insert each run of new rows in place.
    int i = 0;
    while (i < rows.size()) {
        if (i < m_rows.size() && m_rows[i].key.id == rows[i].key.id) {
            ++i;
            continue;
        }
        // rows[i] is new; so is every row up to the one now at m_rows[i] (the next that stays).
        int end = i + 1;
        while (end < rows.size() && (i >= m_rows.size() || m_rows[i].key.id != rows[end].key.id))
            ++end;
        beginInsertRows({}, i, end - 1);
        for (int k = i; k < end; ++k)
            m_rows.insert(k, rows[k]);
        endInsertRows();
        i = end;
    }
}

void HealthListModel::updateChanged(const QList<HealthRow> &rows)
{
    const int lastColumn = columnCount() - 1;
    int i = 0;
    while (i < rows.size()) {
        if (m_rows[i] == rows[i]) {
            ++i;
            continue;
        }
        const int first = i;
        while (i < rows.size() && !(m_rows[i] == rows[i])) {
            m_rows[i] = rows[i];
            ++i;
        }
        Q_EMIT dataChanged(index(first, 0), index(i - 1, lastColumn));
    }
}

bool HealthListModel::applyHealthEvent(const QJsonObject &data)
{
    if (data.value(QLatin1String("subject")).toString() != subject())
        return false;
    const int row = rowOf(QUuid::fromString(data.value(QLatin1String("id")).toString()));
    if (row < 0)
        return false;
    const State to = stateFromWire(data.value(QLatin1String("to")).toString());
    const State from = m_rows[row].key.state;
    if (from == to)
        return true;
    m_rows[row].key.state = to;
    Q_EMIT dataChanged(index(row, 0), index(row, columnCount() - 1));

    // Its place among the others, which are still in order.
    HealthRow moving = m_rows[row];
    int destination = 0;
    for (int i = 0; i < m_rows.size(); ++i)
        if (i != row && isWorstFirstBefore(m_rows[i].key, moving.key))
            destination = i + 1;
    if (destination != row && destination != row + 1) {
        beginMoveRows({}, row, row, {}, destination);
        m_rows.move(row, destination > row ? destination - 1 : destination);
        endMoveRows();
    }

    StateCounts counts = m_counts;
    counts.add(from, -1);
    counts.add(to, 1);
    setCounts(counts);
    return true;
}

int HealthListModel::rowOf(const QUuid &id) const
{
    for (int i = 0; i < m_rows.size(); ++i)
        if (m_rows[i].key.id == id)
            return i;
    return -1;
}

State HealthListModel::worstState() const
{
    return m_rows.isEmpty() ? State::NoData : m_rows.first().key.state;
}

void HealthListModel::setCounts(const StateCounts &counts)
{
    if (counts == m_counts)
        return;
    m_counts = counts;
    Q_EMIT countsChanged();
}

QVariant HealthListModel::stateData(const HealthRow &row, int role) const
{
    switch (role) {
    case Qt::DisplayRole:
    case Qt::ToolTipRole:
    case Qt::AccessibleTextRole:
        return stateLabel(row.key.state);
    case Qt::DecorationRole:
        return stateIcon(row.key.state);
    case SortRole:
        return severityRank(row.key.state);
    default:
        return {};
    }
}

QVariant HealthListModel::commonData(const HealthRow &row, int role) const
{
    switch (role) {
    case IdRole:
        return row.key.id;
    case StateRole:
        return QVariant::fromValue(row.key.state);
    case NameRole:
        return row.key.name;
    case SearchTextRole:
        return QStringList{row.key.name, row.address, row.description}.join(u'\n');
    default:
        return {};
    }
}

} // namespace prophasis
