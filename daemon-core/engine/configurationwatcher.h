#pragma once

#include <QObject>
#include <QTimer>

#include <memory>

#include "daemon-core/storage/secretbox.h"
#include "shared/domain/configuration.h"

namespace prophasis {

class StorageError;
class StorageExecutor;

// Keeps the engine's configuration snapshot current: changes apply without a restart (SPEC §5).
// Every poll interval it asks the database for a cheap fingerprint of the configuration tables
// (row counts and newest change of each) and reloads the whole snapshot only when that moved,
// so a change made by the API, by an import or by another core on the same PostgreSQL (SPEC §8)
// arrives within one interval. reloadNow() is for the API, which knows when it changed something.
class ConfigurationWatcher : public QObject
{
    Q_OBJECT
public:
    ConfigurationWatcher(StorageExecutor &storage, SecretBox secrets, int pollMs = 2000,
                         QObject *parent = nullptr);

    // Loads the first snapshot and starts polling; configurationChanged() follows once loaded.
    void start();
    void reloadNow();
    std::shared_ptr<const Configuration> current() const { return m_current; }

Q_SIGNALS:
    void configurationChanged(std::shared_ptr<const Configuration> configuration);
    // The database could not be read (once per outage); the last snapshot stays in use.
    void loadFailed(const QString &message);
    // The database answers again after loadFailed.
    void loadRecovered();

private:
    void poll();
    void load(const QString &fingerprint);
    void failed(const StorageError &error);

    StorageExecutor &m_storage;
    SecretBox m_secrets;
    QTimer m_timer;
    QString m_fingerprint;
    bool m_busy = false;
    bool m_reloadRequested = false;
    bool m_failing = false;
    std::shared_ptr<const Configuration> m_current;
};

} // namespace prophasis
