#include "console/connect/passwordvault.h"

#include <QLoggingCategory>
#include <QPointer>
#include <QTimer>

#if defined(Q_OS_UNIX) && !defined(Q_OS_MACOS)
#include <QDBusConnection>
#include <QDBusConnectionInterface>
#endif

#include <qt6keychain/keychain.h>

namespace prophasis {

namespace {

Q_LOGGING_CATEGORY(lcVault, "prophasis.console.keychain")

QString noKeychainText(const QString &why)
{
    return PasswordVault::tr("No system keychain is available on this computer (%1), so no password is "
                             "stored: type it each time you connect.")
        .arg(why);
}

VaultResult resultOf(const QKeychain::Job &job)
{
    VaultResult result;
    switch (job.error()) {
    case QKeychain::NoError:
        result.status = VaultResult::Status::Ok;
        return result;
    case QKeychain::EntryNotFound:
        result.status = VaultResult::Status::NotFound;
        result.errorText =
            PasswordVault::tr("No password is stored in the system keychain for this connection.");
        return result;
    case QKeychain::NoBackendAvailable:
    case QKeychain::NotImplemented:
        result.status = VaultResult::Status::NoKeychain;
        break;
    case QKeychain::OtherError:
    case QKeychain::CouldNotDeleteEntry:
    case QKeychain::AccessDeniedByUser:
    case QKeychain::AccessDenied:
        result.status = VaultResult::Status::Failed;
        break;
    }
    if (result.status == VaultResult::Status::NoKeychain) {
        result.errorText = noKeychainText(job.errorString());
    } else {
        result.errorText = PasswordVault::tr("The system keychain refused: %1").arg(job.errorString());
    }
    qCInfo(lcVault) << "keychain job failed:" << job.error() << job.errorString();
    return result;
}

template <typename JobType>
void run(JobType *job, const QString &key, QObject *context, PasswordVault::Callback done,
         std::function<void(const JobType &, VaultResult &)> extra = {})
{
    QString why;
    if (!PasswordVault::keychainAvailable(&why)) {
        // qtkeychain would answer an unhelpful "Unknown error" here: say what is missing instead,
        // and still answer asynchronously like a job.
        delete job;
        QPointer<QObject> guard(context);
        QTimer::singleShot(0, [guard, hasContext = context != nullptr, done = std::move(done), why] {
            VaultResult result;
            result.status = VaultResult::Status::NoKeychain;
            result.errorText = noKeychainText(why);
            if (done && (!hasContext || guard))
                done(result);
        });
        return;
    }
    // Explicitly, although it is the default: a plain-text fallback must never be switched on.
    job->setInsecureFallback(false);
    job->setAutoDelete(true);
    job->setKey(key);
    QPointer<QObject> guard(context);
    QObject::connect(job, &QKeychain::Job::finished, job,
                     [job, guard, hasContext = context != nullptr, done = std::move(done),
                      extra = std::move(extra)](QKeychain::Job *) {
                         VaultResult result = resultOf(*job);
                         if (result.ok() && extra)
                             extra(*job, result);
                         if (done && (!hasContext || guard))
                             done(result);
                     });
    job->start();
}

} // namespace

QString PasswordVault::serviceName()
{
    return QStringLiteral("Prophasis console");
}

bool PasswordVault::keychainAvailable(QString *why)
{
#if defined(Q_OS_UNIX) && !defined(Q_OS_MACOS)
    // Linux and the BSDs: qtkeychain speaks to the Secret Service (GNOME Keyring, KeePassXC …) or
    // KWallet over the D-Bus session bus; without them it can only fail.
    const QDBusConnection bus = QDBusConnection::sessionBus();
    if (!bus.isConnected()) {
        *why = tr("no D-Bus session bus");
        return false;
    }
    const QDBusConnectionInterface *interface = bus.interface();
    const QStringList activatable = interface ? interface->activatableServiceNames().value() : QStringList();
    for (const QString &service :
         {QStringLiteral("org.freedesktop.secrets"), QStringLiteral("org.kde.kwalletd6"),
          QStringLiteral("org.kde.kwalletd5")}) {
        if (activatable.contains(service) || (interface && interface->isServiceRegistered(service).value()))
            return true;
    }
    *why = tr("no Secret Service or KWallet on the D-Bus session bus");
    return false;
#else
    Q_UNUSED(why);
    return true; // macOS Keychain and Windows Credential Manager are always there
#endif
}

PasswordVault::PasswordVault(QObject *parent)
    : QObject(parent)
{
}

void PasswordVault::readPassword(const QString &key, QObject *context, Callback done)
{
    auto *job = new QKeychain::ReadPasswordJob(serviceName(), this);
    run<QKeychain::ReadPasswordJob>(job, key, context, std::move(done),
                                    [](const QKeychain::ReadPasswordJob &read, VaultResult &result) {
                                        result.password = read.textData();
                                    });
}

void PasswordVault::writePassword(const QString &key, const QString &password, QObject *context,
                                  Callback done)
{
    auto *job = new QKeychain::WritePasswordJob(serviceName(), this);
    job->setTextData(password);
    run<QKeychain::WritePasswordJob>(job, key, context, std::move(done));
}

void PasswordVault::deletePassword(const QString &key, QObject *context, Callback done)
{
    auto *job = new QKeychain::DeletePasswordJob(serviceName(), this);
    run<QKeychain::DeletePasswordJob>(job, key, context, std::move(done));
}

} // namespace prophasis
