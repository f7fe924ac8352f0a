#include "console/app/mainwindow.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDialog>
#include <QDialogButtonBox>
#include <QLabel>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QSettings>
#include <QStackedWidget>
#include <QStatusBar>
#include <QSystemTrayIcon>
#include <QToolBar>
#include <QVBoxLayout>

#include "console/client/apiclient.h"
#include "console/client/eventstreamclient.h"
#include "console/common/statepresentation.h"
#include "console/hostpage/hostpage.h"
#include "console/notifications/notificationpolicy.h"
#include "console/notifications/notificationsettingswidget.h"
#include "console/notifications/traynotifier.h"
#include "console/overview/overviewpage.h"
#include "console/servicepage/servicepage.h"

namespace prophasis {

namespace {

// QSettings keys: one group, so "reset the console's layout" is one line to document.
const QString WindowGroup = QStringLiteral("window");

} // namespace

MainWindow::MainWindow(ApiClient &client, EventStreamClient &events, QWidget *parent)
    : QMainWindow(parent)
    , m_client(client)
    , m_events(events)
    , m_stack(new QStackedWidget(this))
    , m_overview(new OverviewPage(client, events, m_stack))
    , m_hostPage(new HostPage(client, events, m_stack))
    , m_servicePage(new ServicePage(client, events, m_stack))
    , m_tray(new TrayNotifier(events, this))
{
    setWindowTitle(tr("Prophasis"));
    setWindowIcon(stateIcon(State::Ok));
    m_stack->addWidget(m_overview);
    m_stack->addWidget(m_hostPage);
    m_stack->addWidget(m_servicePage);
    setCentralWidget(m_stack);

    buildActions();
    buildStatusBar();

    connect(m_overview, &OverviewPage::hostActivated, this, &MainWindow::openHost);
    connect(m_overview, &OverviewPage::serviceActivated, this, &MainWindow::openService);
    connect(m_servicePage, &ServicePage::hostActivated, this, &MainWindow::openHost);
    connect(m_servicePage, &ServicePage::serviceActivated, this, &MainWindow::openService);
    connect(m_overview, &OverviewPage::worstStateChanged, this, [this](State state) {
        m_tray->setWorstState(state);
        setWindowIcon(stateIcon(state));
    });
    connect(m_tray, &TrayNotifier::openRequested, this, [this](const QString &subject, const QUuid &id) {
        showNormal();
        raise();
        activateWindow();
        if (subject == QLatin1String("service"))
            openService(id, {});
        else
            openHost(id, {});
    });
    connect(m_tray, &TrayNotifier::showRequested, this, [this] {
        showNormal();
        raise();
        activateWindow();
    });
    connect(&m_client, &ApiClient::reachableChanged, this, &MainWindow::updateConnection);
    connect(&m_client, &ApiClient::loggedIn, this, &MainWindow::updateConnection);
    connect(&m_events, &EventStreamClient::connectedChanged, this, &MainWindow::updateConnection);

    resize(1280, 720); // fits 1366 × 768 with a panel; restoreSettings() brings the user's own
    showOverview();
    updateConnection();
}

MainWindow::~MainWindow() = default;

void MainWindow::buildActions()
{
    QToolBar *navigation = addToolBar(tr("Navigation"));
    navigation->setObjectName(QStringLiteral("navigation"));
    navigation->setMovable(false);
    navigation->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);

    m_back = new QAction(QIcon::fromTheme(QStringLiteral("go-previous")), tr("Back"), this);
    m_back->setShortcuts(QKeySequence::Back);
    m_back->setToolTip(
        tr("Back (%1)").arg(QKeySequence(QKeySequence::Back).toString(QKeySequence::NativeText)));
    connect(m_back, &QAction::triggered, this, &MainWindow::back);

    m_forward = new QAction(QIcon::fromTheme(QStringLiteral("go-next")), tr("Forward"), this);
    m_forward->setShortcuts(QKeySequence::Forward);
    connect(m_forward, &QAction::triggered, this, &MainWindow::forward);

    auto *overview = new QAction(QIcon::fromTheme(QStringLiteral("go-home")), tr("Overview"), this);
    overview->setShortcuts({QKeySequence(Qt::CTRL | Qt::Key_1), QKeySequence(Qt::ALT | Qt::Key_Home)});
    connect(overview, &QAction::triggered, this, &MainWindow::showOverview);

    auto *find = new QAction(QIcon::fromTheme(QStringLiteral("edit-find")), tr("Find…"), this);
    find->setShortcuts(QKeySequence::Find);
    find->setToolTip(tr("Search hosts and services"));
    connect(find, &QAction::triggered, this, [this] {
        showOverview();
        m_overview->focusSearch();
    });

    auto *refresh = new QAction(QIcon::fromTheme(QStringLiteral("view-refresh")), tr("Refresh"), this);
    refresh->setShortcuts(QKeySequence::Refresh);
    connect(refresh, &QAction::triggered, this, &MainWindow::refreshCurrent);

    navigation->addAction(m_back);
    navigation->addAction(m_forward);
    navigation->addAction(overview);
    navigation->addSeparator();
    navigation->addAction(find);
    navigation->addAction(refresh);

    QMenu *file = menuBar()->addMenu(tr("&File"));
    QAction *reconnect =
        file->addAction(tr("Connect to Another Core…"), this, &MainWindow::reconnectRequested);
    reconnect->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O));
    file->addSeparator();
    QAction *quit = file->addAction(tr("&Quit"), qApp, &QApplication::quit);
    quit->setShortcuts(QKeySequence::Quit);
    quit->setMenuRole(QAction::QuitRole);

    QMenu *view = menuBar()->addMenu(tr("&View"));
    view->addAction(m_back);
    view->addAction(m_forward);
    view->addAction(overview);
    view->addSeparator();
    view->addAction(find);
    view->addAction(refresh);

    QMenu *settings = menuBar()->addMenu(tr("&Settings"));
    settings->addAction(tr("&Notifications…"), this, &MainWindow::editNotifications);

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    QAction *about = help->addAction(tr("&About Prophasis"), this, &MainWindow::showAbout);
    about->setMenuRole(QAction::AboutRole);

    if (QSystemTrayIcon *icon = m_tray->trayIcon()) {
        auto *menu = new QMenu(this);
        menu->addAction(tr("Show Prophasis"), this, [this] {
            showNormal();
            raise();
            activateWindow();
        });
        menu->addAction(quit);
        icon->setContextMenu(menu);
    }
}

void MainWindow::buildStatusBar()
{
    m_coreLabel = new QLabel(this);
    m_liveLabel = new QLabel(this);
    statusBar()->addWidget(m_coreLabel, 1);
    statusBar()->addPermanentWidget(m_liveLabel);
}

void MainWindow::updateConnection()
{
    const QString core = m_client.baseUrl().toDisplayString();
    m_coreLabel->setText(m_client.isLoggedIn()
                             ? tr("%1 — %2 (%3)").arg(core, m_client.userName(), m_client.role())
                             : tr("%1 — not logged in").arg(core));
    // Words as well as colour: the state must be readable without telling colours apart.
    if (m_events.isConnected()) {
        m_liveLabel->setText(tr("● Live"));
        m_liveLabel->setStyleSheet(QStringLiteral("color: %1").arg(stateColour(State::Ok).name()));
        m_liveLabel->setToolTip(tr("Changes arrive as they happen."));
    } else {
        m_liveLabel->setText(tr("● Reconnecting…"));
        m_liveLabel->setStyleSheet(QStringLiteral("color: %1").arg(stateColour(State::Major).name()));
        m_liveLabel->setToolTip(tr("The connection to the core was lost; what is shown may be out of date."));
    }
}

void MainWindow::showOverview()
{
    go({PageKind::Overview, {}, {}});
}

void MainWindow::openHost(const QUuid &id, const QString &name)
{
    go({PageKind::Host, id, name});
}

void MainWindow::openService(const QUuid &id, const QString &name)
{
    go({PageKind::Service, id, name});
}

void MainWindow::go(const Place &place)
{
    if (m_position >= 0 && m_history.at(m_position) == place) {
        display(place);
        return;
    }
    // A new place drops what was ahead of us, as in a browser.
    m_history.erase(m_history.begin() + (m_position + 1), m_history.end());
    m_history.append(place);
    if (m_history.size() > HistoryLimit)
        m_history.removeFirst();
    m_position = int(m_history.size()) - 1;
    display(place);
}

void MainWindow::back()
{
    if (m_position <= 0)
        return;
    --m_position;
    display(m_history.at(m_position));
}

void MainWindow::forward()
{
    if (m_position + 1 >= m_history.size())
        return;
    ++m_position;
    display(m_history.at(m_position));
}

void MainWindow::display(const Place &place)
{
    switch (place.kind) {
    case PageKind::Overview:
        m_stack->setCurrentWidget(m_overview);
        setWindowTitle(tr("Overview — Prophasis"));
        break;
    case PageKind::Host:
        if (m_hostPage->hostId() != place.id)
            m_hostPage->showHost(place.id, place.name);
        m_stack->setCurrentWidget(m_hostPage);
        setWindowTitle(tr("%1 — Prophasis").arg(place.name.isEmpty() ? tr("Host") : place.name));
        break;
    case PageKind::Service:
        if (m_servicePage->serviceId() != place.id)
            m_servicePage->showService(place.id, place.name);
        m_stack->setCurrentWidget(m_servicePage);
        setWindowTitle(tr("%1 — Prophasis").arg(place.name.isEmpty() ? tr("Service") : place.name));
        break;
    }
    updateNavigation();
}

void MainWindow::updateNavigation()
{
    m_back->setEnabled(m_position > 0);
    m_forward->setEnabled(m_position + 1 < m_history.size());
}

void MainWindow::refreshCurrent()
{
    if (m_stack->currentWidget() == m_hostPage)
        m_hostPage->refresh();
    else if (m_stack->currentWidget() == m_servicePage)
        m_servicePage->refresh();
    else
        m_overview->refresh();
}

void MainWindow::editNotifications()
{
    QDialog dialog(this);
    dialog.setWindowTitle(tr("Notifications"));
    auto *layout = new QVBoxLayout(&dialog);
    auto *explanation = new QLabel(
        tr("The console shows a desktop notification when a host or service changes to one of the states "
           "ticked below. During quiet hours nothing is shown."),
        &dialog);
    explanation->setWordWrap(true);
    layout->addWidget(explanation);
    auto *form = new NotificationSettingsWidget(&dialog);
    form->setPolicy(m_tray->policy());
    layout->addWidget(form);
    if (!m_tray->isAvailable()) {
        auto *noTray =
            new QLabel(tr("This desktop has no system tray: notifications cannot be shown here."), &dialog);
        noTray->setWordWrap(true);
        layout->addWidget(noTray);
    }
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, &dialog);
    connect(buttons, &QDialogButtonBox::accepted, &dialog, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    layout->addWidget(buttons);
    if (dialog.exec() != QDialog::Accepted)
        return;
    m_tray->setPolicy(form->policy());
    QSettings settings;
    m_tray->policy().save(settings);
}

void MainWindow::showAbout()
{
    QMessageBox::about(
        this, tr("About Prophasis"),
        tr("<p><b>Prophasis %1</b></p><p>IT infrastructure monitoring for small and medium-sized "
           "organisations.</p><p>Licensed under the GNU General Public License, version 3.</p>")
            .arg(QStringLiteral(PROPHASIS_VERSION)));
}

void MainWindow::saveSettings() const
{
    QSettings settings;
    settings.beginGroup(WindowGroup);
    settings.setValue(QStringLiteral("geometry"), saveGeometry());
    settings.setValue(QStringLiteral("state"), QMainWindow::saveState());
    settings.setValue(QStringLiteral("overview"), m_overview->saveState());
    settings.setValue(QStringLiteral("hostPage"), m_hostPage->saveState());
    settings.endGroup();
}

void MainWindow::restoreSettings()
{
    QSettings settings;
    NotificationPolicy policy;
    policy.load(settings);
    m_tray->setPolicy(policy);
    settings.beginGroup(WindowGroup);
    restoreGeometry(settings.value(QStringLiteral("geometry")).toByteArray());
    QMainWindow::restoreState(settings.value(QStringLiteral("state")).toByteArray());
    m_overview->restoreState(settings.value(QStringLiteral("overview")).toByteArray());
    m_hostPage->restoreState(settings.value(QStringLiteral("hostPage")).toByteArray());
    settings.endGroup();
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    saveSettings();
    QMainWindow::closeEvent(event);
}

} // namespace prophasis
