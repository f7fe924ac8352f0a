#pragma once

#include <QByteArray>
#include <QString>
#include <QStringList>

#include <optional>

namespace prophasis {

// Checks detached OpenPGP signatures of plugin packages with gpgme against a keyring of the
// agent's own (a GnuPG home folder the core cannot change). A signature counts only when it is
// good and its signing key's PRIMARY fingerprint is in the caller's trusted list: OpenPGP owner
// trust plays no part, and a signature made by a subkey is credited to its primary key.
//
// The home folder is set per gpgme context (never through GNUPGHOME, which would change it for
// the whole process) and gets a gpg.conf that turns automatic key retrieval off, so verifying
// never reaches a keyserver. Each call uses a context of its own, so a const verifier may be
// used from several threads.
class SignatureVerifier
{
public:
    struct Verdict
    {
        enum class Kind
        {
            Good,      // a valid signature by a trusted primary key
            Untrusted, // a valid signature, but by a key not in the trusted list (or unknown)
            Bad,       // the data does not match the signature, or the signature is unreadable
            Error,     // GnuPG could not be used
        };
        Kind kind = Kind::Error;
        QString primaryFingerprint; // upper-case hex, when the signer is known
        QString message;            // what happened, for a person
    };

    // Creates the home folder (0700) and its gpg.conf when needed.
    explicit SignatureVerifier(const QString &gnupgHome);

    const QString &gnupgHome() const { return m_home; }

    // `detachedSignature` is ASCII-armoured (.asc) or binary (.sig). Fingerprints in the trusted
    // list may be in any case, with or without spaces.
    Verdict verify(const QByteArray &data, const QByteArray &detachedSignature,
                   const QStringList &trustedPrimaryFingerprints) const;

    // Imports one OpenPGP public key (armoured or binary) into the keyring and returns its
    // primary fingerprint (upper-case hex). Importing does not trust it: the caller adds the
    // fingerprint to its trusted list.
    std::optional<QString> importPublicKey(const QByteArray &key, QString *error);

    // "ABCD 1234 …" or "abcd1234…" → "ABCD1234…".
    static QString normalizedFingerprint(const QString &fingerprint);

private:
    QString m_home;
    QString m_setupError; // non-empty when the home folder or GnuPG is unusable
};

} // namespace prophasis
