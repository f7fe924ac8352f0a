#pragma once

#include <QByteArray>
#include <QList>
#include <QMap>
#include <QPair>
#include <QString>
#include <QStringList>

#include <functional>
#include <optional>

namespace prophasis {

// One histogram series: cumulative counts per finite upper bound (Prometheus buckets), the sum
// and the count of every observation. The writer adds the +Inf bucket (= count).
struct PrometheusHistogram
{
    QList<double> upperBounds;       // strictly increasing, finite
    QList<quint64> cumulativeCounts; // per bound: observations ≤ it (non-decreasing, ≤ count)
    double sum = 0;
    quint64 count = 0;

    static PrometheusHistogram withBounds(QList<double> upperBounds);
    void observe(double value);
};

// Writes the Prometheus text exposition format 0.0.4 (what /metrics answers with the content
// type PrometheusWriter::ContentType). Each family gets its # HELP and # TYPE once; families
// come out sorted by name and series sorted by their labels, so the same figures give the same
// text. Anything the format (or a scraper's lint) would refuse is refused here instead, with the
// reason in errors(): a bad metric or label name, a counter not ending in _total, a family added
// twice with another type or help, a label set repeated, buckets that do not add up.
class PrometheusWriter
{
public:
    static constexpr const char *ContentType = "text/plain; version=0.0.4; charset=utf-8";

    enum class Type
    {
        Counter,
        Gauge,
        Histogram,
    };
    using Labels = QList<QPair<QString, QString>>; // label name, value

    // False (and nothing written) when refused; see errors().
    bool addCounter(const QString &name, const QString &help, double value, const Labels &labels = {});
    bool addGauge(const QString &name, const QString &help, double value, const Labels &labels = {});
    bool addHistogram(const QString &name, const QString &help, const PrometheusHistogram &histogram,
                      const Labels &labels = {});

    QByteArray text() const;
    const QStringList &errors() const { return m_errors; }

    static bool isValidMetricName(const QString &name);
    static bool isValidLabelName(const QString &name);
    static QString escapeLabelValue(const QString &value);
    static QString escapeHelp(const QString &help);
    // Go's ParseFloat syntax as Prometheus reads it: shortest round trip, NaN, +Inf, -Inf.
    static QByteArray formatValue(double value);

private:
    struct Family
    {
        Type type = Type::Gauge;
        QString help;
        QMap<QString, QByteArray> series; // rendered label set → its sample lines
    };

    // Validates, then stores the series lines `render` makes from the rendered labels.
    bool add(const QString &name, const QString &help, Type type, const Labels &labels,
             const std::function<QByteArray(const QString &)> &render);
    // The family to add to, or null (with the error noted) when the name, type or help clash.
    Family *family(const QString &name, const QString &help, Type type);
    // `a="1",b="2"` (sorted by label name; empty without labels), or nullopt when refused.
    std::optional<QString> renderLabels(const QString &metric, const Labels &labels, bool histogram);
    bool refuse(const QString &reason);

    QMap<QString, Family> m_families;
    QStringList m_errors;
};

} // namespace prophasis
