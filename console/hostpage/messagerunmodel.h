#pragma once

#include <QAbstractTableModel>

#include "console/hostpage/hostreport.h"

namespace prophasis {

// A host's message history: one row per run of equal messages, newest first. With several
// series the first column names the series.
class MessageRunModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column
    {
        SeriesColumn,
        TimeColumn, // first – last
        CountColumn,
        MessageColumn,
        ClassificationColumn,
        ColumnCount
    };
    // The run's classification (a State as int) under Qt::UserRole on every column.
    static constexpr int StateRole = Qt::UserRole;

    explicit MessageRunModel(QObject *parent = nullptr);

    void setRuns(QList<MessageRunRow> runs);
    const QList<MessageRunRow> &runs() const { return m_runs; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    QList<MessageRunRow> m_runs;
};

} // namespace prophasis
