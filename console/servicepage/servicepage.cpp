#include "console/servicepage/servicepage.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QSplitter>
#include <QTableView>
#include <QTreeView>
#include <QUrlQuery>
#include <QVBoxLayout>

#include "console/client/apiclient.h"
#include "console/client/eventstreamclient.h"
#include "console/common/healthchangemodel.h"
#include "console/common/statepresentation.h"
#include "console/servicepage/servicetreemodel.h"

namespace prophasis {

namespace {

} // namespace

ServicePage::ServicePage(ApiClient &client, EventStreamClient &events, QWidget *parent)
    : QWidget(parent)
    , m_client(client)
{
    m_title = new QLabel(this);
    m_title->setObjectName(QStringLiteral("serviceTitle"));
    QFont titleFont = m_title->font();
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.4);
    titleFont.setBold(true);
    m_title->setFont(titleFont);
    m_badge = new QLabel(this);
    m_badge->setObjectName(QStringLiteral("stateBadge"));
    m_badge->setMargin(4);
    m_reason = new QLabel(this);
    m_reason->setObjectName(QStringLiteral("stateReason"));
    m_reason->setWordWrap(true);
    m_reason->setTextInteractionFlags(Qt::TextSelectableByMouse);

    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("loadStatus"));
    m_status->setWordWrap(true);
    m_retry = new QPushButton(tr("Try again"), this);
    m_retry->hide();
    connect(m_retry, &QPushButton::clicked, this, &ServicePage::refresh);

    m_model = new ServiceTreeModel(this);
    m_changeModel = new HealthChangeModel(this);
    m_tree = new QTreeView(this);
    m_tree->setObjectName(QStringLiteral("serviceTree"));
    m_tree->setModel(m_model);
    m_tree->setUniformRowHeights(true);
    m_tree->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_tree->header()->setSectionResizeMode(ServiceTreeModel::NameColumn, QHeaderView::Stretch);
    m_tree->header()->setStretchLastSection(false);
    m_tree->setToolTip(tr("Double-click a host or service to open it."));
    // "activated": a double-click or Enter (a single click where the platform opens items so).
    connect(m_tree, &QTreeView::activated, this, &ServicePage::activate);

    m_changes = new QTableView(this);
    m_changes->setObjectName(QStringLiteral("stateChanges"));
    m_changes->setModel(m_changeModel);
    m_changes->setColumnHidden(HealthChangeModel::SubjectColumn, true); // always this service
    m_changes->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_changes->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_changes->verticalHeader()->hide();
    m_changes->horizontalHeader()->setStretchLastSection(false);
    m_changes->setWordWrap(false);

    auto *header = new QHBoxLayout;
    header->addWidget(m_title);
    header->addWidget(m_badge);
    header->addStretch(1);
    auto *statusRow = new QHBoxLayout;
    statusRow->addWidget(m_status, 1);
    statusRow->addWidget(m_retry);

    auto *changesBox = new QWidget(this);
    auto *changesLayout = new QVBoxLayout(changesBox);
    changesLayout->setContentsMargins(0, 0, 0, 0);
    m_changesTitle = new QLabel(tr("State changes in the last 7 days"), changesBox);
    m_changesTitle->setObjectName(QStringLiteral("stateChangesTitle"));
    changesLayout->addWidget(m_changesTitle);
    changesLayout->addWidget(m_changes);
    auto *splitter = new QSplitter(Qt::Vertical, this);
    splitter->addWidget(m_tree);
    splitter->addWidget(changesBox);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 1);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(header);
    layout->addWidget(m_reason);
    layout->addLayout(statusRow);
    layout->addWidget(splitter, 1);

    m_refresh.setSingleShot(true);
    m_refresh.setInterval(RefreshCoalesceMs);
    connect(&m_refresh, &QTimer::timeout, this, &ServicePage::load);
    connect(&events, &EventStreamClient::healthChanged, this, &ServicePage::onHealthChanged);
    connect(&events, &EventStreamClient::configurationChanged, this, &ServicePage::onConfigurationChanged);
    connect(&events, &EventStreamClient::reset, this, &ServicePage::scheduleRefresh);
}

ServicePage::~ServicePage() = default;

const ServiceReport &ServicePage::report() const
{
    return m_model->report();
}

QString ServicePage::reasonText() const
{
    return m_reason->text();
}

void ServicePage::showService(const QUuid &id, const QString &name)
{
    if (id == m_id && m_hasReport) {
        refresh(); // the same service again (history navigation): no blank page meanwhile
        return;
    }
    ++m_generation;
    m_id = id;
    m_name = name;
    m_hasReport = false;
    m_loading = false;
    m_reloadAfter = false;
    m_memberIds.clear();
    m_hasGroupMember = false;
    m_title->setText(name);
    m_badge->clear();
    m_badge->setStyleSheet(QString());
    m_reason->clear();
    m_model->setReport({});
    m_changeModel->setChanges({});
    m_refresh.stop();
    load();
}

void ServicePage::refresh()
{
    if (!m_id.isNull())
        load();
}

void ServicePage::load()
{
    if (m_id.isNull())
        return;
    if (m_loading) {
        m_reloadAfter = true; // one more load once this answer is in, not one per event
        return;
    }
    m_loading = true;
    m_retry->hide();
    if (!m_hasReport)
        m_status->setText(tr("Loading service %1…").arg(m_name));
    const quint64 generation = m_generation;
    QUrlQuery query;
    query.addQueryItem(QStringLiteral("from"),
                       QString::number(QDateTime::currentMSecsSinceEpoch() - ChangesRangeMs));
    m_client.get(QStringLiteral("/api/v1/reports/services/") + m_id.toString(QUuid::WithoutBraces), query,
                 this, [this, generation](const ApiResult &result) {
                     if (generation != m_generation)
                         return;
                     m_loading = false;
                     if (result.ok())
                         showReport(ServiceReport::fromJson(result.object()));
                     else if (result.status == 404)
                         showError(tr("This service no longer exists: it may have been deleted."));
                     else
                         showError(tr("The service could not be loaded: %1").arg(result.errorText));
                     if (std::exchange(m_reloadAfter, false))
                         scheduleRefresh();
                 });
}

void ServicePage::showReport(const ServiceReport &report)
{
    m_hasReport = true;
    m_status->clear();
    m_retry->hide();
    m_name = report.name;
    m_memberIds = report.memberIds();
    m_hasGroupMember = report.hasHostGroupMember();
    m_title->setText(report.name);
    m_badge->setText(stateLabel(report.state));
    m_badge->setStyleSheet(QStringLiteral("QLabel { background: %1; color: %2; border-radius: 3px; }")
                               .arg(stateColour(report.state).name(), stateTextColour(report.state).name()));
    m_reason->setText(serviceStateReason(report));
    if (!report.description.isEmpty())
        m_reason->setToolTip(report.description);
    // A refresh keeps the row the person was on (the model is rebuilt from the new report).
    const QModelIndex current = m_tree->currentIndex().siblingAtColumn(ServiceTreeModel::NameColumn);
    const QUuid currentMember = current.data(ServiceTreeModel::MemberIdRole).toUuid();
    const int currentBranch = current.parent().isValid() ? current.parent().row() : current.row();
    m_model->setReport(report);
    m_tree->expandAll();
    if (current.isValid())
        m_tree->setCurrentIndex(findRow(currentBranch, currentMember));
    // The plugin column only where a member is a plugin on a host.
    bool anyPlugin = false;
    for (const ServiceMemberReport &member : report.dependencies)
        anyPlugin = anyPlugin || member.kind == MemberKind::HostPlugin;
    for (const ServiceGroupReport &group : report.groups)
        for (const ServiceMemberReport &member : group.members)
            anyPlugin = anyPlugin || member.kind == MemberKind::HostPlugin;
    m_tree->setColumnHidden(ServiceTreeModel::PluginColumn, !anyPlugin);
    for (int column = ServiceTreeModel::KindColumn; column < ServiceTreeModel::ColumnCount; ++column)
        m_tree->resizeColumnToContents(column);

    m_changesTitle->setText(report.changes.isEmpty() ? tr("No state changes in the last 7 days.")
                                                     : tr("State changes in the last 7 days"));
    m_changeModel->setChanges(report.changes);
    m_changes->resizeColumnsToContents();
    Q_EMIT loaded();
}

QModelIndex ServicePage::findRow(int branch, const QUuid &member) const
{
    if (member.isNull())
        return branch < m_model->rowCount() ? m_model->index(branch, 0) : QModelIndex();
    // The same member in the same branch first; else wherever it went.
    QList<int> branches{branch};
    for (int row = 0; row < m_model->rowCount(); ++row)
        if (row != branch)
            branches.append(row);
    for (const int row : std::as_const(branches)) {
        if (row >= m_model->rowCount())
            continue;
        const QModelIndex parent = m_model->index(row, 0);
        for (int child = 0; child < m_model->rowCount(parent); ++child) {
            const QModelIndex index = m_model->index(child, 0, parent);
            if (index.data(ServiceTreeModel::MemberIdRole).toUuid() == member)
                return index;
        }
    }
    return {};
}

void ServicePage::showError(const QString &text)
{
    // What was shown stays (it may still be useful); the line above the tree says it is old.
    m_status->setText(m_hasReport ? tr("%1 What is shown may be out of date.").arg(text) : text);
    m_retry->show();
    Q_EMIT loadFailed(text);
}

void ServicePage::onHealthChanged(const QJsonObject &payload)
{
    if (m_id.isNull())
        return;
    const QUuid id = QUuid::fromString(payload.value(QStringLiteral("id")).toString());
    const bool host = payload.value(QStringLiteral("subject")).toString() == QStringLiteral("host");
    // A host group member moves with any of its hosts, which the report does not list.
    if (id == m_id || m_memberIds.contains(id) || (host && m_hasGroupMember))
        scheduleRefresh();
}

void ServicePage::onConfigurationChanged(const QJsonObject &payload)
{
    if (m_id.isNull())
        return;
    const QString idText = payload.value(QStringLiteral("id")).toString();
    const QUuid id = QUuid::fromString(idText);
    // Without an id (an import) anything may have changed.
    if (idText.isEmpty() || id == m_id || m_memberIds.contains(id))
        scheduleRefresh();
}

void ServicePage::scheduleRefresh()
{
    if (!m_id.isNull() && !m_refresh.isActive())
        m_refresh.start();
}

void ServicePage::activate(const QModelIndex &index)
{
    const QModelIndex first = index.siblingAtColumn(ServiceTreeModel::NameColumn);
    const int kind = first.data(ServiceTreeModel::MemberKindRole).toInt();
    const QUuid id = first.data(ServiceTreeModel::MemberIdRole).toUuid();
    const QString name = first.data(ServiceTreeModel::MemberNameRole).toString();
    if (id.isNull())
        return;
    if (kind == int(MemberKind::Host) || kind == int(MemberKind::HostPlugin))
        Q_EMIT hostActivated(id, name);
    else if (kind == int(MemberKind::Service))
        Q_EMIT serviceActivated(id, name);
}

} // namespace prophasis
