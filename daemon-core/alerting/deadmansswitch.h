#pragma once

#include <QJsonObject>
#include <QObject>
#include <QThreadPool>
#include <QTimer>

#include <atomic>
#include <chrono>
#include <functional>

#include "daemon-core/alerting/httptransport.h"
#include "shared/domain/fielderrors.h"
#include "shared/domain/logentry.h"

namespace prophasis {

inline constexpr std::chrono::seconds DefaultDeadMansSwitchInterval{300};
inline constexpr std::chrono::seconds MinDeadMansSwitchInterval{10};
inline constexpr std::chrono::seconds MaxDeadMansSwitchInterval{24 * 3600};

// The "dead man's switch" of core.json (SPEC §5, health of the core itself):
//   "dead_mans_switch": {"url": "https://hc-ping.com/…", "method": "POST", "interval_s": 300,
//                        "timeout_s": 10, "ca_file": "/etc/ssl/my-ca.pem"}
// Absent or without a URL: off. The URL usually holds a token: core.json is readable by the core's
// user only, and logs show only the URL's scheme and host.
struct DeadMansSwitchConfig
{
    QString url;
    QByteArray method = "POST"; // POST (a small JSON body) or GET
    std::chrono::seconds interval = DefaultDeadMansSwitchInterval;
    std::chrono::seconds timeout{10};
    QString caFile;

    bool enabled() const { return !url.isEmpty(); }
};

// Reads the "dead_mans_switch" object of core.json over `out` (keys absent keep their values);
// problems are named "dead_mans_switch.<key>".
FieldErrors readDeadMansSwitchConfig(const QJsonObject &json, DeadMansSwitchConfig &out);

// Tells a third party every `interval` that the core is alive, while `healthy()` says so; when it
// does not, the ping is skipped and the third party, hearing nothing, raises the alarm. The first
// ping goes at start(). The request runs on a thread of its own (libcurl blocks), through the
// webhook module's transport (performHttpCall); a ping still in flight at the next tick skips
// that tick. Failures are logged (category "core", one fold key, so they fold into one entry);
// the first success after failures is logged too.
class DeadMansSwitch : public QObject
{
    Q_OBJECT
public:
    // `healthy` is called on this object's thread.
    DeadMansSwitch(DeadMansSwitchConfig config, std::function<bool()> healthy, QObject *parent = nullptr);
    // Cancels a ping in flight and waits for its thread.
    ~DeadMansSwitch() override;

    void start();
    void stop();
    bool isRunning() const { return m_timer.isActive(); }
    // One tick now (tests; the timer keeps its rhythm).
    void pingNow();

    // The JSON a POST carries: {"service": "prophasis-core", "status": "ok", "time": …, "host": …,
    // "version": …}.
    static QJsonObject pingBody(const QDateTime &now);

Q_SIGNALS:
    // After every ping that was sent: ok, or the error.
    void pinged(bool ok, const QString &error);
    // Skipped because the core was not healthy.
    void skipped();
    void logEntry(const prophasis::LogEntry &entry);

private:
    void onPingDone(const HttpCallResult &result);

    DeadMansSwitchConfig m_config;
    std::function<bool()> m_healthy;
    QTimer m_timer;
    QThreadPool m_pool;
    std::atomic<bool> m_cancel = false;
    bool m_inFlight = false;
    bool m_failing = false;
};

} // namespace prophasis
