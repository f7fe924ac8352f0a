#include "shared/plugin/nagiosoutput.h"

#include <QRegularExpression>

#include <cmath>

namespace prophasis {

namespace {

PluginStatus statusOfExitCode(int exitCode)
{
    switch (exitCode) {
    case 0:
        return PluginStatus::Ok;
    case 1:
        return PluginStatus::Warning;
    case 2:
        return PluginStatus::Critical;
    default:
        return PluginStatus::Unknown;
    }
}

bool isSpace(QChar c)
{
    return c == u' ' || c == u'\t' || c == u'\n' || c == u'\r' || c == u'\v' || c == u'\f';
}

// One pass over the performance data. Kept as a small cursor rather than a regular expression
// because quoted labels may contain spaces, '=' and doubled quotes.
class PerfDataReader
{
public:
    explicit PerfDataReader(QStringView text)
        : m_text(text)
    {
    }

    // Appends the well-formed items to `metrics`; returns false when more than `limit` were found.
    bool read(QList<Metric> &metrics, qsizetype limit)
    {
        while (true) {
            skipSpaces();
            if (atEnd())
                return true;
            std::optional<Metric> metric = readItem();
            if (!metric)
                continue;
            if (metrics.size() == limit)
                return false;
            metrics.append(*metric);
        }
    }

private:
    bool atEnd() const { return m_pos >= m_text.size(); }
    void skipSpaces()
    {
        while (!atEnd() && isSpace(m_text[m_pos]))
            ++m_pos;
    }
    void skipToSpace()
    {
        while (!atEnd() && !isSpace(m_text[m_pos]))
            ++m_pos;
    }

    std::optional<QString> readLabel()
    {
        if (m_text[m_pos] != u'\'') {
            const qsizetype start = m_pos;
            while (!atEnd() && m_text[m_pos] != u'=' && !isSpace(m_text[m_pos]))
                ++m_pos;
            return m_text.mid(start, m_pos - start).toString();
        }
        QString label;
        ++m_pos;
        while (!atEnd()) {
            const QChar c = m_text[m_pos++];
            if (c != u'\'') {
                label.append(c);
            } else if (!atEnd() && m_text[m_pos] == u'\'') {
                label.append(c);
                ++m_pos;
            } else {
                return label;
            }
        }
        return std::nullopt; // an unterminated quote swallows the rest: nothing left to resync on
    }

    std::optional<Metric> readItem()
    {
        const std::optional<QString> label = readLabel();
        if (!label || atEnd() || m_text[m_pos] != u'=' || label->trimmed().isEmpty()) {
            skipToSpace();
            return std::nullopt;
        }
        ++m_pos;
        const qsizetype start = m_pos;
        skipToSpace();
        const QStringView data = m_text.mid(start, m_pos - start);
        const QStringView first = data.left(data.indexOf(u';') < 0 ? data.size() : data.indexOf(u';'));

        // value[UOM]: a decimal number, then letters or % as the unit. 'U' (unknown) and
        // anything else fail the match and are skipped.
        static const QRegularExpression valuePattern(
            QStringLiteral(R"(^([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)([A-Za-z%]*)$)"));
        const QRegularExpressionMatch match = valuePattern.match(first);
        if (!match.hasMatch())
            return std::nullopt;
        bool ok = false;
        const double value = match.capturedView(1).toDouble(&ok);
        if (!ok || !std::isfinite(value))
            return std::nullopt;
        return Metric{*label, value, match.captured(2)};
    }

    QStringView m_text;
    qsizetype m_pos = 0;
};

} // namespace

RunResult parseNagiosOutput(int exitCode, const QByteArray &output)
{
    RunResult result;
    result.status = statusOfExitCode(exitCode);

    const QString text = QString::fromUtf8(output);
    const qsizetype lineEnd = text.indexOf(u'\n');
    const QStringView firstLine = QStringView(text).left(lineEnd < 0 ? text.size() : lineEnd);
    const QStringView rest = lineEnd < 0 ? QStringView() : QStringView(text).mid(lineEnd + 1);

    const qsizetype bar = firstLine.indexOf(u'|');
    QString message = firstLine.left(bar < 0 ? firstLine.size() : bar).trimmed().toString();
    QString perfData = bar < 0 ? QString() : firstLine.mid(bar + 1).toString();
    // Long output: text lines, then from the first '|' on, performance data to the end.
    if (const qsizetype longBar = rest.indexOf(u'|'); longBar >= 0)
        perfData += u' ' + rest.mid(longBar + 1).toString();

    if (exitCode < 0 || exitCode > 3) {
        const QString what =
            QStringLiteral("the plugin exited with code %1, which is not a Nagios status").arg(exitCode);
        message = message.isEmpty() ? what : QStringLiteral("%1 (%2)").arg(message, what);
    }
    if (message.size() > MaxRunMessageLength) {
        message.truncate(MaxRunMessageLength);
        result.truncated = true;
    }
    result.message = message;

    if (!PerfDataReader(perfData).read(result.metrics, MaxRunMetrics))
        result.truncated = true;
    if (!result.metrics.isEmpty())
        result.value = result.metrics.first().value;
    return result;
}

} // namespace prophasis
