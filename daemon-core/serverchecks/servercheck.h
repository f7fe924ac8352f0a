#pragma once

#include <QElapsedTimer>
#include <QJsonObject>
#include <QObject>
#include <QString>

#include <chrono>
#include <functional>

#include "shared/domain/checkresult.h"

namespace prophasis {

// The host a server-side check measures: its name (for messages and {host}) and its address (a
// DNS name or an IP address, for {address}).
struct ServerCheckTarget
{
    QString hostName;
    QString address;
};

// One run of a server-side check: which kind (the plugin's `entry`: http, tcp, ping, dns),
// against which host, with the plugin's arguments already resolved (defaults filled in,
// types checked), within the plugin's timeout.
struct ServerCheckRequest
{
    QString kind;
    ServerCheckTarget target;
    QJsonObject arguments;
    std::chrono::milliseconds timeout{10'000};
};

// One check in progress, event-driven on the thread it lives on. It ends exactly once, through
// finish(): by itself, or when the runner's deadline calls expire(). The runner owns it.
//
// How results are typed (plugins/server/README.md): the target answered at its protocol level
// → success with a value (and status critical when an argument's expectation failed: a wrong
// HTTP status, a body or banner that does not match, an unexpected DNS answer); the target did
// not answer (refused, unreachable, no echo reply, name of the target unknown) →
// connection_error; TLS refused → tls_error; the deadline passed → timeout; the arguments
// cannot be used → request_error; the core itself cannot measure (no permission for ICMP) →
// success without a value and status unknown.
class ServerCheck : public QObject
{
    Q_OBJECT
public:
    using Finished = std::function<void(const CheckResult &)>;

    explicit ServerCheck(ServerCheckRequest request, QObject *parent = nullptr);

    // Starts the check; `finished` is called once, perhaps before start() returns.
    void start(Finished finished);
    // The deadline passed: stops all work and finishes with a timeout result whose message
    // says how far the check got.
    void expire();
    bool isFinished() const { return m_finished; }

    const ServerCheckRequest &request() const { return m_request; }

protected:
    virtual void begin() = 0;
    // Stops sockets, lookups and timers; no callback may reach the check afterwards.
    virtual void cancel() = 0;
    // The message of a timeout result: what did not happen in time.
    virtual QString timeoutMessage() const = 0;

    void finish(CheckResult result);
    void succeed(double value, const QString &message, QList<Metric> metrics,
                 PluginStatus status = PluginStatus::Ok);
    void fail(ResultType type, const QString &message);
    // The core could not measure (a missing permission): no value, status unknown.
    void cannotMeasure(const QString &message);

    qint64 elapsedMs() const { return m_clock.elapsed(); }
    double elapsedMsPrecise() const { return double(m_clock.nsecsElapsed()) / 1e6; }
    QString timeoutText() const;

    ServerCheckRequest m_request;

private:
    Finished m_done;
    QElapsedTimer m_clock;
    bool m_finished = false;
};

} // namespace prophasis
