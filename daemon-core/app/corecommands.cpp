#include "daemon-core/app/corecommands.h"

#include <QCoreApplication>
#include <QDir>
#include <QEventLoop>
#include <QLoggingCategory>
#include <QTextStream>
#include <QTimer>

#include "daemon-core/app/coreconfig.h"
#include "daemon-core/auth/passwordhasher.h"
#include "daemon-core/engine/coreengine.h"
#include "daemon-core/storage/database.h"
#include "daemon-core/storage/migrations.h"
#include "daemon-core/storage/secretbox.h"
#include "daemon-core/storage/storageerror.h"
#include "daemon-core/storage/storageexecutor.h"
#include "daemon-core/storage/userstore.h"
#include "shared/cli/commandline.h"
#include "shared/cli/signalwatcher.h"

namespace prophasis {

namespace {

Q_LOGGING_CATEGORY(lcCore, "prophasis.core")

const QCommandLineOption dataDirOption(QStringLiteral("data-dir"),
                                       QStringLiteral("The core's data folder (database, keys, settings)."),
                                       QStringLiteral("DIR"));

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
                                   SignalWatcher &signalWatcher)
{
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
            if (!first)
                qCInfo(lcCore).noquote() << "the database" << database.displayName() << "is available";
            return std::nullopt;
        } catch (const StorageError &error) {
            if (error.kind() != StorageError::Kind::Unavailable)
                return fail(error.message());
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

Subcommand runCommand()
{
    return {
        QStringLiteral("run"), QStringLiteral("Run the core in the foreground until SIGTERM or SIGINT."),
        [](QCommandLineParser &parser) { parser.addOption(dataDirOption); },
        [](const QCommandLineParser &parser) {
            const std::optional<QString> dataDir = requireDataDir(parser);
            if (!dataDir)
                return fail(QStringLiteral("run needs --data-dir DIR"));
            QString error;
            const std::optional<CoreConfig> config = CoreConfig::load(*dataDir, &error);
            if (!config)
                return fail(error);
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
            StorageExecutor storage(*databaseConfig);
            SignalWatcher signalWatcher;
            if (const std::optional<int> exitCode = waitForDatabase(storage, *databaseConfig, signalWatcher))
                return *exitCode;
            const std::optional<QByteArray> secretsKey =
                SecretBox::loadOrCreateKey(QDir(*dataDir).filePath(SecretsKeyFileName), &error);
            if (!secretsKey)
                return fail(error);
            EngineOptions options;
            options.spoolDirectory = QDir(*dataDir).filePath(QStringLiteral("spool"));
            options.retention = {config->retentionRawDays, config->retentionRollupDays};
            CoreEngine engine(storage, SecretBox(*secretsKey), *identity, options);
            if (!engine.start(&error))
                return fail(error);
            QObject::connect(&engine, &CoreEngine::stopped, [] { QCoreApplication::exit(ExitOk); });
            QObject::connect(&signalWatcher, &SignalWatcher::terminateRequested, [&engine](int signalNumber) {
                if (engine.isStopping()) {
                    // A second signal: the admin will not wait for runs in flight.
                    qCWarning(lcCore) << "signal" << signalNumber << "received again, exiting now";
                    QCoreApplication::exit(ExitFailure);
                    return;
                }
                qCInfo(lcCore) << "signal" << signalNumber << "received, stopping";
                engine.stop();
            });
            qCInfo(lcCore).noquote() << "core running; database" << databaseConfig->displayName();
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
