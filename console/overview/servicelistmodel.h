#pragma once

#include "console/overview/healthlistmodel.h"

namespace prophasis {

// The service list of GET /api/v1/reports/services, worst first: state (colour and words), name,
// description.
class ServiceListModel : public HealthListModel
{
    Q_OBJECT
public:
    enum Column
    {
        StateColumn,
        NameColumn,
        DescriptionColumn,
        ColumnCount
    };

    explicit ServiceListModel(QObject *parent = nullptr);

    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;

protected:
    QString subject() const override;
    HealthListReport parse(const QJsonObject &json) const override;
    QStringList columnTitles() const override; // in Column order
};

} // namespace prophasis
