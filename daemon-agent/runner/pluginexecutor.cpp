#include "daemon-agent/runner/pluginexecutor.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLocale>
#include <QRegularExpression>

#include <cstring>

#include "daemon-agent/runner/capabilities.h"
#include "shared/plugin/execoutput.h"
#include "shared/plugin/nagiosoutput.h"

namespace prophasis {

namespace {

// How much of a line of stderr goes into a message.
constexpr qsizetype MaxQuotedLineLength = 300;

std::optional<QString> argumentText(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::String:
        return value.toString();
    case QJsonValue::Bool:
        return value.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    case QJsonValue::Double:
        return QString::number(value.toDouble(), 'g', QLocale::FloatingPointShortest);
    case QJsonValue::Array:
        return QString::fromUtf8(QJsonDocument(value.toArray()).toJson(QJsonDocument::Compact));
    case QJsonValue::Object:
        return QString::fromUtf8(QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact));
    default:
        return std::nullopt; // null or absent: no value
    }
}

QString firstLine(const QByteArray &output)
{
    for (const QByteArray &line : output.split('\n')) {
        const QString text = QString::fromUtf8(line).trimmed();
        if (!text.isEmpty())
            return text.left(MaxQuotedLineLength);
    }
    return {};
}

QString seconds(int milliseconds)
{
    return QString::number(milliseconds / 1000.0, 'g', QLocale::FloatingPointShortest);
}

QString signalName(int signal)
{
    const char *abbreviation = ::sigabbrev_np(signal);
    return abbreviation ? QStringLiteral("SIG%1").arg(QLatin1String(abbreviation))
                        : QStringLiteral("unknown");
}

bool reportsPermissionProblem(const ProcessOutcome &outcome)
{
    for (const QByteArray *output : {&outcome.standardError, &outcome.standardOutput}) {
        if (output->contains("Permission denied") || output->contains("Operation not permitted") ||
            output->contains("EACCES") || output->contains("EPERM"))
            return true;
    }
    return false;
}

// "; it needs CAP_X, which the agent was not given …", or nothing.
QString capabilityHint(const PluginManifest &manifest, const ProcessOutcome &outcome)
{
    if (manifest.capabilities.isEmpty() || !reportsPermissionProblem(outcome))
        return {};
    const QString hint = missingCapabilitiesHint(manifest.capabilities);
    if (hint.isEmpty())
        return QStringLiteral(
                   " (this plugin needs %1, which the agent has; check the permissions of what it reads)")
            .arg(manifest.capabilities.join(QStringLiteral(", ")));
    return hint;
}

QString withStderr(const QString &message, const ProcessOutcome &outcome)
{
    const QString line = firstLine(outcome.standardError);
    return line.isEmpty() ? message : QStringLiteral("%1: %2").arg(message, line);
}

RunResult pluginError(const QString &message)
{
    return RunResult::failure(QStringLiteral("plugin_error"), message);
}

RunResult nagiosResult(const PluginManifest &manifest, const ProcessOutcome &outcome)
{
    // Some plugins print their complaint to stderr only.
    const bool quiet = outcome.standardOutput.trimmed().isEmpty();
    RunResult result =
        parseNagiosOutput(outcome.exitCode, quiet ? outcome.standardError : outcome.standardOutput);
    if (result.message.isEmpty())
        result.message = QStringLiteral("the plugin printed nothing (exit code %1)").arg(outcome.exitCode);
    if (outcome.exitCode != 0)
        result.message = (result.message + capabilityHint(manifest, outcome)).left(MaxRunMessageLength);
    return result;
}

RunResult execResult(const PluginManifest &manifest, const ProcessOutcome &outcome)
{
    if (outcome.exitCode != 0) {
        const QString line = firstLine(outcome.standardError);
        const QString detail = line.isEmpty() ? firstLine(outcome.standardOutput) : line;
        QString message = QStringLiteral("the plugin exited with code %1").arg(outcome.exitCode);
        if (!detail.isEmpty())
            message += QStringLiteral(": ") + detail;
        return pluginError(message + capabilityHint(manifest, outcome));
    }
    QString error;
    std::optional<RunResult> result = parseExecOutput(outcome.standardOutput, &error);
    if (!result) {
        if (outcome.truncated)
            error += QStringLiteral(" (the output was cut at %1 bytes)").arg(outcome.standardOutput.size());
        return pluginError(withStderr(error, outcome));
    }
    return *result;
}

} // namespace

QStringList expandCommandArguments(const QStringList &templates, const QJsonObject &arguments)
{
    static const QRegularExpression placeholder(QStringLiteral(R"(\{([A-Za-z_][A-Za-z0-9_]*)\})"));
    QStringList expanded;
    for (const QString &element : templates) {
        const QRegularExpressionMatch whole = placeholder.match(element);
        if (whole.hasMatch() && whole.capturedLength(0) == element.size()) {
            if (const std::optional<QString> text = argumentText(arguments.value(whole.captured(1))))
                expanded.append(*text);
            continue;
        }
        QString result;
        qsizetype last = 0;
        for (QRegularExpressionMatchIterator it = placeholder.globalMatch(element); it.hasNext();) {
            const QRegularExpressionMatch match = it.next();
            result += QStringView(element).mid(last, match.capturedStart(0) - last);
            result += argumentText(arguments.value(match.captured(1))).value_or(QString());
            last = match.capturedEnd(0);
        }
        result += QStringView(element).mid(last);
        expanded.append(result);
    }
    return expanded;
}

QProcessEnvironment pluginEnvironment(const QString &packageDirectory, const QJsonObject &arguments)
{
    QProcessEnvironment environment;
    environment.insert(QStringLiteral("PATH"), QString::fromLatin1(PluginPath));
    environment.insert(QStringLiteral("LANG"), QStringLiteral("C.UTF-8"));
    environment.insert(QStringLiteral("HOME"), packageDirectory);
    environment.insert(QStringLiteral("PROPHASIS_PLUGIN_DIR"), packageDirectory);
    for (auto it = arguments.begin(); it != arguments.end(); ++it) {
        const std::optional<QString> text = argumentText(it.value());
        if (!text)
            continue;
        QString name = it.key().toUpper();
        for (QChar &c : name) {
            if (!(c.isDigit() || (c >= u'A' && c <= u'Z') || c == u'_'))
                c = u'_';
        }
        environment.insert(QStringLiteral("PROPHASIS_ARG_") + name, *text);
    }
    return environment;
}

RunResult resultOfRun(const PluginManifest &manifest, int timeoutMs, const ProcessOutcome &outcome)
{
    RunResult result;
    if (!outcome.startError.isEmpty())
        result = pluginError(QStringLiteral("the plugin could not be started: %1").arg(outcome.startError));
    else if (outcome.timedOut)
        result = RunResult::failure(
            QStringLiteral("timeout"),
            QStringLiteral("the plugin did not finish within %1 s and was stopped").arg(seconds(timeoutMs)));
    else if (outcome.crashed)
        result = pluginError(withStderr(QStringLiteral("the plugin was killed by signal %1 (%2)")
                                            .arg(outcome.signalNumber)
                                            .arg(signalName(outcome.signalNumber)),
                                        outcome));
    else if (manifest.runtime == PluginRuntime::Nagios)
        result = nagiosResult(manifest, outcome);
    else
        result = execResult(manifest, outcome);
    result.truncated = result.truncated || outcome.truncated;
    result.durationMs = outcome.durationMs;
    result.pluginVersion = manifest.version;
    return result;
}

PluginExecutor::PluginExecutor(QObject *parent)
    : QObject(parent)
{
}

int PluginExecutor::runningCount() const
{
    int count = 0;
    for (const ProcessRunner *runner : findChildren<ProcessRunner *>(Qt::FindDirectChildrenOnly))
        count += runner->isRunning() ? 1 : 0;
    return count;
}

void PluginExecutor::run(const PluginManifest &manifest, const QString &packageDirectory,
                         const QJsonObject &resolvedArguments, int timeoutMs,
                         std::function<void(RunResult)> done)
{
    if (timeoutMs <= 0)
        timeoutMs = manifest.timeoutSeconds * 1000;
    const auto fail = [this, &manifest, &done](const QString &message) {
        RunResult result = pluginError(message);
        result.pluginVersion = manifest.version;
        QMetaObject::invokeMethod(
            this, [done = std::move(done), result] { done(result); }, Qt::QueuedConnection);
    };
    if (manifest.runtime != PluginRuntime::Exec && manifest.runtime != PluginRuntime::Nagios) {
        fail(QStringLiteral("runtime %1 is not run as a program").arg(enumName(manifest.runtime)));
        return;
    }

    const QString packageRoot = QDir::cleanPath(QDir(packageDirectory).absolutePath());
    QString program;
    if (manifest.runtime == PluginRuntime::Nagios && QDir::isAbsolutePath(manifest.entry)) {
        program = QDir::cleanPath(manifest.entry);
    } else {
        program = QDir::cleanPath(packageRoot + u'/' + manifest.entry);
        // The manifest is checked on install; this keeps a bad one from running anything else.
        if (QDir::isAbsolutePath(manifest.entry) || !program.startsWith(packageRoot + u'/')) {
            fail(QStringLiteral("the entry %1 is outside the package").arg(manifest.entry));
            return;
        }
    }

    ProcessSpec spec;
    spec.program = program;
    spec.arguments = expandCommandArguments(manifest.commandArguments, resolvedArguments);
    spec.workingDirectory = packageRoot;
    spec.environment = pluginEnvironment(packageRoot, resolvedArguments);
    if (manifest.runtime == PluginRuntime::Exec)
        spec.standardInput = QJsonDocument(resolvedArguments).toJson(QJsonDocument::Compact);
    spec.timeoutMs = timeoutMs;

    auto *runner = new ProcessRunner(this);
    connect(runner, &ProcessRunner::finished, this,
            [runner, manifest, timeoutMs, done = std::move(done)](const ProcessOutcome &outcome) {
                runner->deleteLater();
                done(resultOfRun(manifest, timeoutMs, outcome));
            });
    runner->start(spec);
}

} // namespace prophasis
