#pragma once

#include <QAbstractTableModel>
#include <QJsonObject>
#include <QUuid>

#include "console/overview/healthrow.h"

namespace prophasis {

// The host and service lists' common part: rows kept worst first (isWorstFirstBefore), refreshed
// from a new report without a reset (rows removed, moved, inserted and changed one by one — or
// many moves as one layout change — so a view's selection, current row and scroll position stay),
// and a single health event applied at once. Subclasses name the columns and read the report.
class HealthListModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Role
    {
        IdRole = Qt::UserRole + 1, // QUuid
        StateRole,                 // State (QVariant::value<State>())
        NameRole,                  // QString
        SearchTextRole,            // everything the search field matches, one string
        SortRole,                  // what the column sorts by (state: severity rank)
    };

    // Beyond this many rows changing place in one refresh, one layout change costs views and
    // proxies less than a move each (a proxy sorts again per move). Both keep selections.
    static constexpr int MaxMovesPerRefresh = 8;

    explicit HealthListModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

    // Applies a report's answer (JSON as the API sends it). False when it was not one.
    bool applyJson(const QJsonObject &json);
    // Applies read rows: incremental, never a reset.
    void applyReport(const HealthListReport &report);
    // A health event's data {"subject", "id", "name", "from", "to", "time"} for this list's
    // subject: the row's state changes now and the row moves to its worst-first place, and the
    // counts follow. False when the event is for the other list or an unknown row (a refresh
    // will bring it).
    bool applyHealthEvent(const QJsonObject &data);

    // The report's counts per state (adjusted by health events until the next report).
    const StateCounts &counts() const { return m_counts; }
    QDateTime generated() const { return m_generated; }
    const HealthRow &rowAt(int row) const { return m_rows.at(row); }
    int rowOf(const QUuid &id) const; // -1 when absent
    // The most severe state of any row (NoData when empty).
    State worstState() const;

Q_SIGNALS:
    void countsChanged();

protected:
    // "host" or "service": which health events are ours.
    virtual QString subject() const = 0;
    virtual HealthListReport parse(const QJsonObject &json) const = 0;
    // The columns' titles, in column order (their number is the column count).
    virtual QStringList columnTitles() const = 0;
    // The state column's roles, shared by both lists: colour and words, so colour is never the
    // only signal.
    QVariant stateData(const HealthRow &row, int role) const;
    QVariant commonData(const HealthRow &row, int role) const;

    QList<HealthRow> m_rows;

private:
    void removeGone(const QSet<QUuid> &keep);
    void reorder(const QHash<QUuid, int> &newIndex);
    void reorderAtOnce(const QList<int> &target);
    void insertNew(const QList<HealthRow> &rows);
    void updateChanged(const QList<HealthRow> &rows);
    void setCounts(const StateCounts &counts);

    StateCounts m_counts;
    mutable int m_columnCount = -1; // columnTitles().size(), once asked
    QDateTime m_generated;
};

} // namespace prophasis
