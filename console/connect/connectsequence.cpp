#include "console/connect/connectsequence.h"

#include "console/connect/profilestore.h"

namespace prophasis {

ConnectSequence::ConnectSequence(ApiClient &client, ProfileStore &profiles, QObject *parent)
    : QObject(parent)
    , m_client(client)
    , m_profiles(profiles)
{
}

QString ConnectSequence::hostText() const
{
    return m_profile.coreUrl.host() + u':' + QString::number(m_profile.coreUrl.port(4049));
}

void ConnectSequence::start(const ConnectionProfile &profile, const QString &password)
{
    ++m_attempt;
    m_profile = profile;
    m_password = password;
    m_offeredKey.clear();
    m_presentedKey.clear();
    m_requireCa = false;
    m_stage = Stage::Idle;
    if (!profile.coreUrl.isValid() || profile.coreUrl.host().isEmpty()) {
        fail(Failure::InvalidProfile,
             tr("Enter the core's address, e.g. core.example.org or 192.0.2.10:4049."));
        return;
    }
    if (profile.user.isEmpty()) {
        fail(Failure::InvalidProfile, tr("Enter your user name."));
        return;
    }
    if (!m_profile.pinnedKey.isEmpty()) {
        login();
        return;
    }
    // A saved profile for this core without a pin connected before through a CA-issued
    // certificate: it must stay one. Asking "is this the right key?" again would let anyone with a
    // self-signed certificate be confirmed by habit.
    const std::optional<ConnectionProfile> saved = m_profiles.profile(m_profile.name);
    if (saved && saved->pinnedKey.isEmpty() &&
        saved->coreUrl.matches(m_profile.coreUrl, QUrl::StripTrailingSlash)) {
        m_requireCa = true;
        login();
        return;
    }
    probe();
}

void ConnectSequence::probe()
{
    m_stage = Stage::Probing;
    Q_EMIT progress(tr("Contacting the core at %1…").arg(hostText()));
    // No pin while probing: only the key is looked at, nothing is sent.
    m_client.setCore(m_profile.coreUrl, QString());
    const quint64 attempt = m_attempt;
    m_client.probe(this, [this, attempt](const CoreProbe &probe) {
        if (attempt != m_attempt || m_stage != Stage::Probing)
            return;
        if (!probe.errorText.isEmpty() && probe.spkiSha256.isEmpty()) {
            fail(
                Failure::Unreachable,
                tr("The core at %1 could not be reached: %2. Check the address and that prophasis-core runs.")
                    .arg(hostText(), probe.errorText));
            return;
        }
        if (probe.caTrusted) {
            // A certificate a CA vouches for this address: trusted as such, nothing pinned.
            m_profile.pinnedKey.clear();
            login();
            return;
        }
        m_offeredKey = probe.spkiSha256.toLower();
        m_stage = Stage::AwaitingConfirmation;
        Q_EMIT keyConfirmationNeeded(m_offeredKey, groupedFingerprint(m_offeredKey));
    });
}

void ConnectSequence::confirmKey(bool confirmed)
{
    if (m_stage != Stage::AwaitingConfirmation)
        return;
    if (!confirmed) {
        fail(Failure::KeyDeclined,
             tr("Not connected: the core's key was not confirmed. Nothing was sent to it."));
        return;
    }
    m_profile.pinnedKey = m_offeredKey;
    login();
}

void ConnectSequence::forgetPinAndConnect()
{
    if (m_stage != Stage::Idle || m_presentedKey.isEmpty())
        return;
    ConnectionProfile profile = m_profile;
    profile.pinnedKey.clear();
    start(profile, m_password);
}

void ConnectSequence::login()
{
    m_stage = Stage::LoggingIn;
    Q_EMIT progress(tr("Logging in to %1 as %2…").arg(hostText(), m_profile.user));
    // With a pin, the handshake is refused before the login request (and the password) is sent.
    m_client.setCore(m_profile.coreUrl, m_profile.pinnedKey);
    const quint64 attempt = m_attempt;
    m_client.login(m_profile.user, m_password, this, [this, attempt](const ApiResult &result) {
        if (attempt != m_attempt || m_stage != Stage::LoggingIn)
            return;
        if (result.ok()) {
            m_stage = Stage::Idle;
            m_password.clear();
            m_profiles.save(m_profile);
            m_profiles.setLastUsed(m_profile.name);
            Q_EMIT succeeded(m_profile);
            return;
        }
        if (!result.presentedKey.isEmpty()) {
            m_presentedKey = result.presentedKey.toLower();
            fail(Failure::KeyMismatch,
                 tr("Not connected: the core at %1 presented a different key from the one pinned for this "
                    "profile, so your password was not sent.\nPinned:    %2\nPresented: %3\nIf the core was "
                    "set "
                    "up again (prophasis-core init), compare the new key with what init printed before "
                    "pinning "
                    "it; otherwise someone may be between you and the core.")
                     .arg(hostText(), groupedFingerprint(m_profile.pinnedKey),
                          groupedFingerprint(m_presentedKey)));
            return;
        }
        switch (result.status) {
        case 0:
            if (m_requireCa)
                fail(Failure::Unreachable, tr("No trusted connection to the core at %1: %2. This profile "
                                              "trusts the core's CA-issued "
                                              "certificate; if the core now uses its own key instead, remove "
                                              "the profile and connect "
                                              "anew to see and pin that key.")
                                               .arg(hostText(), result.errorText));
            else
                fail(Failure::Unreachable,
                     tr("The core at %1 could not be reached: %2").arg(hostText(), result.errorText));
            return;
        case 401:
            fail(Failure::WrongPassword, tr("The user name or the password is wrong."));
            return;
        case 423:
        case 429:
            fail(Failure::LockedOut,
                 tr("Too many failed logins: %1. Wait before trying again, or ask another "
                    "admin to unlock the user.")
                     .arg(result.errorText));
            return;
        default:
            fail(Failure::Refused, tr("The core refused the login: %1").arg(result.errorText));
            return;
        }
    });
}

void ConnectSequence::cancel()
{
    if (m_stage == Stage::Idle)
        return;
    ++m_attempt;
    fail(Failure::Cancelled, tr("Connecting was cancelled."));
}

void ConnectSequence::fail(Failure failure, const QString &text)
{
    m_stage = Stage::Idle;
    if (failure != Failure::KeyMismatch)
        m_password.clear();
    Q_EMIT failed(failure, text);
}

} // namespace prophasis
