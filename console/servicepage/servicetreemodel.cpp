#include "console/servicepage/servicetreemodel.h"

#include "console/common/statepresentation.h"

namespace prophasis {

namespace {

// Root rows have internal id 0; a member's internal id is its branch's row + 1.
constexpr quintptr RootId = 0;

} // namespace

ServiceTreeModel::ServiceTreeModel(QObject *parent)
    : QAbstractItemModel(parent)
{
}

void ServiceTreeModel::setReport(const ServiceReport &report)
{
    beginResetModel();
    m_report = report;
    m_branches.clear();
    if (!report.dependencies.isEmpty()) {
        Branch branch;
        branch.title = tr("Depends on (all must be healthy)");
        branch.help = tr("Every dependency must be healthy: the service is as bad as its worst dependency.");
        branch.members = report.dependencies;
        for (const ServiceMemberReport &member : report.dependencies)
            branch.state = mostSevere(branch.state, member.state);
        m_branches.append(branch);
    }
    for (const ServiceGroupReport &group : report.groups) {
        Branch branch;
        branch.title = tr("Redundancy group %1 (needs one)").arg(group.name);
        branch.help = tr("One healthy member is enough; while some member is not OK the group is degraded.");
        branch.state = group.state;
        branch.members = group.members;
        m_branches.append(branch);
    }
    endResetModel();
}

QModelIndex ServiceTreeModel::index(int row, int column, const QModelIndex &parent) const
{
    if (!hasIndex(row, column, parent))
        return {};
    if (!parent.isValid())
        return createIndex(row, column, RootId);
    return createIndex(row, column, quintptr(parent.row() + 1));
}

QModelIndex ServiceTreeModel::parent(const QModelIndex &child) const
{
    if (!child.isValid() || child.internalId() == RootId)
        return {};
    return createIndex(int(child.internalId() - 1), 0, RootId);
}

int ServiceTreeModel::rowCount(const QModelIndex &parent) const
{
    if (!parent.isValid())
        return int(m_branches.size());
    if (parent.internalId() != RootId || parent.column() != 0)
        return 0;
    return int(m_branches.at(parent.row()).members.size());
}

int ServiceTreeModel::columnCount(const QModelIndex &) const
{
    return ColumnCount;
}

QVariant ServiceTreeModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid))
        return {};
    if (index.internalId() == RootId)
        return branchData(m_branches.at(index.row()), index.column(), role);
    const Branch &branch = m_branches.at(int(index.internalId() - 1));
    return memberData(branch.members.at(index.row()), index.column(), role);
}

QVariant ServiceTreeModel::branchData(const Branch &branch, int column, int role) const
{
    switch (role) {
    case Qt::DisplayRole:
        if (column == NameColumn)
            return branch.title;
        if (column == StateColumn)
            return stateLabel(branch.state);
        return {};
    case Qt::ToolTipRole:
        return branch.help;
    case Qt::DecorationRole:
        return column == NameColumn ? QVariant(stateIcon(branch.state)) : QVariant();
    case Qt::BackgroundRole:
        return column == StateColumn ? QVariant(stateColour(branch.state)) : QVariant();
    case Qt::ForegroundRole:
        return column == StateColumn ? QVariant(stateTextColour(branch.state)) : QVariant();
    case StateRole:
        return int(branch.state);
    case MemberKindRole:
        return -1;
    default:
        return {};
    }
}

QVariant ServiceTreeModel::memberData(const ServiceMemberReport &member, int column, int role) const
{
    switch (role) {
    case Qt::DisplayRole:
        switch (column) {
        case NameColumn:
            return member.name;
        case KindColumn:
            return memberKindLabel(member.kind);
        case PluginColumn:
            return member.kind == MemberKind::HostPlugin ? member.pluginName : QString();
        case StateColumn:
            return stateLabel(member.state);
        default:
            return {};
        }
    case Qt::ToolTipRole:
        return tr("%1: %2").arg(memberDisplayName(member), stateLabel(member.state));
    case Qt::DecorationRole:
        return column == NameColumn ? QVariant(stateIcon(member.state)) : QVariant();
    case Qt::BackgroundRole:
        return column == StateColumn ? QVariant(stateColour(member.state)) : QVariant();
    case Qt::ForegroundRole:
        return column == StateColumn ? QVariant(stateTextColour(member.state)) : QVariant();
    case StateRole:
        return int(member.state);
    case MemberIdRole:
        return member.id;
    case MemberKindRole:
        return int(member.kind);
    case MemberNameRole:
        return member.name;
    default:
        return {};
    }
}

QVariant ServiceTreeModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case NameColumn:
        return tr("Member");
    case KindColumn:
        return tr("Kind");
    case PluginColumn:
        return tr("Plugin");
    case StateColumn:
        return tr("State");
    default:
        return {};
    }
}

} // namespace prophasis
