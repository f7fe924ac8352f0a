#pragma once

#include <QObject>
#include <QString>

#include "console/client/apiclient.h"
#include "console/connect/connectionprofile.h"

namespace prophasis {

class ProfileStore;

// Connecting to a core, as logic without widgets (the dialog and the command line drive it):
//   nothing pinned → probe the core; a CA-trusted certificate is accepted as it is, an unknown
//   key is shown (keyConfirmationNeeded) and pinned in the profile only after confirmKey(true);
//   then log in; on success the profile is saved (with its pin) and made the last used.
// A saved profile without a pin trusts a CA-issued certificate and keeps doing so: a certificate
// no CA vouches for is then refused, not offered for pinning.
// A pinned key that differs from the one the core presents is refused before the password is
// sent (the pin is checked on the TLS handshake), and never re-pinned by itself: only
// forgetPinAndConnect(), which the caller offers after the person confirmed the risk, starts
// over with the "is this the right key?" question.
class ConnectSequence : public QObject
{
    Q_OBJECT
public:
    enum class Failure
    {
        InvalidProfile, // no address or no user
        Unreachable,    // no TLS connection to the core
        KeyDeclined,    // the person did not confirm the key
        KeyMismatch,    // the core presented another key than the pinned one
        WrongPassword,  // 401 on login
        LockedOut,      // 423 / 429: too many failed logins
        Refused,        // any other answer (a disabled user, a core not ready …)
        Cancelled,
    };
    Q_ENUM(Failure)

    ConnectSequence(ApiClient &client, ProfileStore &profiles, QObject *parent = nullptr);

    // Starts connecting; a running attempt is abandoned first.
    void start(const ConnectionProfile &profile, const QString &password);
    // The answer to keyConfirmationNeeded(); may be given from inside the signal.
    void confirmKey(bool confirmed);
    // After a KeyMismatch failure, once the person confirmed the risk: forgets the pin and connects
    // again from the probe, so the new key is shown and must be confirmed in its turn.
    void forgetPinAndConnect();
    void cancel();

    bool isRunning() const { return m_stage != Stage::Idle; }
    // The profile as it is now (with the pin once confirmed).
    const ConnectionProfile &profile() const { return m_profile; }
    // After KeyMismatch: the key the core presented.
    QString presentedKey() const { return m_presentedKey; }

Q_SIGNALS:
    // What is happening, in words ("Contacting the core…", "Logging in…").
    void progress(const QString &text);
    // The core presented a key nobody vouches for: show it and answer with confirmKey().
    // `fingerprint` is the key's SHA-256 in groups of four hex digits.
    void keyConfirmationNeeded(const QString &spkiSha256, const QString &fingerprint);
    // Logged in; the profile (with its pin) was saved.
    void succeeded(const ConnectionProfile &profile);
    void failed(prophasis::ConnectSequence::Failure failure, const QString &text);

private:
    enum class Stage
    {
        Idle,
        Probing,
        AwaitingConfirmation,
        LoggingIn,
    };

    void probe();
    void login();
    void fail(Failure failure, const QString &text);
    QString hostText() const;

    ApiClient &m_client;
    ProfileStore &m_profiles;
    ConnectionProfile m_profile;
    QString m_password;
    QString m_offeredKey;   // the probed key awaiting confirmation
    QString m_presentedKey; // the key a pin mismatch presented
    Stage m_stage = Stage::Idle;
    bool m_requireCa = false; // a saved profile that trusts a CA-issued certificate: no key question
    quint64 m_attempt = 0;    // answers of an abandoned attempt are ignored
};

} // namespace prophasis
