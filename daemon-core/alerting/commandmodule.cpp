#include "daemon-core/alerting/commandmodule.h"

#include <QEventLoop>
#include <QJsonDocument>
#include <QTimer>

#include <memory>

#include "daemon-agent/runner/processrunner.h"
#include "daemon-core/alerting/moduleoptions.h"
#include "shared/domain/validation.h"
#include "shared/json/jsonreader.h"

namespace prophasis {

namespace {

// One environment string may not exceed 128 KiB on Linux (MAX_ARG_STRLEN); stay well below.
constexpr qsizetype MaxVariableCharacters = 32 * 1024;
constexpr qsizetype StderrTailBytes = 500;
constexpr int CancelPollMs = 100;

QString capped(const QString &text)
{
    return text.size() <= MaxVariableCharacters ? text : text.left(MaxVariableCharacters - 1) + u'…';
}

QString stderrTail(const QByteArray &standardError)
{
    const QByteArray tail = standardError.right(StderrTailBytes);
    QString text = QString::fromUtf8(tail).simplified();
    if (standardError.size() > StderrTailBytes)
        text.prepend(u'…');
    return text;
}

} // namespace

std::optional<CommandSettings> CommandSettings::read(const Alert &alert, FieldErrors &errors)
{
    const qsizetype before = errors.list().size();
    ModuleOptionReader reader(
        alert, errors, {QStringLiteral("program"), QStringLiteral("arguments"), QStringLiteral("timeout_s")},
        {ModuleOptionReader::AnySecretName});
    CommandSettings settings;
    settings.program = reader.options().string(QStringLiteral("program"), {}, true);
    if (settings.program.contains(u'/') && !settings.program.startsWith(u'/'))
        reader.error(QStringLiteral("program"),
                     QStringLiteral("must be an absolute path or a name found in PATH"));
    settings.arguments = reader.options().stringList(QStringLiteral("arguments"));
    settings.timeoutSeconds = reader.timeoutSeconds(DefaultCommandTimeoutSeconds, MaxCommandTimeoutSeconds);
    for (auto it = alert.secrets.constBegin(); it != alert.secrets.constEnd(); ++it) {
        if (!isValidVariableName(it.key()))
            reader.secretError(it.key(),
                               QStringLiteral("a secret's name becomes part of an environment variable: "
                                              "letters, digits and _, not starting with a digit"));
    }
    if (errors.list().size() != before)
        return std::nullopt;
    return settings;
}

QProcessEnvironment commandEnvironment(const Alert &alert, const AlertNotification &notification)
{
    QProcessEnvironment environment;
    const QProcessEnvironment core = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("PATH"),
                       core.value(QStringLiteral("PATH"), QStringLiteral("/usr/local/bin:/usr/bin:/bin")));
    for (const QString &name : {QStringLiteral("HOME"), QStringLiteral("TMPDIR")}) {
        if (core.contains(name))
            environment.insert(name, core.value(name));
    }
    environment.insert(QStringLiteral("LANG"), QStringLiteral("C.UTF-8"));

    const auto set = [&environment](const QString &name, const QString &value) {
        environment.insert(QStringLiteral("PROPHASIS_") + name, capped(value));
    };
    set(QStringLiteral("ALERT_ID"), toJsonId(notification.alertId));
    set(QStringLiteral("ALERT_NAME"), notification.alertName);
    set(QStringLiteral("TEST"), notification.isTest() ? QStringLiteral("1") : QStringLiteral("0"));
    set(QStringLiteral("SUBJECT_TYPE"), notification.subjectType());
    set(QStringLiteral("SUBJECT_ID"),
        notification.subjectId.isNull() ? QString() : toJsonId(notification.subjectId));
    set(QStringLiteral("NAME"), notification.subjectName);
    set(QStringLiteral("HOST_ADDRESS"), notification.hostAddress);
    set(QStringLiteral("FROM"), enumName(notification.from));
    set(QStringLiteral("TO"), enumName(notification.to));
    set(QStringLiteral("TIME"), toJsonTime(notification.time));
    set(QStringLiteral("TIME_EPOCH"), QString::number(notification.time.toSecsSinceEpoch()));
    set(QStringLiteral("SUMMARY"), notification.summary());
    set(QStringLiteral("TEXT"), notification.textBody());
    set(QStringLiteral("JSON"),
        QString::fromUtf8(QJsonDocument(notification.toJson()).toJson(QJsonDocument::Compact)));
    set(QStringLiteral("CAUSE_COUNT"), QString::number(notification.causes.size()));
    for (qsizetype i = 0; i < std::min<qsizetype>(notification.causes.size(), MaxCommandCauseVariables);
         ++i) {
        const AlertCause &cause = notification.causes.at(i);
        const QString prefix = QStringLiteral("CAUSE_%1_").arg(i + 1);
        set(prefix + QStringLiteral("HOST"), cause.hostName);
        set(prefix + QStringLiteral("CHECK"), cause.checkName);
        set(prefix + QStringLiteral("PLUGIN"), cause.pluginName);
        if (!cause.hasResult)
            continue;
        set(prefix + QStringLiteral("CLASSIFICATION"), enumName(cause.classification));
        set(prefix + QStringLiteral("RESULT_TYPE"), enumName(cause.resultType));
        set(prefix + QStringLiteral("VALUE"), cause.value ? QString::number(*cause.value) : QString());
        set(prefix + QStringLiteral("MESSAGE"), cause.message);
    }
    for (auto it = alert.secrets.constBegin(); it != alert.secrets.constEnd(); ++it)
        set(QStringLiteral("SECRET_") + it.key().toUpper(), it.value());
    return environment;
}

FieldErrors CommandModule::validate(const Alert &alert) const
{
    FieldErrors errors;
    CommandSettings::read(alert, errors);
    return errors;
}

DeliveryResult CommandModule::deliver(const Alert &alert, const AlertNotification &notification,
                                      const DeliveryContext &context) const
{
    FieldErrors errors;
    const std::optional<CommandSettings> settings = CommandSettings::read(alert, errors);
    if (!settings)
        return DeliveryResult::failure(QStringLiteral("the command is not configured: ") + errors.summary());

    ProcessSpec spec;
    spec.program = settings->program;
    spec.arguments = settings->arguments;
    spec.environment = commandEnvironment(alert, notification);
    spec.timeoutMs = settings->timeoutSeconds * 1000;
    spec.outputCapBytes = 64 * 1024;

    // Delivery threads have no event loop of their own: this one lives for one run. Nothing else
    // is posted to this thread, so nothing else can run inside it.
    QEventLoop loop;
    auto runner = std::make_unique<ProcessRunner>();
    std::optional<ProcessOutcome> outcome;
    QObject::connect(runner.get(), &ProcessRunner::finished, &loop, [&](const ProcessOutcome &finished) {
        outcome = finished;
        loop.quit();
    });
    QTimer cancelPoll;
    QObject::connect(&cancelPoll, &QTimer::timeout, &loop, [&] {
        if (context.cancelled())
            loop.quit();
    });
    cancelPoll.start(CancelPollMs);
    runner->start(spec);
    if (!outcome)
        loop.exec();
    if (!outcome) {
        runner.reset(); // kills the run's process group
        return DeliveryResult::failure(
            QStringLiteral("cancelled: the core is stopping; %1 was killed").arg(settings->program));
    }
    if (!outcome->startError.isEmpty())
        return DeliveryResult::failure(QStringLiteral("cannot run the command: ") + outcome->startError);
    if (outcome->timedOut)
        return DeliveryResult::failure(
            QStringLiteral("%1 did not finish within %2 s; its process group was killed")
                .arg(settings->program)
                .arg(settings->timeoutSeconds));
    const QString tail = stderrTail(outcome->standardError);
    const QString tailPart = tail.isEmpty() ? QString() : QStringLiteral(": ") + tail;
    if (outcome->crashed)
        return DeliveryResult::failure(QStringLiteral("%1 was ended by signal %2%3")
                                           .arg(settings->program)
                                           .arg(outcome->signalNumber)
                                           .arg(tailPart));
    if (outcome->exitCode != 0)
        return DeliveryResult::failure(QStringLiteral("%1 exited with code %2%3")
                                           .arg(settings->program)
                                           .arg(outcome->exitCode)
                                           .arg(tailPart));
    return DeliveryResult::success();
}

} // namespace prophasis
