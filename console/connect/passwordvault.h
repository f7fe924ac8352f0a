#pragma once

#include <QObject>
#include <QString>

#include <functional>

namespace prophasis {

// What a keychain request came back with.
struct VaultResult
{
    enum class Status
    {
        Ok,         // done; for a read, `password` holds it
        NotFound,   // nothing stored for this key
        NoKeychain, // no system keychain works here: nothing was stored, the password must be typed
        Failed,     // the keychain refused (access denied, …): see errorText
    };
    Status status = Status::Failed;
    QString password;
    QString errorText; // empty when Ok; a sentence for the user otherwise

    bool ok() const { return status == Status::Ok; }
};

// Profile passwords in the operating system's keychain (Secret Service / KWallet, macOS
// Keychain, Windows Credential Manager) through qtkeychain. Never a plain file: qtkeychain's
// insecure fallback stays off, and where no keychain works the answer is NoKeychain and nothing
// is stored. Asynchronous; callbacks run on the caller's thread and never after `context` died.
class PasswordVault : public QObject
{
    Q_OBJECT
public:
    using Callback = std::function<void(const VaultResult &)>;

    // The keychain's service name (one entry per profile key under it).
    static QString serviceName();
    // Whether a system keychain can be reached at all; `why` says what is missing when not.
    static bool keychainAvailable(QString *why);

    explicit PasswordVault(QObject *parent = nullptr);

    // Keys are ConnectionProfile::keychainKey().
    void readPassword(const QString &key, QObject *context, Callback done);
    void writePassword(const QString &key, const QString &password, QObject *context, Callback done);
    void deletePassword(const QString &key, QObject *context, Callback done);
};

} // namespace prophasis
