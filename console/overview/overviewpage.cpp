#include "console/overview/overviewpage.h"

#include <QDataStream>
#include <QHeaderView>
#include <QIODevice>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>

#include "console/client/apiclient.h"
#include "console/client/eventstreamclient.h"
#include "console/common/statepresentation.h"
#include "console/overview/hostlistmodel.h"
#include "console/overview/overviewfiltermodel.h"
#include "console/overview/servicelistmodel.h"
#include "console/overview/statechipstrip.h"

namespace prophasis {

namespace {

constexpr quint32 StateMagic = 0x4f565731; // "OVW1": the layout of saveState()

// Configuration that never changes a host's or service's row.
bool changesNoRow(const QString &entityType)
{
    static const QStringList unrelated{QStringLiteral("user"), QStringLiteral("token"),
                                       QStringLiteral("join_token"), QStringLiteral("alert")};
    return unrelated.contains(entityType);
}

QWidget *titled(const QString &title, QWidget *content, QWidget *parent)
{
    auto *box = new QWidget(parent);
    auto *layout = new QVBoxLayout(box);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    auto *label = new QLabel(title, box);
    QFont font = label->font();
    font.setBold(true);
    label->setFont(font);
    label->setBuddy(content);
    layout->addWidget(label);
    layout->addWidget(content);
    return box;
}

} // namespace

OverviewPage::OverviewPage(ApiClient &client, EventStreamClient &events, QWidget *parent)
    : QWidget(parent)
    , m_client(client)
    , m_events(events)
    , m_hosts(new HostListModel(this))
    , m_services(new ServiceListModel(this))
    , m_hostFilter(new OverviewFilterModel(this))
    , m_serviceFilter(new OverviewFilterModel(this))
    , m_chips(new StateChipStrip(this))
    , m_search(new QLineEdit(this))
    , m_live(new QLabel(this))
    , m_updated(new QLabel(this))
    , m_error(new QLabel(this))
    , m_splitter(new QSplitter(Qt::Vertical, this))
{
    m_hostFilter->setSourceModel(m_hosts);
    m_serviceFilter->setSourceModel(m_services);
    m_chips->setObjectName(QStringLiteral("stateChips"));
    m_search->setObjectName(QStringLiteral("search"));
    m_search->setPlaceholderText(tr("Search hosts and services by name, address or description (Ctrl+F)"));
    m_search->setClearButtonEnabled(true);
    m_live->setObjectName(QStringLiteral("live"));
    m_updated->setObjectName(QStringLiteral("updated"));
    m_error->setObjectName(QStringLiteral("error"));
    m_error->setWordWrap(true);
    m_error->setStyleSheet(QStringLiteral("color: %1;").arg(stateColour(State::Critical).name()));
    m_error->hide();

    m_serviceView = makeView(m_serviceFilter, ServiceListModel::DescriptionColumn);
    m_serviceView->setObjectName(QStringLiteral("services"));
    m_hostView = makeView(m_hostFilter, HostListModel::SeriesColumn);
    m_hostView->setObjectName(QStringLiteral("hosts"));
    m_splitter->addWidget(titled(tr("&Services"), m_serviceView, m_splitter));
    m_splitter->addWidget(titled(tr("&Hosts"), m_hostView, m_splitter));
    m_splitter->setStretchFactor(0, 1);
    m_splitter->setStretchFactor(1, 2);
    m_splitter->setChildrenCollapsible(false);

    auto *statusRow = new QHBoxLayout;
    statusRow->addWidget(m_search, 1);
    statusRow->addWidget(m_updated);
    statusRow->addWidget(m_live);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_chips);
    layout->addLayout(statusRow);
    layout->addWidget(m_error);
    layout->addWidget(m_splitter, 1);

    connect(m_search, &QLineEdit::textChanged, this, [this](const QString &text) {
        m_hostFilter->setSearchText(text);
        m_serviceFilter->setSearchText(text);
    });
    connect(m_chips, &StateChipStrip::selectedStateChanged, this, [this] {
        m_hostFilter->setStateFilter(m_chips->selectedState());
        m_serviceFilter->setStateFilter(m_chips->selectedState());
    });
    connect(m_serviceView, &QTableView::activated, this,
            [this](const QModelIndex &index) { activated(index, false); });
    connect(m_hostView, &QTableView::activated, this,
            [this](const QModelIndex &index) { activated(index, true); });
    connect(m_hosts, &HealthListModel::countsChanged, this, &OverviewPage::updateCounts);
    connect(m_services, &HealthListModel::countsChanged, this, &OverviewPage::updateCounts);

    m_refreshTimer.setSingleShot(true);
    m_refreshTimer.setInterval(RefreshDelayMs);
    connect(&m_refreshTimer, &QTimer::timeout, this, &OverviewPage::refresh);
    connect(&m_events, &EventStreamClient::healthChanged, this, &OverviewPage::healthChanged);
    connect(&m_events, &EventStreamClient::configurationChanged, this, &OverviewPage::configurationChanged);
    connect(&m_events, &EventStreamClient::reset, this, &OverviewPage::refresh);
    connect(&m_events, &EventStreamClient::connectedChanged, this, &OverviewPage::updateLive);
    connect(&m_client, &ApiClient::loggedIn, this, &OverviewPage::refresh);

    updateLive(m_events.isConnected());
    m_updated->setText(tr("Not loaded yet"));
    updateCounts();
}

OverviewPage::~OverviewPage() = default;

QTableView *OverviewPage::makeView(OverviewFilterModel *filter, int stretchColumn)
{
    auto *view = new QTableView(this);
    view->setModel(filter);
    view->setSelectionBehavior(QAbstractItemView::SelectRows);
    view->setSelectionMode(QAbstractItemView::SingleSelection);
    view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    view->setAlternatingRowColors(true);
    view->setWordWrap(false);
    view->setSortingEnabled(true);
    view->sortByColumn(0, Qt::AscendingOrder); // the state column: worst first
    view->verticalHeader()->hide();
    view->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    view->horizontalHeader()->setHighlightSections(false);
    view->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
    view->horizontalHeader()->setSectionResizeMode(stretchColumn, QHeaderView::Stretch);
    // Widths that fit 1366 pixels with room for the stretched column.
    const QList<int> widths = filter->sourceModel()->columnCount() == HostListModel::ColumnCount
                                  ? QList<int>{110, 200, 190, 0, 170}
                                  : QList<int>{110, 240, 0};
    for (int column = 0; column < widths.size(); ++column)
        if (column != stretchColumn)
            view->horizontalHeader()->resizeSection(column, widths[column]);
    return view;
}

void OverviewPage::refresh()
{
    m_refreshTimer.stop();
    if (m_inFlight > 0) {
        m_again = true;
        return;
    }
    if (!m_client.isLoggedIn())
        return; // loggedIn() brings us back
    m_inFlight = 2;
    m_failed = false;
    m_client.get(QStringLiteral("/api/v1/reports/services"), {}, this,
                 [this](const ApiResult &result) { reportArrived(result, false); });
    m_client.get(QStringLiteral("/api/v1/reports/hosts"), {}, this,
                 [this](const ApiResult &result) { reportArrived(result, true); });
}

void OverviewPage::reportArrived(const ApiResult &result, bool hosts)
{
    --m_inFlight;
    HealthListModel *model = hosts ? static_cast<HealthListModel *>(m_hosts) : m_services;
    if (!result.ok() || !model->applyJson(result.object())) {
        m_failed = true;
        m_error->setText(result.ok() ? tr("The core sent a report this console cannot read.")
                                     : tr("Could not load the overview: %1").arg(result.errorText));
        m_error->show();
    }
    if (m_inFlight > 0)
        return;
    if (!m_failed) {
        m_error->hide();
        const QDateTime generated =
            m_hosts->generated().isValid() ? m_hosts->generated() : QDateTime::currentDateTimeUtc();
        m_updated->setText(
            tr("Updated %1").arg(QLocale().toString(generated.toLocalTime().time(), QLocale::LongFormat)));
    }
    updateCounts();
    updateWorst();
    if (m_again) {
        m_again = false;
        refresh();
        return;
    }
    if (!m_failed)
        Q_EMIT refreshed();
}

void OverviewPage::scheduleRefresh()
{
    m_refreshTimer.start(); // restarted by each event of a burst
}

void OverviewPage::healthChanged(const QJsonObject &event)
{
    m_hosts->applyHealthEvent(event);
    m_services->applyHealthEvent(event);
    updateWorst();
    scheduleRefresh();
}

void OverviewPage::configurationChanged(const QJsonObject &event)
{
    if (!changesNoRow(event.value(QLatin1String("entity_type")).toString()))
        scheduleRefresh();
}

void OverviewPage::activated(const QModelIndex &index, bool host)
{
    if (!index.isValid())
        return;
    const QUuid id = index.data(HealthListModel::IdRole).toUuid();
    const QString name = index.data(HealthListModel::NameRole).toString();
    if (host)
        Q_EMIT hostActivated(id, name);
    else
        Q_EMIT serviceActivated(id, name);
}

void OverviewPage::focusSearch()
{
    m_search->setFocus(Qt::ShortcutFocusReason);
    m_search->selectAll();
}

void OverviewPage::updateCounts()
{
    m_chips->setCounts(m_hosts->counts(), m_services->counts());
}

void OverviewPage::updateLive(bool connected)
{
    // Words and colour: the dot alone would say nothing to a colour-blind eye.
    if (connected)
        m_everLive = true;
    m_live->setText(connected ? tr("● Live") : m_everLive ? tr("● Reconnecting…") : tr("● Not live yet"));
    m_live->setStyleSheet(QStringLiteral("QLabel { color: %1; font-weight: bold; }")
                              .arg(stateColour(connected ? State::Ok : State::Major).name()));
    m_live->setToolTip(connected ? tr("Changes appear as they happen.")
                                 : tr("The live connection to the core is down; trying again. "
                                      "The lists may be out of date."));
}

void OverviewPage::updateWorst()
{
    const State worst = mostSevere(m_hosts->worstState(), m_services->worstState());
    if (worst == m_worst)
        return;
    m_worst = worst;
    Q_EMIT worstStateChanged(worst);
}

QByteArray OverviewPage::saveState() const
{
    QByteArray state;
    QDataStream out(&state, QIODevice::WriteOnly);
    out.setVersion(QDataStream::Qt_6_4);
    out << StateMagic << m_splitter->saveState() << m_serviceView->horizontalHeader()->saveState()
        << m_hostView->horizontalHeader()->saveState();
    return state;
}

bool OverviewPage::restoreState(const QByteArray &state)
{
    QDataStream in(state);
    in.setVersion(QDataStream::Qt_6_4);
    quint32 magic = 0;
    QByteArray splitter, services, hosts;
    in >> magic >> splitter >> services >> hosts;
    if (in.status() != QDataStream::Ok || magic != StateMagic)
        return false;
    const bool restored = m_splitter->restoreState(splitter) &&
                          m_serviceView->horizontalHeader()->restoreState(services) &&
                          m_hostView->horizontalHeader()->restoreState(hosts);
    return restored;
}

} // namespace prophasis
