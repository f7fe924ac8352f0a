#include "daemon-core/serverchecks/servercheck.h"

#include "daemon-core/serverchecks/checkarguments.h"

namespace prophasis {

ServerCheck::ServerCheck(ServerCheckRequest request, QObject *parent)
    : QObject(parent)
    , m_request(std::move(request))
{
}

void ServerCheck::start(Finished finished)
{
    m_done = std::move(finished);
    m_clock.start();
    begin();
}

void ServerCheck::expire()
{
    if (m_finished)
        return;
    cancel();
    fail(ResultType::Timeout, timeoutMessage());
}

void ServerCheck::finish(CheckResult result)
{
    if (m_finished)
        return;
    m_finished = true;
    result.durationMs = elapsedMs();
    cancel();
    if (m_done)
        m_done(result);
}

void ServerCheck::succeed(double value, const QString &message, QList<Metric> metrics, PluginStatus status)
{
    CheckResult result;
    result.type = ResultType::Success;
    result.value = value;
    result.message = message;
    result.metrics = std::move(metrics);
    result.status = status;
    finish(std::move(result));
}

void ServerCheck::fail(ResultType type, const QString &message)
{
    CheckResult result;
    result.type = type;
    result.message = message;
    finish(std::move(result));
}

void ServerCheck::cannotMeasure(const QString &message)
{
    CheckResult result;
    result.type = ResultType::Success;
    result.status = PluginStatus::Unknown;
    result.message = message;
    finish(std::move(result));
}

QString ServerCheck::timeoutText() const
{
    const qint64 ms = m_request.timeout.count();
    return ms % 1000 == 0 ? QStringLiteral("%1 s").arg(ms / 1000) : QStringLiteral("%1 ms").arg(ms);
}

} // namespace prophasis
