#include "daemon-agent/app/agentcommands.h"

#include <QCoreApplication>
#include <QHostAddress>
#include <QLoggingCategory>
#include <QTextStream>

#include "daemon-agent/app/agentconfig.h"
#include "shared/cli/commandline.h"
#include "shared/cli/signalwatcher.h"

namespace prophasis {

namespace {

Q_LOGGING_CATEGORY(lcAgent, "prophasis.agent")

const QCommandLineOption configDirOption(QStringLiteral("config-dir"),
                                         QStringLiteral("The agent's configuration folder (default: %1).")
                                             .arg(AgentConfig::defaultDirectory()),
                                         QStringLiteral("DIR"));

QString configDirectory(const QCommandLineParser &parser)
{
    return parser.isSet(configDirOption) ? parser.value(configDirOption) : AgentConfig::defaultDirectory();
}

int fail(const QString &message)
{
    QTextStream(stderr) << "prophasis-agent: " << message << '\n';
    return ExitFailure;
}

Subcommand initCommand()
{
    static const QCommandLineOption port(QStringLiteral("port"), QStringLiteral("HTTPS port (default 4048)."),
                                         QStringLiteral("P"));
    static const QCommandLineOption listen(QStringLiteral("listen"),
                                           QStringLiteral("Address to listen on (default: all)."),
                                           QStringLiteral("ADDR"));
    static const QCommandLineOption signatures(QStringLiteral("signatures"),
                                               QStringLiteral("Plugin signatures: off, verify-if-present "
                                                              "(default) or enforce."),
                                               QStringLiteral("MODE"));
    return {QStringLiteral("init"), QStringLiteral("Create the agent's configuration."),
            [](QCommandLineParser &parser) { parser.addOptions({configDirOption, port, listen, signatures}); },
            [](const QCommandLineParser &parser) {
                AgentConfig config;
                if (parser.isSet(port)) {
                    bool ok = false;
                    const uint value = parser.value(port).toUInt(&ok);
                    if (!ok || value == 0 || value > 65535)
                        return fail(QStringLiteral("--port must be a number from 1 to 65535"));
                    config.port = quint16(value);
                }
                if (parser.isSet(listen)) {
                    if (QHostAddress().setAddress(parser.value(listen)) == false)
                        return fail(QStringLiteral("--listen must be an IP address"));
                    config.listenAddress = parser.value(listen);
                }
                if (parser.isSet(signatures)) {
                    const auto mode = enumFromName<SignatureMode>(parser.value(signatures));
                    if (!mode)
                        return fail(QStringLiteral("--signatures must be one of: %1").arg(enumNameList<SignatureMode>()));
                    config.signatures = *mode;
                }
                const QString directory = configDirectory(parser);
                QString error;
                if (!config.save(directory, &error))
                    return fail(error);
                QTextStream(stdout) << "Configuration written to " << directory << '\n';
                return ExitOk;
            }};
}

Subcommand runCommand()
{
    return {QStringLiteral("run"), QStringLiteral("Run the agent in the foreground until SIGTERM or SIGINT."),
            [](QCommandLineParser &parser) { parser.addOption(configDirOption); },
            [](const QCommandLineParser &parser) {
                QString error;
                const std::optional<AgentConfig> config = AgentConfig::load(configDirectory(parser), &error);
                if (!config)
                    return fail(error);
                SignalWatcher signalWatcher;
                QObject::connect(&signalWatcher, &SignalWatcher::terminateRequested, [](int signalNumber) {
                    qCInfo(lcAgent) << "signal" << signalNumber << "received, stopping";
                    QCoreApplication::exit(ExitOk);
                });
                qCInfo(lcAgent) << "agent running with configuration from" << configDirectory(parser);
                return QCoreApplication::exec();
            }};
}

} // namespace

int runAgentCommandLine(const QStringList &arguments)
{
    return runSubcommand(arguments, QStringLiteral("Prophasis agent: runs monitoring plugins for the Prophasis core."),
                         {initCommand(), runCommand()});
}

} // namespace prophasis
