#include "daemon-agent/app/agentcommands.h"

#include <QCoreApplication>
#include <QDir>
#include <QHostAddress>
#include <QHostInfo>
#include <QLoggingCategory>
#include <QTextStream>

#include "daemon-agent/app/agentconfig.h"
#include "daemon-agent/app/agentservice.h"
#include "daemon-agent/app/joinclient.h"
#include "shared/cli/commandline.h"
#include "shared/cli/signalwatcher.h"
#include "shared/domain/validation.h"
#include "shared/enrollment/pairingstrings.h"
#include "shared/package/signatureverifier.h"
#include "shared/tls/identity.h"

namespace prophasis {

namespace {

Q_LOGGING_CATEGORY(lcAgent, "prophasis.agent")

const QCommandLineOption configDirOption(QStringLiteral("config-dir"),
                                         QStringLiteral("The agent's configuration folder (default: %1).")
                                             .arg(AgentConfig::defaultDirectory()),
                                         QStringLiteral("DIR"));

QString configDirectory(const QCommandLineParser &parser)
{
    return QDir(parser.isSet(configDirOption) ? parser.value(configDirOption) : AgentConfig::defaultDirectory())
        .absolutePath();
}

int fail(const QString &message)
{
    QTextStream(stderr) << "prophasis-agent: " << message << '\n';
    return ExitFailure;
}

// The address a core reaches this agent at: the listen address when it is a specific one,
// otherwise the machine's fully qualified name.
QString defaultAdvertisedHost(const AgentConfig &config)
{
    const QHostAddress listen(config.listenAddress);
    if (listen != QHostAddress::AnyIPv6 && listen != QHostAddress::AnyIPv4 && listen != QHostAddress::Any)
        return listen.toString();
    const QString domain = QHostInfo::localDomainName();
    const QString host = QHostInfo::localHostName();
    return domain.isEmpty() ? host : host + u'.' + domain;
}

// Opens a fresh enrollment: a new one-time token, stored only as its hash.
QString openEnrollment(AgentConfig &config)
{
    const QString token = generatePairingToken();
    config.enrollmentTokenHash = pairingTokenHash(token);
    config.enrollmentTokenExpires = QDateTime::currentDateTimeUtc().addSecs(EnrollmentTokenValiditySeconds);
    return token;
}

// Prints how to pair, with the enrollment string as the last line (scripts take the last line).
int printEnrollment(const AgentConfig &config, const QString &token)
{
    QString error;
    const std::optional<TlsIdentity> identity = TlsIdentity::load(config.keyFile(), config.certificateFile(), &error);
    if (!identity)
        return fail(error);
    const EnrollmentString enrollment{config.advertisedHost, config.port, spkiSha256(identity->certificate), token};
    QTextStream(stdout) << "Agent key fingerprint (SHA-256): " << enrollment.spkiSha256 << '\n'
                        << "Paste this enrollment string into the Prophasis console (Hosts > Add) within "
                        << EnrollmentTokenValiditySeconds / 3600 << " hours; it works once:\n"
                        << enrollment.encode() << '\n';
    return ExitOk;
}

Subcommand initCommand()
{
    static const QCommandLineOption port(QStringLiteral("port"), QStringLiteral("HTTPS port (default 4048)."),
                                         QStringLiteral("P"));
    static const QCommandLineOption listen(QStringLiteral("listen"),
                                           QStringLiteral("Address to listen on (default: all)."),
                                           QStringLiteral("ADDR"));
    static const QCommandLineOption advertise(QStringLiteral("advertise"),
                                              QStringLiteral("Host name or address the core reaches this agent at "
                                                             "(default: the listen address, or this machine's name)."),
                                              QStringLiteral("HOST"));
    static const QCommandLineOption signatures(QStringLiteral("signatures"),
                                               QStringLiteral("Plugin signatures: off, verify-if-present "
                                                              "(default) or enforce."),
                                               QStringLiteral("MODE"));
    static const QCommandLineOption join(QStringLiteral("join"),
                                         QStringLiteral("Register with the core named by this join string (issued in "
                                                        "the console) and wait there as pending, instead of printing "
                                                        "an enrollment string."),
                                         QStringLiteral("JOIN_STRING"));
    static const QCommandLineOption force(QStringLiteral("force"),
                                          QStringLiteral("Start over: a new key pair, forgetting every pinned core."));
    return {QStringLiteral("init"),
            QStringLiteral("Create the agent's key pair, certificate and configuration; print an enrollment string."),
            [](QCommandLineParser &parser) {
                parser.addOptions({configDirOption, port, listen, advertise, signatures, join, force});
            },
            [](const QCommandLineParser &parser) {
                AgentConfig config;
                config.directory = configDirectory(parser);
                if (QFile::exists(config.configFile()) && !parser.isSet(force))
                    return fail(QStringLiteral("%1 is set up already. For a new enrollment string run "
                                               "'prophasis-agent new-token'; to start over with a new key, add --force.")
                                    .arg(config.directory));
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
                config.advertisedHost = parser.isSet(advertise) ? parser.value(advertise) : defaultAdvertisedHost(config);
                if (!isValidHostAddress(config.advertisedHost))
                    return fail(QStringLiteral("'%1' is not a host name or address a core could reach; give one with "
                                               "--advertise")
                                    .arg(config.advertisedHost));

                QString error;
                std::optional<JoinString> joinString;
                if (parser.isSet(join)) {
                    joinString = JoinString::decode(parser.value(join), &error);
                    if (!joinString)
                        return fail(error);
                }
                if (!QDir().mkpath(config.directory))
                    return fail(QStringLiteral("cannot create the folder %1").arg(config.directory));
                QFile::setPermissions(config.directory, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
                const TlsIdentity identity = TlsIdentity::generate(config.advertisedHost, {config.advertisedHost});
                if (identity.isNull())
                    return fail(QStringLiteral("cannot generate a key pair"));
                if (!identity.save(config.keyFile(), config.certificateFile(), &error))
                    return fail(error);
                QTextStream out(stdout);
                if (joinString) {
                    if (!JoinClient::registerAgent(*joinString, config, identity, &error))
                        return fail(error + QStringLiteral(" (nothing was registered; run this command again to retry)"));
                    if (!config.save(&error))
                        return fail(error);
                    out << "Agent configured in " << config.directory << " and registered with the core at "
                        << joinString->core.toDisplayString() << ".\nAn admin accepts it in the console (Hosts > "
                        << "Pending agents); its key fingerprint is " << spkiSha256(identity.certificate) << '\n';
                    return ExitOk;
                }
                const QString token = openEnrollment(config);
                if (!config.save(&error))
                    return fail(error);
                out << "Agent configured in " << config.directory << " (listening on " << config.listenAddress
                    << " port " << config.port << ")\n";
                out.flush();
                return printEnrollment(config, token);
            }};
}

Subcommand newTokenCommand()
{
    return {QStringLiteral("new-token"),
            QStringLiteral("Issue a fresh one-time enrollment token and print a new enrollment string."),
            [](QCommandLineParser &parser) { parser.addOption(configDirOption); },
            [](const QCommandLineParser &parser) {
                QString error;
                std::optional<AgentConfig> config = AgentConfig::load(configDirectory(parser), &error);
                if (!config)
                    return fail(error);
                const QString token = openEnrollment(*config);
                if (!config->save(&error))
                    return fail(error);
                return printEnrollment(*config, token);
            }};
}

Subcommand trustKeyCommand()
{
    return {QStringLiteral("trust-key"),
            QStringLiteral("Import an OpenPGP public key and trust its primary key for plugin signatures."),
            [](QCommandLineParser &parser) {
                parser.addOption(configDirOption);
                parser.addPositionalArgument(QStringLiteral("FILE"), QStringLiteral("The public key (armoured or binary)."));
            },
            [](const QCommandLineParser &parser) {
                if (parser.positionalArguments().size() != 1)
                    return fail(QStringLiteral("trust-key needs exactly one FILE"));
                QString error;
                std::optional<AgentConfig> config = AgentConfig::load(configDirectory(parser), &error);
                if (!config)
                    return fail(error);
                QFile file(parser.positionalArguments().constFirst());
                if (!file.open(QIODevice::ReadOnly))
                    return fail(QStringLiteral("cannot read %1: %2").arg(file.fileName(), file.errorString()));
                if (!QDir().mkpath(config->keyringDirectory()))
                    return fail(QStringLiteral("cannot create the keyring folder %1").arg(config->keyringDirectory()));
                QFile::setPermissions(config->keyringDirectory(), QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
                SignatureVerifier verifier(config->keyringDirectory());
                const std::optional<QString> fingerprint = verifier.importPublicKey(file.read(1024 * 1024), &error);
                if (!fingerprint)
                    return fail(QStringLiteral("%1: %2").arg(file.fileName(), error));
                if (!config->trustedSigners.contains(*fingerprint))
                    config->trustedSigners.append(*fingerprint);
                if (!config->save(&error))
                    return fail(error);
                QTextStream(stdout) << "Trusted for plugin signatures: " << *fingerprint
                                    << "\nA running agent applies it on SIGHUP or restart.\n";
                return ExitOk;
            }};
}

Subcommand runCommand()
{
    return {QStringLiteral("run"), QStringLiteral("Run the agent in the foreground until SIGTERM or SIGINT."),
            [](QCommandLineParser &parser) { parser.addOption(configDirOption); },
            [](const QCommandLineParser &parser) {
                QString error;
                std::optional<AgentConfig> config = AgentConfig::load(configDirectory(parser), &error);
                if (!config)
                    return fail(error);
                std::optional<TlsIdentity> identity = TlsIdentity::load(config->keyFile(), config->certificateFile(), &error);
                if (!identity)
                    return fail(error);
                AgentService service(std::move(*config), std::move(*identity));
                if (!service.start(&error))
                    return fail(error);
                SignalWatcher signalWatcher;
                QObject::connect(&signalWatcher, &SignalWatcher::terminateRequested, [](int signalNumber) {
                    qCInfo(lcAgent) << "signal" << signalNumber << "received, stopping";
                    QCoreApplication::exit(ExitOk);
                });
                QObject::connect(&signalWatcher, &SignalWatcher::reloadRequested, &service, &AgentService::reload);
                qCInfo(lcAgent) << "agent running";
                return QCoreApplication::exec();
            }};
}

} // namespace

int runAgentCommandLine(const QStringList &arguments)
{
    return runSubcommand(arguments, QStringLiteral("Prophasis agent: runs monitoring plugins for the Prophasis core."),
                         {initCommand(), runCommand(), newTokenCommand(), trustKeyCommand()});
}

} // namespace prophasis
