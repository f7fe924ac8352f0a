#pragma once

#include <QByteArray>
#include <QDateTime>
#include <QString>

#include <optional>

namespace prophasis {

class AlertDeliveryTally;
class CoreEngine;
class PrometheusWriter;

// What /metrics shows beyond the engine's own getters: the process's start (main() notes it),
// and the alert figures the engine does not expose yet (see docs/USER_GUIDE.md, "Metrics").
struct CoreMetricsContext
{
    QDateTime processStarted; // invalid: no uptime figures
    QDateTime now;            // invalid: the current time
    QString version = QStringLiteral(PROPHASIS_VERSION);
    std::optional<int> pendingAlertDeliveries;           // AlertService::pendingDeliveries()
    const AlertDeliveryTally *alertDeliveries = nullptr; // fed from AlertService::deliveryFinished
};

// Adds the core's families (all named prophasis_…) to `writer`, so the HTTP server can add its
// own beside them. Reads only public getters: call it on the engine's thread.
void addCoreMetrics(PrometheusWriter &writer, const CoreEngine &engine,
                    const CoreMetricsContext &context = {});

// The whole /metrics body (PrometheusWriter::ContentType).
QByteArray renderCoreMetrics(const CoreEngine &engine, const CoreMetricsContext &context = {});

} // namespace prophasis
