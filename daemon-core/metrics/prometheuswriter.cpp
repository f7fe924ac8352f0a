#include "daemon-core/metrics/prometheuswriter.h"

#include <algorithm>
#include <charconv>
#include <cmath>

namespace prophasis {

namespace {

const char *typeName(PrometheusWriter::Type type)
{
    switch (type) {
    case PrometheusWriter::Type::Counter:
        return "counter";
    case PrometheusWriter::Type::Gauge:
        return "gauge";
    case PrometheusWriter::Type::Histogram:
        return "histogram";
    }
    return "untyped";
}

bool isNameStart(QChar c, bool colonAllowed)
{
    return (c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z') || c == u'_' || (colonAllowed && c == u':');
}

bool isNameChar(QChar c, bool colonAllowed)
{
    return isNameStart(c, colonAllowed) || (c >= u'0' && c <= u'9');
}

bool isValidName(const QString &name, bool colonAllowed)
{
    if (name.isEmpty() || !isNameStart(name.front(), colonAllowed))
        return false;
    return std::all_of(name.cbegin(), name.cend(), [&](QChar c) { return isNameChar(c, colonAllowed); });
}

// The series line `name{labels} value`.
QByteArray sampleLine(const QString &name, const QString &labels, double value)
{
    QByteArray line = name.toUtf8();
    if (!labels.isEmpty())
        line += '{' + labels.toUtf8() + '}';
    return line + ' ' + PrometheusWriter::formatValue(value) + '\n';
}

QString joinLabels(const QString &labels, const QString &extra)
{
    return labels.isEmpty() ? extra : labels + u',' + extra;
}

} // namespace

PrometheusHistogram PrometheusHistogram::withBounds(QList<double> upperBounds)
{
    PrometheusHistogram histogram;
    histogram.cumulativeCounts.fill(0, upperBounds.size());
    histogram.upperBounds = std::move(upperBounds);
    return histogram;
}

void PrometheusHistogram::observe(double value)
{
    for (qsizetype i = 0; i < upperBounds.size(); ++i) {
        if (value <= upperBounds.at(i))
            ++cumulativeCounts[i];
    }
    sum += value;
    ++count;
}

bool PrometheusWriter::isValidMetricName(const QString &name)
{
    return isValidName(name, true);
}

bool PrometheusWriter::isValidLabelName(const QString &name)
{
    // Names starting with __ are reserved for Prometheus itself.
    return isValidName(name, false) && !name.startsWith(QLatin1String("__"));
}

QString PrometheusWriter::escapeLabelValue(const QString &value)
{
    QString escaped;
    escaped.reserve(value.size());
    for (const QChar c : value) {
        if (c == u'\\')
            escaped += QLatin1String("\\\\");
        else if (c == u'"')
            escaped += QLatin1String("\\\"");
        else if (c == u'\n')
            escaped += QLatin1String("\\n");
        else
            escaped += c;
    }
    return escaped;
}

QString PrometheusWriter::escapeHelp(const QString &help)
{
    QString escaped = help;
    escaped.replace(u'\\', QLatin1String("\\\\"));
    escaped.replace(u'\n', QLatin1String("\\n"));
    return escaped;
}

QByteArray PrometheusWriter::formatValue(double value)
{
    if (std::isnan(value))
        return "NaN";
    if (std::isinf(value))
        return value > 0 ? "+Inf" : "-Inf";
    char buffer[32];
    const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
    Q_ASSERT(ec == std::errc());
    return QByteArray(buffer, end - buffer);
}

bool PrometheusWriter::addCounter(const QString &name, const QString &help, double value,
                                  const Labels &labels)
{
    // Prometheus and promtool expect counters to say so in their name.
    if (!name.endsWith(QLatin1String("_total")))
        return refuse(QStringLiteral("counter %1 must end in _total").arg(name));
    if (std::isnan(value) || value < 0)
        return refuse(QStringLiteral("counter %1 cannot be negative or NaN").arg(name));
    return add(name, help, Type::Counter, labels,
               [&](const QString &rendered) { return sampleLine(name, rendered, value); });
}

bool PrometheusWriter::addGauge(const QString &name, const QString &help, double value, const Labels &labels)
{
    return add(name, help, Type::Gauge, labels,
               [&](const QString &rendered) { return sampleLine(name, rendered, value); });
}

bool PrometheusWriter::addHistogram(const QString &name, const QString &help,
                                    const PrometheusHistogram &histogram, const Labels &labels)
{
    const auto &bounds = histogram.upperBounds;
    const auto &counts = histogram.cumulativeCounts;
    if (bounds.size() != counts.size())
        return refuse(QStringLiteral("histogram %1 has %2 bounds but %3 counts")
                          .arg(name)
                          .arg(bounds.size())
                          .arg(counts.size()));
    for (qsizetype i = 0; i < bounds.size(); ++i) {
        if (!std::isfinite(bounds.at(i)) || (i > 0 && bounds.at(i) <= bounds.at(i - 1)))
            return refuse(QStringLiteral("histogram %1: bounds must be finite and increasing").arg(name));
        if ((i > 0 && counts.at(i) < counts.at(i - 1)) || counts.at(i) > histogram.count)
            return refuse(QStringLiteral("histogram %1: bucket counts must be cumulative").arg(name));
    }
    return add(name, help, Type::Histogram, labels, [&](const QString &rendered) {
        const QString bucket = name + QLatin1String("_bucket");
        QByteArray lines;
        for (qsizetype i = 0; i < bounds.size(); ++i) {
            const QString le =
                QStringLiteral("le=\"%1\"").arg(QString::fromLatin1(formatValue(bounds.at(i))));
            lines += sampleLine(bucket, joinLabels(rendered, le), double(counts.at(i)));
        }
        lines +=
            sampleLine(bucket, joinLabels(rendered, QStringLiteral("le=\"+Inf\"")), double(histogram.count));
        lines += sampleLine(name + QLatin1String("_sum"), rendered, histogram.sum);
        lines += sampleLine(name + QLatin1String("_count"), rendered, double(histogram.count));
        return lines;
    });
}

QByteArray PrometheusWriter::text() const
{
    QByteArray text;
    for (auto family = m_families.cbegin(); family != m_families.cend(); ++family) {
        const QByteArray name = family.key().toUtf8();
        text += "# HELP " + name + ' ' + escapeHelp(family->help).toUtf8() + '\n';
        text += "# TYPE " + name + ' ' + typeName(family->type) + '\n';
        for (const QByteArray &lines : family->series)
            text += lines;
    }
    return text;
}

bool PrometheusWriter::add(const QString &name, const QString &help, Type type, const Labels &labels,
                           const std::function<QByteArray(const QString &)> &render)
{
    if (!isValidMetricName(name))
        return refuse(QStringLiteral("invalid metric name \"%1\"").arg(name));
    // Names a histogram's series take (or that read as one) would clash or mislead.
    if (type != Type::Histogram &&
        (name.endsWith(QLatin1String("_bucket")) || name.endsWith(QLatin1String("_count")) ||
         name.endsWith(QLatin1String("_sum"))))
        return refuse(QStringLiteral("metric name %1 ends like a histogram's series").arg(name));
    if (type != Type::Counter && name.endsWith(QLatin1String("_total")))
        return refuse(QStringLiteral("only counters end in _total: %1").arg(name));
    const std::optional<QString> rendered = renderLabels(name, labels, type == Type::Histogram);
    if (!rendered)
        return false;
    Family *target = family(name, help, type);
    if (!target)
        return false;
    if (target->series.contains(*rendered))
        return refuse(QStringLiteral("%1{%2} added twice").arg(name, *rendered));
    target->series.insert(*rendered, render(*rendered));
    return true;
}

PrometheusWriter::Family *PrometheusWriter::family(const QString &name, const QString &help, Type type)
{
    if (help.isEmpty()) {
        refuse(QStringLiteral("metric %1 has no help text").arg(name));
        return nullptr;
    }
    // A histogram owns name_bucket, name_sum and name_count; nothing else may take them.
    for (const char *suffix : {"_bucket", "_sum", "_count"}) {
        const QString derived = name + QLatin1String(suffix);
        if (m_families.contains(derived)) {
            refuse(QStringLiteral("metric %1 clashes with %2").arg(name, derived));
            return nullptr;
        }
    }
    auto existing = m_families.find(name);
    if (existing == m_families.end()) {
        Family created;
        created.type = type;
        created.help = help;
        return &*m_families.insert(name, created);
    }
    if (existing->type != type || existing->help != help) {
        refuse(QStringLiteral("metric %1 added again with another type or help").arg(name));
        return nullptr;
    }
    return &*existing;
}

std::optional<QString> PrometheusWriter::renderLabels(const QString &metric, const Labels &labels,
                                                      bool histogram)
{
    Labels sorted = labels;
    std::sort(sorted.begin(), sorted.end(), [](const auto &a, const auto &b) { return a.first < b.first; });
    QStringList parts;
    for (qsizetype i = 0; i < sorted.size(); ++i) {
        const QString &label = sorted.at(i).first;
        if (!isValidLabelName(label)) {
            refuse(QStringLiteral("metric %1: invalid label name \"%2\"").arg(metric, label));
            return std::nullopt;
        }
        if (histogram && label == QLatin1String("le")) {
            refuse(QStringLiteral("histogram %1: the label le is the writer's").arg(metric));
            return std::nullopt;
        }
        if (i > 0 && sorted.at(i - 1).first == label) {
            refuse(QStringLiteral("metric %1: label %2 given twice").arg(metric, label));
            return std::nullopt;
        }
        parts.append(QStringLiteral("%1=\"%2\"").arg(label, escapeLabelValue(sorted.at(i).second)));
    }
    return parts.join(u',');
}

bool PrometheusWriter::refuse(const QString &reason)
{
    m_errors.append(reason);
    return false;
}

} // namespace prophasis
