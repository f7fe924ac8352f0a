#pragma once

#include "console/overview/healthlistmodel.h"

namespace prophasis {

// The host list of GET /api/v1/reports/hosts, worst first: state (colour and words), name,
// address, its series per state ("1 Critical · 4 OK") and the newest result's time.
class HostListModel : public HealthListModel
{
    Q_OBJECT
public:
    enum Column
    {
        StateColumn,
        NameColumn,
        AddressColumn,
        SeriesColumn,
        NewestResultColumn,
        ColumnCount
    };

    explicit HostListModel(QObject *parent = nullptr);

    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;

    // "2 Critical · 5 OK": the non-zero states, worst first; "No checks" when there are none.
    static QString seriesText(const StateCounts &series);

protected:
    QString subject() const override;
    HealthListReport parse(const QJsonObject &json) const override;
    QStringList columnTitles() const override; // in Column order
};

} // namespace prophasis
