#include "daemon-core/engine/configurationwatcher.h"

#include <QSqlQuery>
#include <QStringList>

#include <utility>

#include "daemon-core/storage/configurationloader.h"
#include "daemon-core/storage/database.h"
#include "daemon-core/storage/storageerror.h"
#include "daemon-core/storage/storageexecutor.h"
#include "daemon-core/storage/whenready.h"

namespace prophasis {

namespace {

// Tables whose rows make up the configuration. Child rows (members, intervals, check plugins)
// change only together with their parent, whose version and updated_ms rise with them.
const char *const ConfigurationTables[] = {"hosts",     "host_groups", "plugins", "checks",
                                           "schedules", "services",    "alerts"};

QString fingerprint(Database &db)
{
    QStringList parts;
    for (const char *table : ConfigurationTables) {
        // The sum of versions rises with every update, even two in the same millisecond.
        QSqlQuery query = db.exec(QStringLiteral("SELECT count(*), max(updated_ms), sum(version) FROM %1")
                                      .arg(QLatin1String(table)));
        if (query.next())
            parts << QStringLiteral("%1/%2/%3")
                         .arg(query.value(0).toString(), query.value(1).toString(),
                              query.value(2).toString());
    }
    // A package uploaded for a plugin changes what agents must run.
    QSqlQuery packages = db.exec(QStringLiteral("SELECT count(*), max(uploaded_ms) FROM plugin_packages"));
    if (packages.next())
        parts << packages.value(0).toString() + u'/' + packages.value(1).toString();
    return parts.join(u' ');
}

} // namespace

ConfigurationWatcher::ConfigurationWatcher(StorageExecutor &storage, SecretBox secrets, int pollMs,
                                           QObject *parent)
    : QObject(parent)
    , m_storage(storage)
    , m_secrets(std::move(secrets))
{
    m_timer.setInterval(pollMs);
    connect(&m_timer, &QTimer::timeout, this, &ConfigurationWatcher::poll);
}

void ConfigurationWatcher::start()
{
    m_timer.start();
    poll();
}

void ConfigurationWatcher::reloadNow()
{
    m_fingerprint.clear();
    if (m_busy)
        m_reloadRequested = true;
    else
        poll();
}

void ConfigurationWatcher::poll()
{
    if (m_busy)
        return;
    m_busy = true;
    whenReady(
        m_storage.run([](Database &db) { return fingerprint(db); }), this,
        [this](const QString &current) {
            if (std::exchange(m_failing, false))
                Q_EMIT loadRecovered();
            if (current == m_fingerprint && !m_reloadRequested) {
                m_busy = false;
                return;
            }
            load(current);
        },
        [this](const StorageError &error) { failed(error); });
}

void ConfigurationWatcher::failed(const StorageError &error)
{
    m_busy = false;
    // Once per outage, not at every poll.
    if (!std::exchange(m_failing, true))
        Q_EMIT loadFailed(error.message());
}

void ConfigurationWatcher::load(const QString &fingerprintBefore)
{
    m_reloadRequested = false;
    const SecretBox secrets = m_secrets;
    whenReady(
        m_storage.run([secrets](Database &db) {
            return std::make_shared<const Configuration>(loadConfiguration(db, secrets));
        }),
        this,
        [this, fingerprintBefore](const std::shared_ptr<const Configuration> &configuration) {
            // Read before the snapshot: a change in between is seen by the next poll.
            m_fingerprint = fingerprintBefore;
            m_current = configuration;
            m_busy = false;
            Q_EMIT configurationChanged(configuration);
            if (m_reloadRequested)
                poll();
        },
        [this](const StorageError &error) { failed(error); });
}

} // namespace prophasis
