#include "shared/package/signatureverifier.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QSaveFile>
#include <QSet>
#include <QTemporaryDir>

#include <memory>
#include <mutex>

#include <gpgme++/context.h>
#include <gpgme++/data.h>
#include <gpgme++/error.h>
#include <gpgme++/global.h>
#include <gpgme++/importresult.h>
#include <gpgme++/key.h>
#include <gpgme++/verificationresult.h>

namespace prophasis {

namespace {

using Verdict = SignatureVerifier::Verdict;

// Verification must never reach the network: no keyserver, no automatic retrieval or location
// of a signer's key. Only options gpg 2.2 knows (an unknown one would stop gpg altogether).
const QByteArray GpgConf = "# Written by Prophasis: this keyring verifies plugin packages, offline.\n"
                           "no-auto-key-retrieve\n"
                           "auto-key-locate local\n";

void initializeGpgme()
{
    static std::once_flag once;
    std::call_once(once, [] { GpgME::initializeLibrary(); });
}

QString describe(const GpgME::Error &error)
{
    return QString::fromLocal8Bit(error.asString());
}

// A context of the agent's keyring, offline. Never GNUPGHOME: that would change every context
// in the process.
std::unique_ptr<GpgME::Context> openContext(const QString &home, QString *error)
{
    std::unique_ptr<GpgME::Context> context(GpgME::Context::createForProtocol(GpgME::OpenPGP));
    if (!context) {
        *error = QStringLiteral("GnuPG (OpenPGP) is not available through gpgme");
        return nullptr;
    }
    if (const GpgME::Error failure = context->setEngineHomeDirectory(QFile::encodeName(home).constData())) {
        *error = QStringLiteral("cannot use the keyring %1: %2").arg(home, describe(failure));
        return nullptr;
    }
    context->setOffline(true);
    context->setKeyListMode(GpgME::Local);
    return context;
}

Verdict verdict(Verdict::Kind kind, const QString &message, const QString &fingerprint = {})
{
    return Verdict{kind, fingerprint, message};
}

// Errors that mean "these bytes are not a usable signature", as opposed to GnuPG failing.
bool isDataError(const GpgME::Error &error)
{
    switch (error.code()) {
    case GPG_ERR_NO_DATA:
    case GPG_ERR_BAD_DATA:
    case GPG_ERR_INV_PACKET:
    case GPG_ERR_UNKNOWN_PACKET:
    case GPG_ERR_BAD_SIGNATURE:
    case GPG_ERR_SIG_CLASS:
    case GPG_ERR_UNSUPPORTED_ALGORITHM:
    case GPG_ERR_DIGEST_ALGO:
    case GPG_ERR_PUBKEY_ALGO:
        return true;
    default:
        return false;
    }
}

bool writeGpgConf(const QString &home, QString *error)
{
    const QString path = QDir(home).filePath(QStringLiteral("gpg.conf"));
    QFile existing(path);
    if (existing.open(QIODevice::ReadOnly) && existing.readAll() == GpgConf)
        return true;
    QSaveFile conf(path);
    if (!conf.open(QIODevice::WriteOnly) || conf.write(GpgConf) != GpgConf.size() || !conf.commit()) {
        *error = QStringLiteral("cannot write %1: %2").arg(path, conf.errorString());
        return false;
    }
    QFile::setPermissions(path, QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    return true;
}

// Imports keys into the keyring at `home`; the primary fingerprints of the keys in the data.
// A secret key is refused: the agent's keyring holds public keys only.
std::optional<QStringList> importKeys(const QString &home, const QByteArray &key, QString *error)
{
    const std::unique_ptr<GpgME::Context> context = openContext(home, error);
    if (!context)
        return std::nullopt;
    const GpgME::Data keyData(key.constData(), size_t(key.size()), true);
    const GpgME::ImportResult result = context->importKeys(keyData);
    if (result.error()) {
        *error = QStringLiteral("cannot import the key: %1").arg(describe(result.error()));
        return std::nullopt;
    }
    QStringList fingerprints;
    for (const GpgME::Import &import : result.imports()) {
        if (import.status() & GpgME::Import::ContainedSecretKey) {
            *error = QStringLiteral("the file holds a secret key; give the public key only");
            return std::nullopt;
        }
        const QString fingerprint =
            SignatureVerifier::normalizedFingerprint(QString::fromLatin1(import.fingerprint()));
        if (!import.error() && !fingerprint.isEmpty() && !fingerprints.contains(fingerprint))
            fingerprints.append(fingerprint);
    }
    return fingerprints;
}

// A scratch keyring's gpg-agent, if gpg started one, must not outlive it.
void stopAgent(const QString &home)
{
    QProcess::execute(QStringLiteral("gpgconf"),
                      {QStringLiteral("--homedir"), home, QStringLiteral("--kill"), QStringLiteral("all")});
}

} // namespace

SignatureVerifier::SignatureVerifier(const QString &gnupgHome)
    : m_home(QDir(gnupgHome).absolutePath())
{
    initializeGpgme();
    if (const GpgME::Error failure = GpgME::checkEngine(GpgME::OpenPGP)) {
        m_setupError = QStringLiteral("GnuPG is not usable (is gpg installed?): %1").arg(describe(failure));
        return;
    }
    // gpg refuses, or warns about, a home folder others can read.
    if (!QDir().mkpath(m_home) ||
        !QFile::setPermissions(m_home,
                               QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner)) {
        m_setupError = QStringLiteral("cannot create the keyring folder %1").arg(m_home);
        return;
    }
    writeGpgConf(m_home, &m_setupError);
}

QString SignatureVerifier::normalizedFingerprint(const QString &fingerprint)
{
    QString normalized = fingerprint.toUpper();
    normalized.remove(u' ');
    return normalized;
}

SignatureVerifier::Verdict SignatureVerifier::verify(const QByteArray &data,
                                                     const QByteArray &detachedSignature,
                                                     const QStringList &trustedPrimaryFingerprints) const
{
    if (!m_setupError.isEmpty())
        return verdict(Verdict::Kind::Error, m_setupError);
    if (detachedSignature.isEmpty())
        return verdict(Verdict::Kind::Bad, QStringLiteral("the signature is empty"));
    QString problem;
    const std::unique_ptr<GpgME::Context> context = openContext(m_home, &problem);
    if (!context)
        return verdict(Verdict::Kind::Error, problem);

    // From buffers: GpgME::Data(const char *filename) would not read the file at all.
    const GpgME::Data signatureData(detachedSignature.constData(), size_t(detachedSignature.size()), true);
    const GpgME::Data signedData(data.constData(), size_t(data.size()), true);
    const GpgME::VerificationResult result = context->verifyDetachedSignature(signatureData, signedData);
    const std::vector<GpgME::Signature> signatures = result.signatures();
    if (signatures.empty()) {
        if (result.error() && !isDataError(result.error()))
            return verdict(
                Verdict::Kind::Error,
                QStringLiteral("GnuPG could not check the signature: %1").arg(describe(result.error())));
        return verdict(Verdict::Kind::Bad,
                       QStringLiteral("the signature is not a readable OpenPGP signature (%1)")
                           .arg(result.error() ? describe(result.error()) : QStringLiteral("none found")));
    }

    QSet<QString> trusted;
    for (const QString &fingerprint : trustedPrimaryFingerprints)
        trusted.insert(normalizedFingerprint(fingerprint));

    std::optional<Verdict> refusal;
    const auto refuse = [&refusal](const QString &message, const QString &fingerprint = {}) {
        if (!refusal)
            refusal = verdict(Verdict::Kind::Untrusted, message, fingerprint);
    };
    // Any signature that does not match refuses the package, whatever else is there.
    for (const GpgME::Signature &signature : signatures) {
        if (signature.status().code() == GPG_ERR_BAD_SIGNATURE ||
            (signature.summary() & GpgME::Signature::Red))
            return verdict(Verdict::Kind::Bad,
                           QStringLiteral("the package does not match its signature (made by key %1)")
                               .arg(QString::fromLatin1(signature.fingerprint())));
    }
    for (const GpgME::Signature &signature : signatures) {
        const QString signingKey = QString::fromLatin1(signature.fingerprint());
        const GpgME::Error status = signature.status();
        if (status.code() == GPG_ERR_NO_PUBKEY) {
            refuse(QStringLiteral("the package is signed by key %1, which is not in the agent's keyring")
                       .arg(signingKey));
            continue;
        }
        // No ownertrust is set in this keyring, so a good signature is status 0 without VALID:
        // the decision is the status plus the primary fingerprint, not gpg's validity.
        constexpr unsigned unusable =
            GpgME::Signature::KeyRevoked | GpgME::Signature::KeyExpired | GpgME::Signature::SigExpired;
        if (status || (signature.summary() & unusable) || signature.isWrongKeyUsage()) {
            refuse(QStringLiteral("the signature by key %1 cannot be accepted: %2")
                       .arg(signingKey,
                            status ? describe(status)
                                   : QStringLiteral("the key is revoked or expired, or may not sign")));
            continue;
        }
        // The signature names the signing subkey; the trusted list holds primary keys.
        GpgME::Error lookupError;
        const GpgME::Key key = context->key(signature.fingerprint(), lookupError, false);
        if (key.isNull() || lookupError) {
            refuse(QStringLiteral("the key %1 that made the signature is not in the agent's keyring")
                       .arg(signingKey));
            continue;
        }
        const QString primary = normalizedFingerprint(QString::fromLatin1(key.primaryFingerprint()));
        if (key.isRevoked() || key.isDisabled() || key.isInvalid() || key.isExpired()) {
            refuse(QStringLiteral("the signing key %1 is revoked, expired or disabled").arg(primary),
                   primary);
            continue;
        }
        if (trusted.contains(primary))
            return verdict(Verdict::Kind::Good, QStringLiteral("good signature by key %1").arg(primary),
                           primary);
        refuse(
            QStringLiteral("the package is signed by key %1, which this agent does not trust").arg(primary),
            primary);
    }
    return *refusal;
}

std::optional<QString> SignatureVerifier::importPublicKey(const QByteArray &key, QString *error)
{
    const auto fail = [error](const QString &message) -> std::optional<QString> {
        if (error)
            *error = message;
        return std::nullopt;
    };
    if (!m_setupError.isEmpty())
        return fail(m_setupError);
    // gpg imports everything in the file before anyone can count it: count in a scratch keyring
    // first, so a file with several keys or a secret key never touches the agent's keyring.
    QTemporaryDir scratch;
    QString problem;
    if (!scratch.isValid() || !writeGpgConf(scratch.path(), &problem))
        return fail(QStringLiteral("cannot make a scratch keyring: %1").arg(problem));
    const std::optional<QStringList> found = importKeys(scratch.path(), key, &problem);
    stopAgent(scratch.path());
    if (!found)
        return fail(problem);
    if (found->isEmpty())
        return fail(QStringLiteral("no OpenPGP public key found in the file"));
    if (found->size() > 1)
        return fail(QStringLiteral("the file holds %1 keys (%2); give one key at a time")
                        .arg(found->size())
                        .arg(found->join(QStringLiteral(", "))));

    const std::optional<QStringList> imported = importKeys(m_home, key, &problem);
    if (!imported)
        return fail(problem);
    // gpg reports the primary key, but ask the keyring rather than rely on it.
    const std::unique_ptr<GpgME::Context> context = openContext(m_home, &problem);
    if (!context || imported->size() != 1)
        return fail(problem.isEmpty() ? QStringLiteral("the key could not be imported") : problem);
    GpgME::Error lookupError;
    const GpgME::Key importedKey = context->key(imported->first().toLatin1().constData(), lookupError, false);
    if (importedKey.isNull() || lookupError)
        return fail(QStringLiteral("the key %1 was imported but cannot be found in the keyring")
                        .arg(imported->first()));
    return normalizedFingerprint(QString::fromLatin1(importedKey.primaryFingerprint()));
}

} // namespace prophasis
