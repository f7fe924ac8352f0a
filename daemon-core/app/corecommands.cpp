#include "daemon-core/app/corecommands.h"

#include <QCoreApplication>
#include <QDir>
#include <QEventLoop>
#include <QLoggingCategory>
#include <QTextStream>
#include <QTimer>

#include "daemon-core/alerting/alertservice.h"
#include "daemon-core/api/apiguard.h"
#include "daemon-core/api/eventstream.h"
#include "daemon-core/api/managementapi.h"
#include "daemon-core/app/coreconfig.h"
#include "daemon-core/app/corehttpsserver.h"
#include "daemon-core/app/enginehealth.h"
#include "daemon-core/auth/authenticator.h"
#include "daemon-core/auth/passwordhasher.h"
#include "daemon-core/engine/coreengine.h"
#include "daemon-core/health/corehealth.h"
#include "daemon-core/health/healthzroute.h"
#include "daemon-core/health/systemdnotifier.h"
#include "daemon-core/metrics/alertdeliverytally.h"
#include "daemon-core/metrics/coremetrics.h"
#include "daemon-core/metrics/prometheuswriter.h"
#include "daemon-core/reports/enginehealthsource.h"
#include "daemon-core/statuspage/statusroutes.h"
#include "daemon-core/storage/database.h"
#include "daemon-core/storage/logstore.h"
#include "daemon-core/storage/migrations.h"
#include "daemon-core/storage/resultwriter.h"
#include "daemon-core/storage/secretbox.h"
#include "daemon-core/storage/storageerror.h"
#include "daemon-core/storage/storageexecutor.h"
#include "daemon-core/storage/userstore.h"
#include "daemon-core/storage/whenready.h"
#include "shared/cli/commandline.h"
#include "shared/cli/signalwatcher.h"

namespace prophasis {

namespace {

Q_LOGGING_CATEGORY(lcCore, "prophasis.core")

const QCommandLineOption dataDirOption(QStringLiteral("data-dir"),
                                       QStringLiteral("The core's data folder (database, keys, settings)."),
                                       QStringLiteral("DIR"));
const QCommandLineOption portOption(QStringLiteral("port"),
                                    QStringLiteral("HTTPS port for the API and /healthz (default 4049)."),
                                    QStringLiteral("P"));
const QCommandLineOption listenOption(QStringLiteral("listen"),
                                      QStringLiteral("Address to listen on (default: all, IPv6 and IPv4)."),
                                      QStringLiteral("ADDR"));
const QCommandLineOption statusListenOption(QStringLiteral("status-listen"),
                                            QStringLiteral("A listener of its own for the status page, "
                                                           "e.g. 0.0.0.0:8443 or [::]:8443, so publishing "
                                                           "the page does not publish the API."),
                                            QStringLiteral("ADDR:PORT"));
const QCommandLineOption
    tlsCertOption(QStringLiteral("tls-cert"),
                  QStringLiteral("Certificate (PEM) the HTTPS port presents instead of the "
                                 "core's own; re-read on SIGHUP."),
                  QStringLiteral("F"));
const QCommandLineOption tlsKeyOption(QStringLiteral("tls-key"),
                                      QStringLiteral("Private key (PEM) of --tls-cert."),
                                      QStringLiteral("F"));

int fail(const QString &message)
{
    QTextStream(stderr) << "prophasis-core: " << message << '\n';
    return ExitFailure;
}

std::optional<QString> requireDataDir(const QCommandLineParser &parser)
{
    if (!parser.isSet(dataDirOption) || parser.value(dataDirOption).isEmpty())
        return std::nullopt;
    return QDir(parser.value(dataDirOption)).absolutePath();
}

// Reads the first admin's password from a file (first line), or generates one.
std::optional<QString> adminPassword(const QCommandLineParser &parser, const QCommandLineOption &file,
                                     bool *generated, QString *error)
{
    *generated = !parser.isSet(file);
    if (*generated)
        return PasswordHasher::generatePassword();
    QFile input(parser.value(file));
    if (!input.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot read the admin password file %1: %2")
                     .arg(input.fileName(), input.errorString());
        return std::nullopt;
    }
    const QString password = QString::fromUtf8(input.readLine()).remove(u'\n').remove(u'\r');
    if (password.size() < MinimumPasswordLength) {
        *error = QStringLiteral("the admin password in %1 is shorter than %2 characters")
                     .arg(input.fileName())
                     .arg(MinimumPasswordLength);
        return std::nullopt;
    }
    return password;
}

// Creates the user "admin" unless an enabled admin exists already (init run again).
bool createFirstAdmin(Database &db, const QString &password)
{
    UserStore users(db);
    if (users.countEnabledAdmins() > 0)
        return false;
    User admin;
    admin.username = QStringLiteral("admin");
    admin.fullName = QStringLiteral("Administrator");
    admin.role = Role::Admin;
    admin.passwordHash = PasswordHasher::hash(password);
    users.create(admin);
    return true;
}

Subcommand initCommand()
{
    static const QCommandLineOption database(QStringLiteral("database"),
                                             QStringLiteral("PostgreSQL URL postgresql://user@host:port/db "
                                                            "(default: SQLite in the data folder)."),
                                             QStringLiteral("URL"));
    static const QCommandLineOption databaseUrlFile(QStringLiteral("database-url-file"),
                                                    QStringLiteral("File holding the database URL, so a "
                                                                   "password never shows in 'ps'."),
                                                    QStringLiteral("F"));
    static const QCommandLineOption adminPasswordFile(QStringLiteral("admin-password-file"),
                                                      QStringLiteral("File holding the first admin's "
                                                                     "password (default: generate one)."),
                                                      QStringLiteral("F"));
    return {QStringLiteral("init"), QStringLiteral("Create the core's database, keys and first admin."),
            [](QCommandLineParser &parser) {
                parser.addOptions({dataDirOption, database, databaseUrlFile, adminPasswordFile});
            },
            [](const QCommandLineParser &parser) {
                const std::optional<QString> dataDir = requireDataDir(parser);
                if (!dataDir)
                    return fail(QStringLiteral("init needs --data-dir DIR"));
                if (parser.isSet(database) && parser.isSet(databaseUrlFile))
                    return fail(QStringLiteral("give --database or --database-url-file, not both"));
                if (!QDir().mkpath(*dataDir))
                    return fail(QStringLiteral("cannot create the data folder %1").arg(*dataDir));
                QFile::setPermissions(*dataDir, QFileDevice::ReadOwner | QFileDevice::WriteOwner |
                                                    QFileDevice::ExeOwner);

                CoreConfig config;
                config.dataDirectory = *dataDir;
                config.databaseUrl = parser.value(database);
                if (parser.isSet(databaseUrlFile))
                    config.databaseUrlFile = QFileInfo(parser.value(databaseUrlFile)).absoluteFilePath();
                QString error;
                const std::optional<DatabaseConfig> databaseConfig = config.database(&error);
                if (!databaseConfig)
                    return fail(error);
                if (!SecretBox::loadOrCreateKey(QDir(*dataDir).filePath(SecretsKeyFileName), &error))
                    return fail(error);
                bool identityCreated = false;
                const std::optional<TlsIdentity> identity =
                    config.loadOrCreateIdentity(&identityCreated, &error);
                if (!identity)
                    return fail(error);
                bool generated = false;
                const std::optional<QString> password =
                    adminPassword(parser, adminPasswordFile, &generated, &error);
                if (!password)
                    return fail(error);
                bool adminCreated = false;
                try {
                    StorageExecutor storage(*databaseConfig, 1);
                    adminCreated = storage.runAndWait([&](Database &db) {
                        migrate(db);
                        return createFirstAdmin(db, *password);
                    });
                } catch (const StorageError &storageError) {
                    return fail(storageError.message());
                }
                if (!config.save(&error))
                    return fail(error);
                QTextStream out(stdout);
                out << "Database ready: " << databaseConfig->displayName() << '\n'
                    << "Data folder: " << *dataDir << '\n'
                    << "Core key fingerprint (SHA-256 of its public key): "
                    << spkiSha256(identity->certificate) << (identityCreated ? "" : " (kept)") << '\n';
                if (!adminCreated)
                    out << "An admin exists already; no user was changed.\n";
                else if (generated)
                    out << "Admin user: admin\nAdmin password: " << *password
                        << "\n(shown only now: keep it somewhere safe)\n";
                else
                    out << "Admin user: admin (password from " << parser.value(adminPasswordFile) << ")\n";
                return ExitOk;
            }};
}

// Migrates the database, waiting while it is unavailable: systemd may start the core before
// PostgreSQL, and a core that gave up would need a restart by hand. Retries with backoff up to
// 30 s; a signal ends the wait. Returns the exit code when the core must not go on.
std::optional<int> waitForDatabase(StorageExecutor &storage, const DatabaseConfig &database,
                                   SignalWatcher &signalWatcher, CoreHealth &health)
{
    const QString component(HealthComponent::Database);
    bool stopRequested = false;
    QEventLoop pause;
    const QMetaObject::Connection stopping =
        QObject::connect(&signalWatcher, &SignalWatcher::terminateRequested, &pause, [&](int signalNumber) {
            qCInfo(lcCore) << "signal" << signalNumber << "received while waiting for the database, stopping";
            stopRequested = true;
            pause.quit();
        });
    int delayMs = 1000;
    for (bool first = true;; first = false) {
        try {
            storage.runAndWait([](Database &db) { migrate(db); });
            QObject::disconnect(stopping);
            health.report(component, true, QStringLiteral("reachable"));
            if (!first)
                qCInfo(lcCore).noquote() << "the database" << database.displayName() << "is available";
            return std::nullopt;
        } catch (const StorageError &error) {
            if (error.kind() != StorageError::Kind::Unavailable)
                return fail(error.message());
            health.report(component, false, QStringLiteral("unreachable"));
            qCWarning(lcCore).noquote() << "waiting for the database:" << error.message()
                                        << "- trying again in" << delayMs / 1000 << "s";
        }
        QTimer::singleShot(delayMs, &pause, &QEventLoop::quit);
        pause.exec();
        if (stopRequested)
            return ExitOk;
        delayMs = std::min(delayMs * 2, 30'000);
    }
}

// The options of `run` that shape the HTTPS port (SPEC §9); nullopt with *error when one is wrong.
std::optional<CoreListenOptions> listenOptions(const QCommandLineParser &parser, const CoreConfig &config,
                                               QString *error)
{
    CoreListenOptions options;
    if (parser.isSet(portOption)) {
        bool ok = false;
        const uint port = parser.value(portOption).toUInt(&ok);
        if (!ok || port > 65535) {
            *error = QStringLiteral("--port must be a number from 1 to 65535 (0: any free port)");
            return std::nullopt;
        }
        options.port = quint16(port);
    }
    if (parser.isSet(listenOption)) {
        const QHostAddress address(parser.value(listenOption));
        if (address.isNull()) {
            *error = QStringLiteral("--listen must be an IP address, e.g. 127.0.0.1 or ::");
            return std::nullopt;
        }
        options.address = address; // "::" is every address, IPv4 too (HttpsServer::listen)
    }
    if (parser.isSet(tlsCertOption) != parser.isSet(tlsKeyOption)) {
        *error = QStringLiteral("give --tls-cert and --tls-key together");
        return std::nullopt;
    }
    if (parser.isSet(tlsCertOption)) {
        options.certificateFile = QFileInfo(parser.value(tlsCertOption)).absoluteFilePath();
        options.keyFile = QFileInfo(parser.value(tlsKeyOption)).absoluteFilePath();
    } else {
        options.certificateFile = config.identityCertificateFile();
        options.keyFile = config.identityKeyFile();
    }
    return options;
}

QString runningStatus(const CoreEngine &engine)
{
    const std::shared_ptr<const Configuration> configuration = engine.configuration();
    QString status = QStringLiteral("running: %1 hosts, %2 series")
                         .arg(configuration ? configuration->hosts.size() : 0)
                         .arg(engine.scheduler().seriesCount());
    if (!engine.resultWriter().databaseAvailable())
        status += QStringLiteral("; the database is unreachable, results wait in the spool");
    return status;
}

// --status-listen ADDR:PORT ("[::]:8443" for IPv6): the status page's own listener, with the
// main port's certificate and limits. nullopt without the option; *error when it is wrong.
std::optional<CoreListenOptions> statusListenOptions(const QCommandLineParser &parser,
                                                     const CoreListenOptions &main, QString *error)
{
    if (!parser.isSet(statusListenOption))
        return std::nullopt;
    const QString text = parser.value(statusListenOption).trimmed();
    const qsizetype colon = text.lastIndexOf(u':');
    QString host = text.left(colon);
    if (host.startsWith(u'[') && host.endsWith(u']'))
        host = host.mid(1, host.size() - 2);
    bool ok = false;
    const uint port = text.mid(colon + 1).toUInt(&ok);
    const QHostAddress address(host);
    if (colon <= 0 || !ok || port == 0 || port > 65535 || address.isNull()) {
        *error = QStringLiteral("--status-listen must be ADDR:PORT, e.g. 0.0.0.0:8443 or [::]:8443");
        return std::nullopt;
    }
    CoreListenOptions options = main;
    options.address = address;
    options.port = quint16(port);
    return options;
}

// SIGHUP: the HTTPS port's certificate is read again. A failure keeps the old one and goes to
// the system log too: a renewal hook sends SIGHUP with nobody watching the terminal.
void reloadCertificate(CoreHttpsServer &server, StorageExecutor &storage)
{
    QString error;
    if (server.reloadCertificate(&error))
        return;
    qCWarning(lcCore).noquote() << "SIGHUP: keeping the current certificate:" << error;
    LogEntry entry;
    entry.severity = LogSeverity::Error;
    entry.category = LogCategory::Core;
    entry.foldKey = QStringLiteral("core|certificate-reload");
    entry.message =
        QStringLiteral("the HTTPS certificate was not reloaded, the old one is still served: %1").arg(error);
    recordInSystemLog(storage, &server, entry);
}

Subcommand runCommand()
{
    return {
        QStringLiteral("run"), QStringLiteral("Run the core in the foreground until SIGTERM or SIGINT."),
        [](QCommandLineParser &parser) {
            parser.addOptions(
                {dataDirOption, portOption, listenOption, statusListenOption, tlsCertOption, tlsKeyOption});
        },
        [](const QCommandLineParser &parser) {
            const QDateTime processStarted = QDateTime::currentDateTimeUtc();
            const std::optional<QString> dataDir = requireDataDir(parser);
            if (!dataDir)
                return fail(QStringLiteral("run needs --data-dir DIR"));
            QString error;
            const std::optional<CoreConfig> config = CoreConfig::load(*dataDir, &error);
            if (!config)
                return fail(error);
            const std::optional<CoreListenOptions> listen = listenOptions(parser, *config, &error);
            if (!listen)
                return fail(error);
            QString statusListenError;
            const std::optional<CoreListenOptions> statusListen =
                statusListenOptions(parser, *listen, &statusListenError);
            if (!statusListenError.isEmpty())
                return fail(statusListenError);
            const std::optional<DatabaseConfig> databaseConfig = config->database(&error);
            if (!databaseConfig)
                return fail(error);
            // A data folder made before the core had an identity gets one now.
            bool identityCreated = false;
            const std::optional<TlsIdentity> identity =
                config->loadOrCreateIdentity(&identityCreated, &error);
            if (!identity)
                return fail(error);
            if (identityCreated)
                qCInfo(lcCore).noquote()
                    << "made the core's key pair, fingerprint" << spkiSha256(identity->certificate);

            // The port opens first: a port taken fails at once, and /healthz says "waiting for
            // the database" while the core waits for it.
            CoreHealth health;
            health.report(QString(HealthComponent::Engine), false,
                          QStringLiteral("waiting for the database"));
            SystemdNotifier systemd;
            CoreHttpsServer server(*listen);
            server.routes().add(QByteArrayLiteral("GET"), QStringLiteral("/healthz"), healthzHandler(health));
            if (!server.start(&error))
                return fail(error);
            systemd.notifyStatus(QStringLiteral("waiting for the database"));

            StorageExecutor storage(*databaseConfig);
            SignalWatcher signalWatcher;
            // The status page's own listener opens as early, for the same reason.
            std::unique_ptr<CoreHttpsServer> statusServer;
            if (statusListen) {
                statusServer = std::make_unique<CoreHttpsServer>(*statusListen);
                if (!statusServer->start(&error))
                    return fail(QStringLiteral("--status-listen: %1").arg(error));
            }
            QObject::connect(&signalWatcher, &SignalWatcher::reloadRequested, &server, [&] {
                reloadCertificate(server, storage);
                if (statusServer)
                    reloadCertificate(*statusServer, storage);
            });
            if (const std::optional<int> exitCode =
                    waitForDatabase(storage, *databaseConfig, signalWatcher, health))
                return *exitCode;
            const std::optional<QByteArray> secretsKey =
                SecretBox::loadOrCreateKey(QDir(*dataDir).filePath(SecretsKeyFileName), &error);
            if (!secretsKey)
                return fail(error);
            EngineOptions options;
            options.spoolDirectory = QDir(*dataDir).filePath(QStringLiteral("spool"));
            options.retention = {config->retentionRawDays, config->retentionRollupDays};
            CoreEngine engine(storage, SecretBox(*secretsKey), *identity, options);
            watchEngineHealth(health, engine);
            // The management API (SPEC §5, §9); its changes apply at once, not at the next poll.
            Authenticator authenticator(storage);
            // Ended sessions answer "expired" until their rows go: hourly.
            QTimer sessionCleanup;
            sessionCleanup.setInterval(std::chrono::hours(1));
            QObject::connect(&sessionCleanup, &QTimer::timeout, &engine,
                             [&authenticator] { authenticator.removeExpiredSessions(); });
            sessionCleanup.start();
            const ApiGuard guard(authenticator, &engine);
            const SecretBox secrets(*secretsKey);
            const EngineHealthSource healthSource(engine);
            EventStream events(storage, healthSource);
            QObject::connect(&engine, &CoreEngine::healthChanged, &events, &EventStream::publishHealthChange);
            mountManagementApi(server.routes(),
                               ManagementApiParts{storage, authenticator, engine, secrets, healthSource,
                                                  events, *identity, &engine},
                               guard);
            // The status page (SPEC §5), on the main port and on its own listener if asked for.
            StatusPageContext statusPage{storage, authenticator, healthSource, &engine,
                                         config->statusPageAnonymous};
            mountStatusPage(server.routes(), statusPage);
            if (statusServer)
                mountStatusPage(statusServer->routes(), statusPage);
            // /metrics for Prometheus with an API token (SPEC §5); delivery outcomes counted from now.
            AlertDeliveryTally deliveries;
            QObject::connect(&engine.alerts(), &AlertService::deliveryFinished, &engine,
                             [&deliveries](const DeliveryReport &report) { deliveries.note(report); });
            server.routes().add(
                QByteArrayLiteral("GET"), QStringLiteral("/metrics"),
                guard.require(Permission::Read, [&](const ApiRequest &, HttpResponder responder) {
                    CoreMetricsContext context;
                    context.processStarted = processStarted;
                    context.pendingAlertDeliveries = engine.alerts().pendingDeliveries();
                    context.alertDeliveries = &deliveries;
                    HttpResponse response;
                    response.status = 200;
                    response.headers.append(
                        {QByteArrayLiteral("Content-Type"), QByteArray(PrometheusWriter::ContentType)});
                    response.body = renderCoreMetrics(engine, context);
                    responder.send(response);
                }));
            SystemLogRetention logRetention(storage);
            // Heard from only while /healthz would say ready: silence is the third party's alarm.
            DeadMansSwitch deadMansSwitch(config->deadMansSwitch,
                                          [&health] { return health.evaluate().ok(); });
            QObject::connect(&deadMansSwitch, &DeadMansSwitch::logEntry, &engine, &CoreEngine::recordLog);
            QObject::connect(&engine, &CoreEngine::started, &systemd, [&] {
                systemd.notifyReady(runningStatus(engine));
                systemd.startWatchdog([&health](QString *reason) { return health.isLive(reason); });
                logRetention.start();
                events.start();
                if (config->deadMansSwitch.enabled())
                    deadMansSwitch.start();
            });
            QObject::connect(&engine, &CoreEngine::databaseAvailabilityChanged, &systemd, [&] {
                if (engine.isRunning() && !engine.isStopping())
                    systemd.notifyStatus(runningStatus(engine));
            });
            if (!engine.start(&error))
                return fail(error);
            QObject::connect(&engine, &CoreEngine::stopped, [] { QCoreApplication::exit(ExitOk); });
            QObject::connect(&signalWatcher, &SignalWatcher::terminateRequested, [&](int signalNumber) {
                if (engine.isStopping()) {
                    // A second signal: the admin will not wait for runs in flight.
                    qCWarning(lcCore) << "signal" << signalNumber << "received again, exiting now";
                    QCoreApplication::exit(ExitFailure);
                    return;
                }
                qCInfo(lcCore) << "signal" << signalNumber << "received, stopping";
                systemd.notifyStopping(QStringLiteral("stopping: waiting for runs in flight"));
                health.report(QString(HealthComponent::Engine), false, QStringLiteral("stopping"));
                // No new requests while the engine drains: load balancers see the port closed.
                server.stop();
                if (statusServer)
                    statusServer->stop();
                deadMansSwitch.stop();
                engine.stop();
            });
            qCInfo(lcCore).noquote() << "core running; database" << databaseConfig->displayName()
                                     << "- HTTPS on port" << server.port();
            return QCoreApplication::exec();
        }};
}

} // namespace

int runCoreCommandLine(const QStringList &arguments)
{
    return runSubcommand(
        arguments, QStringLiteral("Prophasis core: schedules checks, stores results, works out health."),
        {initCommand(), runCommand()});
}

} // namespace prophasis
