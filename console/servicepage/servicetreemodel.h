#pragma once

#include <QAbstractItemModel>

#include "console/servicepage/servicereport.h"

namespace prophasis {

// A service's structure as a tree: a root row "Depends on (all must be healthy)" holding the
// dependencies (when there are any) and one root row per redundancy group "Redundancy group
// <name> (needs one)" with the group's own state, each holding its members with kind, plugin
// (for a plugin on a host) and state in colour and words.
class ServiceTreeModel : public QAbstractItemModel
{
    Q_OBJECT
public:
    enum Column
    {
        NameColumn,
        KindColumn,
        PluginColumn,
        StateColumn,
        ColumnCount
    };
    enum Role
    {
        StateRole = Qt::UserRole + 1, // int(State)
        MemberIdRole,                 // QUuid; null on root rows
        MemberKindRole,               // int(MemberKind); -1 on root rows
        MemberNameRole,               // the member's own name (the host's for a plugin on a host)
    };

    explicit ServiceTreeModel(QObject *parent = nullptr);

    void setReport(const ServiceReport &report);
    const ServiceReport &report() const { return m_report; }

    QModelIndex index(int row, int column, const QModelIndex &parent = {}) const override;
    QModelIndex parent(const QModelIndex &child) const override;
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    // One root row: the dependencies or a redundancy group.
    struct Branch
    {
        QString title;
        QString help;
        State state = State::NoData;
        QList<ServiceMemberReport> members;
    };

    QVariant branchData(const Branch &branch, int column, int role) const;
    QVariant memberData(const ServiceMemberReport &member, int column, int role) const;

    ServiceReport m_report;
    QList<Branch> m_branches;
};

} // namespace prophasis
