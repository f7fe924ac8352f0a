#pragma once

#include <QString>

namespace prophasis {

// Slow, salted password hashes (scrypt, memory-hard), stored as
// "$scrypt$ln=15,r=8,p=1$<salt>$<hash>" (base64), so the parameters can be raised later
// without breaking stored hashes.
class PasswordHasher
{
public:
    struct Parameters
    {
        int log2N = 15; // N = 32768: ~32 MiB and tens of milliseconds per hash
        int r = 8;
        int p = 1;
    };

    static QString hash(const QString &password, const Parameters &parameters);
    static QString hash(const QString &password) { return hash(password, Parameters{}); }
    // Constant-time comparison; false for malformed hashes.
    static bool verify(const QString &password, const QString &encoded);
    // True when the stored hash uses weaker parameters than today's defaults.
    static bool needsRehash(const QString &encoded);

    // A random password for the first admin: 20 characters from an alphabet without look-alikes.
    static QString generatePassword();
};

} // namespace prophasis
