#include "daemon-core/classify/classifierjobjson.h"

#include <QJsonDocument>

#include <charconv>
#include <cmath>

#include "daemon-core/classify/classifierprotocol.h"

namespace prophasis {

namespace {

void appendNumber(std::string *out, double value)
{
    if (!std::isfinite(value)) { // JSON has no NaN or infinity
        out->append("null");
        return;
    }
    char buffer[32];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
    out->append(buffer, result.ptr);
}

void appendInteger(std::string *out, qint64 value)
{
    char buffer[24];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
    out->append(buffer, result.ptr);
}

// The wire name from the enum's one table (enumnames.h), without building a QString.
template <typename E>
const char *wireName(E value)
{
    for (const auto &[candidate, name] : EnumNames<E>::table) {
        if (candidate == value)
            return name;
    }
    return "";
}

const char *statusName(PluginStatus status)
{
    return status == PluginStatus::None ? nullptr : wireName(status);
}

// RESULT: [time, type, value, message, status, {metrics}(, check)]
void appendResult(std::string *out, const CheckResult &result, const QString *check)
{
    out->push_back('[');
    appendNumber(out, double(result.time.toMSecsSinceEpoch()) / 1000.0);
    out->push_back(',');
    appendJsonString(out, std::string_view(wireName(result.type)));
    out->push_back(',');
    if (result.value)
        appendNumber(out, *result.value);
    else
        out->append("null");
    out->push_back(',');
    appendJsonString(out, result.message);
    out->push_back(',');
    if (const char *status = statusName(result.status))
        appendJsonString(out, std::string_view(status));
    else
        out->append("null");
    out->append(",{");
    bool first = true;
    for (const Metric &metric : result.metrics) {
        if (!std::isfinite(metric.value))
            continue;
        if (!first)
            out->push_back(',');
        first = false;
        appendJsonString(out, metric.name);
        out->push_back(':');
        appendNumber(out, metric.value);
    }
    out->push_back('}');
    if (check) {
        out->push_back(',');
        appendJsonString(out, *check);
    }
    out->push_back(']');
}

} // namespace

void appendJsonString(std::string *out, std::string_view utf8)
{
    static constexpr char Hex[] = "0123456789abcdef";
    out->push_back('"');
    std::size_t plain = 0; // start of the run of characters that need no escape
    for (std::size_t i = 0; i < utf8.size(); ++i) {
        const auto byte = static_cast<unsigned char>(utf8[i]);
        if (byte >= 0x20 && byte != '"' && byte != '\\')
            continue;
        out->append(utf8.data() + plain, i - plain);
        plain = i + 1;
        if (byte >= 0x20) {
            out->push_back('\\');
            out->push_back(char(byte));
        } else {
            out->append("\\u00");
            out->push_back(Hex[byte >> 4]);
            out->push_back(Hex[byte & 0xf]);
        }
    }
    out->append(utf8.data() + plain, utf8.size() - plain);
    out->push_back('"');
}

void appendJsonString(std::string *out, const QString &text)
{
    // toUtf8 replaces unpaired surrogates, so the text is always valid UTF-8.
    const QByteArray utf8 = text.toUtf8();
    appendJsonString(out, std::string_view(utf8.constData(), static_cast<std::size_t>(utf8.size())));
}

std::string classifierJobJson(qint64 id, const std::string &key, const ClassificationJob &job)
{
    std::string out;
    out.reserve(256 + static_cast<std::size_t>(job.results.size()) * 160);
    out.append("{\"id\":");
    appendInteger(&out, id);
    out.append(",\"key\":");
    appendJsonString(&out, std::string_view(key));
    out.append(",\"results\":[");
    for (qsizetype i = 0; i < job.results.size(); ++i) {
        if (i > 0)
            out.push_back(',');
        appendResult(&out, job.results[i], nullptr);
    }
    out.push_back(']');
    if (!job.arguments.isEmpty()) {
        out.append(",\"args\":");
        out.append(QJsonDocument(job.arguments).toJson(QJsonDocument::Compact).toStdString());
    }
    if (!job.variables.isEmpty()) {
        out.append(",\"vars\":{");
        bool first = true;
        for (auto it = job.variables.cbegin(); it != job.variables.cend(); ++it) {
            if (!first)
                out.push_back(',');
            first = false;
            appendJsonString(&out, it.key());
            out.push_back(':');
            appendJsonString(&out, it.value());
        }
        out.push_back('}');
    }
    if (!job.others.isEmpty()) {
        out.append(",\"others\":{");
        bool first = true;
        for (auto it = job.others.cbegin(); it != job.others.cend(); ++it) {
            if (!first)
                out.push_back(',');
            first = false;
            appendJsonString(&out, it.key());
            out.push_back(':');
            const auto check = job.otherChecks.constFind(it.key());
            appendResult(&out, it.value(), check == job.otherChecks.cend() ? nullptr : &*check);
        }
        out.push_back('}');
    }
    out.push_back('}');
    return out;
}

} // namespace prophasis
