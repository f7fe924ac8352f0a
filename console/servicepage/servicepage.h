#pragma once

#include <QJsonObject>
#include <QTimer>
#include <QUuid>
#include <QWidget>

#include "console/servicepage/servicereport.h"

class QLabel;
class QPushButton;
class QTableView;
class QTreeView;

namespace prophasis {

class ApiClient;
class EventStreamClient;
class HealthChangeModel;
class ServiceTreeModel;

// One service: its state with a sentence saying why, the dependency / redundancy tree with each
// member's health, and its recent state changes. Follows the event stream: a health change of
// the service or of any member (a burst of them coalesced into one reload) refreshes it.
// Activating a member (double-click or Enter) opens it (hostActivated / serviceActivated).
class ServicePage : public QWidget
{
    Q_OBJECT
public:
    // How long health events are gathered before one reload.
    static constexpr int RefreshCoalesceMs = 300;
    // The state changes listed: this far back.
    static constexpr qint64 ChangesRangeMs = 7LL * 24 * 3600 * 1000;

    ServicePage(ApiClient &client, EventStreamClient &events, QWidget *parent = nullptr);
    ~ServicePage() override;

    void showService(const QUuid &id, const QString &name);
    void refresh();

    QUuid serviceId() const { return m_id; }
    const ServiceReport &report() const;
    QString reasonText() const;
    ServiceTreeModel *treeModel() const { return m_model; }

Q_SIGNALS:
    // A host member (or a plugin on a host: its host) was opened.
    void hostActivated(const QUuid &id, const QString &name);
    void serviceActivated(const QUuid &id, const QString &name);
    // A report was shown (after each load), or loading failed: for tests and the status bar.
    void loaded();
    void loadFailed(const QString &errorText);

private:
    void load();
    void showReport(const ServiceReport &report);
    void showError(const QString &text);
    void onHealthChanged(const QJsonObject &payload);
    void onConfigurationChanged(const QJsonObject &payload);
    void scheduleRefresh();
    void activate(const QModelIndex &index);
    QModelIndex findRow(int branch, const QUuid &member) const;

    ApiClient &m_client;
    QUuid m_id;
    QString m_name;
    quint64 m_generation = 0; // answers for a service no longer shown are dropped
    bool m_loading = false;
    bool m_reloadAfter = false;
    bool m_hasReport = false;
    QList<QUuid> m_memberIds;
    bool m_hasGroupMember = false;
    QTimer m_refresh;

    QLabel *m_title = nullptr;
    QLabel *m_badge = nullptr;
    QLabel *m_reason = nullptr;
    QLabel *m_status = nullptr;
    QPushButton *m_retry = nullptr;
    QTreeView *m_tree = nullptr;
    ServiceTreeModel *m_model = nullptr;
    QLabel *m_changesTitle = nullptr;
    HealthChangeModel *m_changeModel = nullptr;
    QTableView *m_changes = nullptr;
};

} // namespace prophasis
